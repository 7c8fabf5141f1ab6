import Fluent
import Foundation
import SQLKit

/// Consent is a history, not a flag (PIPL): every change of a customer's consent or do-not-disturb flag is a row
/// of `customer_consents` — when, the flags after it, how it was recorded (`ConsentSource`), by whom (no one for
/// the customer's own reply) and a short note — written in the transaction of the change. The flags stay on the
/// customer's row, which the planner reads. Each existing customer starts with one row, how = `migration`: the
/// state when the history began. Ids are never reused (AUTOINCREMENT on SQLite, as M019; an identity column on
/// PostgreSQL).
struct M026ConsentHistory: AsyncMigration {
    static let table = "customer_consents"

    func prepare(on database: any Database) async throws {
        // All or nothing: no customer is changed between the backfill and the table's first writer.
        try await database.transaction { database in
            try await database.schema(Self.table)
                .field("id", .int, .identifier(auto: true))
                .field("customer_id", .int, .required, .references("customers", "id", onDelete: .cascade))
                .field("at", .datetime, .required)
                .field("consent", .bool, .required)
                .field("do_not_disturb", .bool, .required)
                .field("how", .string, .required)
                .field("actor_id", .uuid)
                .field("actor_name", .string)
                .field("note", .string)
                .create()
            let sql = database.sql
            try await sql.create(index: "customer_consents_customer").on(Self.table).column("customer_id")
                .column("id").run()
            try await sql.raw(
                """
                INSERT INTO customer_consents (customer_id, at, consent, do_not_disturb, how)
                SELECT id, \(bind: Date()), consent, do_not_disturb, 'migration' FROM customers ORDER BY id
                """
            ).run()
        }
        try await SQLiteAutoincrement.apply(on: database)  // the new table's ids too, without waiting for `migrate`
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Self.table).delete()
    }
}
