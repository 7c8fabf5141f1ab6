import FluentKit
import SQLKit

extension Database {
    /// The database as SQLKit sees it, for the statements Fluent cannot express (reports, locks, bulk writes).
    /// Huifang runs only on SQL drivers (SQLite, PostgreSQL), so this never fails once configured.
    package var sql: any SQLDatabase {
        guard let sql = self as? any SQLDatabase else {
            preconditionFailure("Huifang needs an SQL database; \(type(of: self)) is not one")
        }
        return sql
    }
}
