import Fluent
import SQLKit

/// Ids are never reused. SQLite gives a new row the largest id plus one, so deleting the newest row handed its id to
/// the next one, and an old audit entry or an orphaned call pointed at someone else. `AUTOINCREMENT` makes SQLite
/// remember the largest id ever given (in `sqlite_sequence`). PostgreSQL's identity columns never reuse a value.
struct M019NeverReuseIDs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await SQLiteAutoincrement.apply(on: database)
    }

    func revert(on database: any Database) async throws {}
}

/// Turns every `"id" INTEGER PRIMARY KEY` column of an SQLite database into `… AUTOINCREMENT`, in place.
///
/// SQLite cannot alter a column, but `AUTOINCREMENT` changes only how new ids are chosen, not how rows are stored,
/// so the table's definition is rewritten in `sqlite_schema` — the procedure of SQLite's documentation for schema
/// changes that do not touch stored data ("ALTER TABLE", section 7) — and each table's counter starts at its
/// largest id. Idempotent: `migrate` runs it after every migration, so later tables get it too.
enum SQLiteAutoincrement {
    static let plain = "\"id\" INTEGER PRIMARY KEY,"
    static let autoincrement = "\"id\" INTEGER PRIMARY KEY AUTOINCREMENT,"
    /// The same column as an earlier migration spelled it, without quotes.
    static let plainUnquoted = "id INTEGER PRIMARY KEY,"
    static let autoincrementUnquoted = "id INTEGER PRIMARY KEY AUTOINCREMENT,"

    static func apply(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        guard try await !tablesToUpgrade(sql).isEmpty else { return }
        try await database.transaction { database in
            let sql = database.sql
            // again, under the write lock: another process may have done it
            let tables = try await tablesToUpgrade(sql)
            guard !tables.isEmpty else { return }
            try await sql.raw("CREATE TABLE IF NOT EXISTS huifang_sequence_seed (id INTEGER PRIMARY KEY AUTOINCREMENT)")
                .run()  // creates sqlite_sequence, which only a table declared with AUTOINCREMENT makes
            try await sql.raw("DROP TABLE huifang_sequence_seed").run()
            let version = try await sql.raw("PRAGMA schema_version").first()!.decode(
                column: "schema_version", as: Int.self)
            try await sql.raw("PRAGMA writable_schema = ON").run()
            do {
                try await rewrite(tables, schemaVersion: version, on: sql)
            } catch {
                try? await sql.raw("PRAGMA writable_schema = RESET").run()  // a connection setting: not rolled back
                throw error
            }
        }
    }

    /// Tables whose integer id is not yet `AUTOINCREMENT`, rowid tables only.
    private static func tablesToUpgrade(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw(
            """
            SELECT name FROM sqlite_master WHERE type = 'table' AND instr(sql, 'WITHOUT ROWID') = 0
            AND (instr(sql, \(bind: plain)) > 0 OR instr(sql, '(' || \(bind: plainUnquoted)) > 0)
            """
        ).all().map { try $0.decode(column: "name", as: String.self) }
    }

    /// Rewrites the tables' definitions, starts each counter at the table's largest id, and checks the result
    /// before the transaction commits, so a schema SQLite could not read is rolled back.
    private static func rewrite(_ tables: [String], schemaVersion: Int, on sql: any SQLDatabase) async throws {
        for table in tables {
            try await sql.raw(
                """
                UPDATE sqlite_master SET sql = replace(replace(sql, \(bind: plain), \(bind: autoincrement)),
                '(' || \(bind: plainUnquoted), '(' || \(bind: autoincrementUnquoted))
                WHERE type = 'table' AND name = \(bind: table)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO sqlite_sequence (name, seq) SELECT \(bind: table), COALESCE(MAX(id), 0) FROM \(ident: table)
                WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = \(bind: table))
                """
            ).run()
        }
        try await sql.raw("PRAGMA schema_version = \(unsafeRaw: String(schemaVersion + 1))").run()
        try await sql.raw("PRAGMA writable_schema = OFF").run()
        let check = try await sql.raw("PRAGMA integrity_check").all()
        let verdict = try check.first?.decode(column: "integrity_check", as: String.self)
        guard verdict == "ok" else { throw SQLiteSchemaError(verdict: verdict ?? "no answer") }
    }
}

struct SQLiteSchemaError: Error, CustomStringConvertible {
    let verdict: String
    var description: String { "SQLite integrity check after making ids AUTOINCREMENT: \(verdict)" }
}
