import FluentKit
import FluentPostgresDriver
import FluentSQL
import SQLKit

extension Database {
    /// The database as SQLKit sees it, for the statements Fluent cannot express (reports, locks, bulk writes).
    /// Huifang runs only on SQL drivers (SQLite, PostgreSQL), so this never fails once configured.
    /// On PostgreSQL, statements run again and again are prepared once per connection (`PreparingPostgresSQL`).
    package var sql: any SQLDatabase { sql(names: .shared) }

    /// `sql`, its statements prepared on PostgreSQL under `names`.
    func sql(names: PreparedNames) -> any SQLDatabase {
        if let postgres = self as? any SQLDatabase & PostgresDatabase {
            return PreparingPostgresSQL(base: postgres, names: names)
        }
        guard let sql = self as? any SQLDatabase else {
            preconditionFailure("Huifang needs an SQL database; \(type(of: self)) is not one")
        }
        return sql
    }
}

extension Model {
    /// The model's columns by name (qualified by `table` when given), for a statement that reads whole rows to
    /// decode with `decode(fluentModel:)`: one with `*` is never prepared (`PreparedNames.preparable`). Quoted as
    /// both databases quote a name, and written as text: the model's own keys, not a value.
    static func columns(of table: String? = nil) -> SQLRaw {
        let prefix = table.map { "\"\($0)\"." } ?? ""
        return SQLRaw(keys.map { "\(prefix)\"\($0.description)\"" }.joined(separator: ", "))
    }
}

extension Model where IDValue == Int {
    /// `find(_:on:)` as one statement, prepared once per connection on PostgreSQL: for the rows read on every
    /// request of a busy route (Fluent's own query is serialised and planned anew each time).
    static func findPrepared(_ id: Int, on db: any Database) async throws -> Self? {
        try await db.sql.raw(findStatement(id)).first()?.decode(fluentModel: Self.self)
    }

    static func findStatement(_ id: Int) -> SQLQueryString {
        "SELECT \(columns()) FROM \(ident: schema) WHERE id = \(bind: id)"
    }
}
