import FluentSQLiteDriver
import Foundation
import HuifangCore

#if canImport(Glibc)
    import Glibc
#endif

/// `huifang backup FILE` and `huifang restore FILE` for the embedded SQLite database.
///
/// A backup is SQLite's `VACUUM INTO` on a connection of its own: one read transaction, so the copy is the
/// database as it was at one instant, while the server goes on writing (WAL: a reader never blocks a writer).
/// PostgreSQL is backed up with its own tools (`pg_dump`), which the refusal says.
extension Operations {
    /// What a check of a database file found.
    public struct DatabaseFileSummary: Sendable {
        public let bytes: Int
        public let customers: Int
        public let migrations: Int
    }

    /// Copies the configured SQLite database into `file`, which must not exist, and checks the copy.
    public static func backup(_ config: HuifangConfig, to file: String) async throws -> String {
        guard case .sqliteFile(let path) = config.database else { throw OperationError(postgresBackup) }
        guard FileManager.default.fileExists(atPath: path) else { throw OperationError("\(path): no database there") }
        guard !FileManager.default.fileExists(atPath: file) else {
            throw OperationError("\(file) exists; a backup never overwrites a file")
        }
        // Made empty and readable by its owner only, before SQLite fills it: a backup holds every member's data.
        guard let empty = createOwnerOnly(file) else { throw OperationError("\(file): cannot create (\(errno))") }
        try empty.close()
        do {
            try await withConnection(path) { connection in
                _ = try await connection.query("PRAGMA busy_timeout = 30000")
                _ = try await connection.query("VACUUM INTO ?", [.text(file)])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw error
        }
        let summary = try await inspect(file)
        return "backed up \(path) to \(file): \(summary.bytes) bytes, \(summary.customers) customers, "
            + "integrity ok. The secret (HUIFANG_SECRET or \(path).secret) is not in it: keep it apart."
    }

    /// Puts the backup `file` in place of the configured SQLite database, which must be new or empty, then
    /// migrates it to this version.
    public static func restore(_ config: HuifangConfig, from file: String) async throws -> String {
        guard case .sqliteFile(let path) = config.database else { throw OperationError(postgresRestore) }
        guard FileManager.default.fileExists(atPath: file) else { throw OperationError("\(file): no such file") }
        let summary = try await inspect(file)
        if FileManager.default.fileExists(atPath: path) {
            let tables = try await withConnection(path) { connection in
                try await connection.query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'")
                    .first?.column("n")?.integer.map { Int($0) } ?? 0
            }
            guard tables == 0 else {
                throw OperationError("\(path) is not empty: a backup is restored only into a new, empty database")
            }
        }
        let files = FileManager.default
        for stale in [path, path + "-wal", path + "-shm"] where files.fileExists(atPath: stale) {
            try files.removeItem(atPath: stale)
        }
        // Copied beside the target and renamed: the database appears whole or not at all.
        let partial = path + ".restoring"
        if files.fileExists(atPath: partial) { try files.removeItem(atPath: partial) }
        try files.copyItem(atPath: file, toPath: partial)
        try files.moveItem(atPath: partial, toPath: path)
        do {
            try await withApplication(config) { _ in }
        } catch {
            // Nothing half-restored stays behind to block the next attempt.
            for left in [path, path + "-wal", path + "-shm"] where files.fileExists(atPath: left) {
                try? files.removeItem(atPath: left)
            }
            throw error
        }
        return "restored \(file) into \(path): \(summary.customers) customers, migrated to this version. "
            + "Survey links sent before verify only with the secret they were signed under "
            + "(HUIFANG_SECRET, or \(path).secret restored beside it)."
    }

    /// Checks that `file` is a whole Huifang database (`PRAGMA integrity_check`, its migrations table).
    static func inspect(_ file: String) async throws -> DatabaseFileSummary {
        let bytes = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        return try await withConnection(file) { connection in
            let integrity = try await connection.query("PRAGMA integrity_check").first?.column("integrity_check")
            guard integrity?.string == "ok" else {
                throw OperationError("\(file) is damaged: \(integrity?.string ?? "no answer to integrity_check")")
            }
            func count(_ table: String) async throws -> Int {
                let exists = try await connection.query(
                    "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(table)])
                guard exists.first?.column("n")?.integer == 1 else {
                    throw OperationError("\(file) is not a Huifang database (no table \(table))")
                }
                let rows = try await connection.query("SELECT COUNT(*) AS n FROM \(table)")
                return rows.first?.column("n")?.integer.map { Int($0) } ?? 0
            }
            return DatabaseFileSummary(
                bytes: bytes, customers: try await count("customers"), migrations: try await count("_fluent_migrations")
            )
        }
    }

    /// Creates `path` readable and writable by its owner only, and only if nothing is there (`O_EXCL`: no check
    /// and write apart that another file could slip between). Nil when it cannot.
    static func createOwnerOnly(_ path: String) -> FileHandle? {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        return descriptor >= 0 ? FileHandle(fileDescriptor: descriptor, closeOnDealloc: true) : nil
    }

    private static func withConnection<T: Sendable>(
        _ path: String, _ body: @Sendable (SQLiteConnection) async throws -> T
    ) async throws -> T {
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static let postgresBackup = """
        backup copies the embedded SQLite database; for PostgreSQL use its own tool, which also copies a \
        consistent snapshot while the server runs: pg_dump --format=custom --file=FILE "$HUIFANG_DATABASE_URL"
        """
    static let postgresRestore = """
        restore writes the embedded SQLite database; for PostgreSQL restore a pg_dump file into a new, empty \
        database with pg_restore --no-owner --dbname="$HUIFANG_DATABASE_URL" FILE, then run huifang migrate
        """
}
