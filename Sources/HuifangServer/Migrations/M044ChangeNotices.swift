import Fluent
import SQLKit

/// On PostgreSQL, a notice on the channel `ChangeNotices.channel` naming the table, sent by every statement that
/// changes a table an instance keeps copies of (`ChangeNotices.Topic`); PostgreSQL delivers it to every listening
/// instance when the transaction commits, and drops it with a rollback. Statement-level triggers: one notice per
/// statement, and PostgreSQL folds equal notices of one transaction into one.
///
/// A token's `last_used_at`, written about once a minute per token in use, sends none: no copy depends on it. A new
/// user sends none either: no token names her yet.
struct M044ChangeNotices: AsyncMigration {
    /// The tables, and the changes of each that send a notice.
    static let tables: [(table: String, events: String)] = [
        ("users", "UPDATE OR DELETE"),
        ("api_tokens", "UPDATE OF token_hash, user_id, revoked_at OR DELETE"),
        ("ticket_settings", "INSERT OR UPDATE OR DELETE"),
        ("calendars", "INSERT OR UPDATE OR DELETE"),
        ("calendar_days", "INSERT OR UPDATE OR DELETE"),
        ("webhook_endpoints", "INSERT OR UPDATE OR DELETE"),
    ]

    func prepare(on database: any Database) async throws {
        guard database.sql.dialect.name == "postgresql" else { return }
        try await database.transaction { database in
            let sql = database.sql
            try await sql.raw(
                """
                CREATE FUNCTION change_notice() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  PERFORM pg_notify('\(unsafeRaw: ChangeNotices.channel)', TG_TABLE_NAME);
                  RETURN NULL;
                END $$
                """
            ).run()
            for (table, events) in Self.tables {
                for (name, on) in [("change_notice", events), ("change_notice_truncate", "TRUNCATE")] {
                    try await sql.raw(
                        """
                        CREATE TRIGGER \(unsafeRaw: name) AFTER \(unsafeRaw: on) ON \(unsafeRaw: table)
                        FOR EACH STATEMENT EXECUTE FUNCTION change_notice()
                        """
                    ).run()
                }
            }
        }
    }

    func revert(on database: any Database) async throws {
        guard database.sql.dialect.name == "postgresql" else { return }
        try await database.transaction { database in
            let sql = database.sql
            for (table, _) in Self.tables {
                for name in ["change_notice", "change_notice_truncate"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name) ON \(unsafeRaw: table)").run()
                }
            }
            try await sql.raw("DROP FUNCTION IF EXISTS change_notice()").run()
        }
    }
}
