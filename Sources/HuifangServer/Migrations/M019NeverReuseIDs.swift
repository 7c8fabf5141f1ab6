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

    static func apply(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        let tables = try await sql.raw("""
            SELECT name FROM sqlite_master WHERE type = 'table' AND instr(sql, \(bind: plain)) > 0
            """).all().map { try $0.decode(column: "name", as: String.self) }
        guard !tables.isEmpty else { return }
        try await database.transaction { database in
            let sql = database as! any SQLDatabase
            try await sql.raw("CREATE TABLE IF NOT EXISTS huifang_sequence_seed (id INTEGER PRIMARY KEY AUTOINCREMENT)")
                .run()  // creates sqlite_sequence, which only a table declared with AUTOINCREMENT makes
            try await sql.raw("DROP TABLE huifang_sequence_seed").run()
            let version = try await sql.raw("PRAGMA schema_version").first()!.decode(column: "schema_version", as: Int.self)
            try await sql.raw("PRAGMA writable_schema = ON").run()
            for table in tables {
                try await sql.raw("""
                    UPDATE sqlite_master SET sql = replace(sql, \(bind: plain), \(bind: autoincrement))
                    WHERE type = 'table' AND name = \(bind: table)
                    """).run()
                try await sql.raw("""
                    INSERT INTO sqlite_sequence (name, seq) SELECT \(bind: table), COALESCE(MAX(id), 0) FROM \(ident: table)
                    """).run()
            }
            try await sql.raw("PRAGMA schema_version = \(unsafeRaw: String(version + 1))").run()
            try await sql.raw("PRAGMA writable_schema = OFF").run()
        }
        let check = try await sql.raw("PRAGMA integrity_check").all()
        let verdict = try check.first?.decode(column: "integrity_check", as: String.self)
        guard verdict == "ok" else { throw SQLiteSchemaError(verdict: verdict ?? "no answer") }
    }
}

struct SQLiteSchemaError: Error, CustomStringConvertible {
    let verdict: String
    var description: String { "SQLite integrity check after making ids AUTOINCREMENT: \(verdict)" }
}
