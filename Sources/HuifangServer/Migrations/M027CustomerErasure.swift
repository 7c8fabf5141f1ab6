import Fluent
import SQLKit

/// Erasure (PIPL): a customer's personal information can be removed everywhere while the rows that make up the
/// figures stay.
///
/// - `customers.erased_at` marks a customer whose personal fields were cleared; the row itself stays (the
///   figures count its tasks, records, answers and tickets, and coverage counts the customer).
/// - `customer_erasures` records each erasure — who, when, on whose request, why, which customer number — and
///   holds no personal data. It is append-only: an erasure cannot be undone or hidden.
/// - The timeline (`ticket_entries`) and the audit log stay append-only with one exception the database checks
///   itself: a personal text column (the timeline's `note`, the audit log's `detail` and network `address`) may
///   be cleared (to NULL or empty), and nothing else in the row may change in that update.
struct M027CustomerErasure: AsyncMigration {
    static let clearable = [("ticket_entries", ["note"]), ("audit_log", ["detail", "address"])]

    func prepare(on database: any Database) async throws {
        try await database.schema(Customer.schema).field("erased_at", .datetime).update()
        try await database.schema(ErasureRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("customer_id", .int, .required)
            .field("erased_at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("source", .string, .required)
            .field("requested_by", .string, .required)
            .field("reason", .string, .required)
            .field("automatic", .bool, .required)
            .create()
        try await SQLiteAutoincrement.apply(on: database)
        try await AppendOnly.protect(ErasureRecord.schema, on: database)
        for (table, columns) in Self.clearable {
            try await AppendOnly.allowClearing(columns, of: table, on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await AppendOnly.release(ErasureRecord.schema, on: database)
        try await database.schema(ErasureRecord.schema).delete()
    }
}
