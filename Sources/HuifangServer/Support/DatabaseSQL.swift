import FluentKit
import FluentPostgresDriver
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
