import Fluent
import SQLKit

/// Makes a table append-only: updates and deletes are refused by the database itself.
enum AppendOnly {
    static func protect(_ table: String, on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw(
                """
                CREATE FUNCTION \(unsafeRaw: table)_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '\(unsafeRaw: table) is append-only'; END; $$ LANGUAGE plpgsql
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER \(unsafeRaw: table)_append_only BEFORE UPDATE OR DELETE ON \(unsafeRaw: table)
                FOR EACH ROW EXECUTE FUNCTION \(unsafeRaw: table)_append_only()
                """
            ).run()
        } else {
            for event in ["UPDATE", "DELETE"] {
                try await sql.raw(
                    """
                    CREATE TRIGGER \(unsafeRaw: table)_no_\(unsafeRaw: event.lowercased()) BEFORE \(unsafeRaw: event) ON \(unsafeRaw: table)
                    BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: table) is append-only'); END
                    """
                ).run()
            }
        }
    }

    /// Lets an update clear `columns` (each to NULL or an empty text, or leave it) — and nothing else — on a table
    /// `protect` made append-only: how a row of the timeline or the audit log loses a person's data on erasure or
    /// by retention, while no other change (and no delete) gets through. The database checks every other column
    /// is unchanged.
    static func allowClearing(_ columns: [String], of table: String, on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            let cleared = columns.map {
                "(COALESCE(NEW.\($0)::text, '') = '' OR NEW.\($0) IS NOT DISTINCT FROM OLD.\($0))"
            }
            let rest = columns.map { " - '\($0)'" }.joined()
            try await sql.raw(
                """
                CREATE OR REPLACE FUNCTION \(unsafeRaw: table)_append_only() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND \(unsafeRaw: cleared.joined(separator: " AND "))
                     AND to_jsonb(NEW)\(unsafeRaw: rest) = to_jsonb(OLD)\(unsafeRaw: rest) THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION '\(unsafeRaw: table) is append-only';
                END; $$ LANGUAGE plpgsql
                """
            ).run()
            return
        }
        let all = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all()
            .map { try $0.decode(column: "name", as: String.self) }
        let cleared = columns.map { "(COALESCE(NEW.\"\($0)\", '') = '' OR NEW.\"\($0)\" IS OLD.\"\($0)\")" }
        let unchanged = all.filter { !columns.contains($0) }.map { "NEW.\"\($0)\" IS OLD.\"\($0)\"" }
        let allowed = (cleared + unchanged).joined(separator: " AND ")
        try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_no_update").run()
        try await sql.raw(
            """
            CREATE TRIGGER \(unsafeRaw: table)_no_update BEFORE UPDATE ON \(unsafeRaw: table)
            WHEN NOT (\(unsafeRaw: allowed))
            BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: table) is append-only'); END
            """
        ).run()
    }

    static func release(_ table: String, on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: table)_append_only() CASCADE").run()
        }
    }
}
