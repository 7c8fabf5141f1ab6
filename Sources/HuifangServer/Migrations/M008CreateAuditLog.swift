import Fluent
import SQLKit

/// The audit log, made append-only by triggers in both SQLite and PostgreSQL.
struct M008CreateAuditLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema)
            .field("id", .int, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("subject_type", .string)
            .field("subject_id", .string)
            .field("detail", .string)
            .field("address", .string)
            .create()
        let sql = database.sql
        try await sql.create(index: "audit_log_at").on(AuditEntry.schema).column("at").run()
        try await sql.create(index: "audit_log_action_at").on(AuditEntry.schema).column("action").column("at").run()
        try await sql.create(index: "audit_log_actor_at").on(AuditEntry.schema).column("actor_name").column("at").run()
        try await AppendOnly.protect(AuditEntry.schema, on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema).delete()
        try await AppendOnly.release(AuditEntry.schema, on: database)
    }
}
