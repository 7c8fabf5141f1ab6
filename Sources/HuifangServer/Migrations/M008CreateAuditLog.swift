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
        let sql = database as! any SQLDatabase
        try await sql.create(index: "audit_log_at").on(AuditEntry.schema).column("at").run()
        try await sql.create(index: "audit_log_action_at").on(AuditEntry.schema).column("action").column("at").run()
        try await sql.create(index: "audit_log_actor_at").on(AuditEntry.schema).column("actor_name").column("at").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
                """).run()
        } else {
            for event in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER audit_log_no_\(unsafeRaw: event.lowercased()) BEFORE \(unsafeRaw: event) ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
                    """).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(AuditEntry.schema).delete()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP FUNCTION IF EXISTS audit_log_append_only()").run()
        }
    }
}
