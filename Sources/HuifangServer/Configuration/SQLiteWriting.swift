import FluentKit
import FluentSQL
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// How Huifang reads and writes an SQLite file: one writer connection, every write transaction immediate, statements
/// run on the calling thread (`InlineSQLiteConnection`).
///
/// SQLite lets one connection write at a time. A transaction that reads and then writes on a deferred `BEGIN` is
/// refused (`database is locked`) when another connection wrote in between. Here reads go to reader connections (they
/// never wait for a writer: WAL), and every write — a transaction, a Fluent create/update/delete, a raw statement that
/// is not a query — goes to one writer connection that the writers of this process take in turn
/// (`InlineSQLiteWriter`). A transaction there starts with `BEGIN IMMEDIATE`, taking the write lock before its first
/// read, so what it read cannot change under it. Other processes on the same file (the command line importing while
/// the server runs) wait for the lock up to `busy_timeout`.
struct SerialSQLiteConfiguration: DatabaseConfiguration {
    var middleware: [any AnyModelMiddleware] = []
    let path: String
    /// A database of this process only ("in memory"): its file is removed when the application shuts down.
    var temporary = false
    /// How long a writer waits in this process's queue before giving up.
    static let writerQueueTimeout: TimeAmount = .seconds(120)

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        SerialSQLiteDriver(path: path, temporary: temporary, clock: databases.eventLoopGroup.any())
    }
}

final class SerialSQLiteDriver: DatabaseDriver {
    let readers: InlineSQLitePool
    let writer: InlineSQLiteWriter

    let path: String
    let temporary: Bool

    init(path: String, temporary: Bool, clock: any EventLoop) {
        (self.path, self.temporary) = (path, temporary)
        readers = InlineSQLitePool(
            path: path, settings: SerialSQLiteDatabase.connectionSettings + ["PRAGMA query_only = ON"])
        writer = InlineSQLiteWriter(
            // The writer waits for another process's lock off the event loop (`runTakingLock`), not in SQLite.
            path: path, settings: SerialSQLiteDatabase.connectionSettings + ["PRAGMA busy_timeout = 0"],
            timeout: SerialSQLiteConfiguration.writerQueueTimeout, clock: clock)
    }

    func makeDatabase(with context: DatabaseContext) -> any Database {
        SerialSQLiteDatabase(readers: readers, writer: writer, context: context, held: nil)
    }

    func shutdown() {
        readers.close()
        writer.close()
        guard temporary else { return }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

struct SerialSQLiteDatabase: Database, SQLDatabase {
    let readers: InlineSQLitePool
    let writer: InlineSQLiteWriter
    let context: DatabaseContext
    /// The writer's connection, inside a transaction.
    let held: InlineSQLiteConnection?
    var inTransaction: Bool { held != nil }

    // Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void)
        -> EventLoopFuture<Void>
    {
        let statement = SQLQueryConverter(delegate: SQLiteSchemaDelegate()).convert(query)
        let reads: Bool
        switch query.action {
        case .read, .aggregate: reads = true
        case .create, .update, .delete, .custom: reads = false
        }
        return run(Self.returningID(query, statement), reads: reads) { onOutput(SQLRowOutput(row: $0, schema: nil)) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        guard let schema = SQLiteSchemaDelegate.supported(schema) else { return eventLoop.makeSucceededVoidFuture() }
        return run(SQLSchemaConverter(delegate: SQLiteSchemaDelegate()).convert(schema), reads: false) { _ in }
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { eventLoop.makeSucceededVoidFuture() }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>)
        -> EventLoopFuture<T>
    {
        closure(self)
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>)
        -> EventLoopFuture<T>
    {
        if inTransaction { return closure(self) }
        return eventLoop.makeFutureWithTask {
            try await writer.transaction { connection in
                try await closure(
                    SerialSQLiteDatabase(readers: readers, writer: writer, context: context, held: connection)
                ).get()
            }
        }
    }

    // SQLDatabase

    var logger: Logger { context.logger }
    var eventLoop: any EventLoop { context.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { StatementDialect() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        run(query, reads: nil, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = try encoded(query)
        let reads = Self.onlyReads(sql)
        let rows = try rowsNow(sql, binds, reads: reads)
        if let rows { rows.forEach(onRow) } else { try await rowsLater(sql, binds, reads: reads).forEach(onRow) }
    }

    /// Runs a statement where it belongs: inside a transaction on its connection, a read on a reader, a write on the
    /// writer once its turn comes. `reads` nil: decided by the statement's text.
    private func run(_ query: any SQLExpression, reads: Bool?, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        do {
            let (sql, binds) = try encoded(query)
            let reads = reads ?? Self.onlyReads(sql)
            guard let rows = try rowsNow(sql, binds, reads: reads) else {
                return eventLoop.makeFutureWithTask { try await rowsLater(sql, binds, reads: reads) }
                    .flatMap { deliver($0, onRow) }
            }
            return deliver(rows, onRow)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    /// The rows of a statement that can run at once: inside a transaction, or a read within its budget. Nil for a
    /// write that has to wait for the writer, or a long read.
    private func rowsNow(_ sql: String, _ binds: [SQLiteData], reads: Bool) throws -> [InlineSQLiteRow]? {
        if let held { return try held.run(sql, binds) }
        return reads ? try readers.read(sql, binds) : nil
    }

    private func rowsLater(_ sql: String, _ binds: [SQLiteData], reads: Bool) async throws -> [InlineSQLiteRow] {
        if reads { return try await readers.readOffLoop(sql, binds) }
        return try await writer.holding { try await $0.runTakingLock(sql, binds) }
    }

    /// A write that may share its commit with others (`InlineSQLiteWriter.runSharingCommit`); inside a
    /// transaction it is simply part of that one.
    func runSharingCommit(_ query: any SQLExpression) async throws {
        let (sql, binds) = try encoded(query)
        if let held {
            _ = try held.run(sql, binds)
        } else {
            try await writer.runSharingCommit(sql, binds)
        }
    }

    /// Fluent expects the rows on this database's event loop.
    private func deliver(_ rows: [InlineSQLiteRow], _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        guard eventLoop.inEventLoop else { return eventLoop.submit { rows.forEach(onRow) } }
        rows.forEach(onRow)
        return eventLoop.makeSucceededVoidFuture()
    }

    private func encoded(_ query: any SQLExpression) throws -> (String, [SQLiteData]) {
        let (sql, binds) = serialize(query)
        logger.debug("Executing query", metadata: ["sql": .string(sql)])
        return (sql, try binds.map { try Self.encoder.encode($0) })
    }

    private static let encoder = SQLiteDataEncoder()

    /// A create answers the ids it generated (what Fluent's SQLite driver adds).
    private static func returningID(_ query: DatabaseQuery, _ statement: any SQLExpression) -> any SQLExpression {
        guard case .create = query.action, query.customIDKey != .some(.string("")) else { return statement }
        return SQLList(
            [statement, SQLReturning(.init((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
    }

    /// A statement that starts with `SELECT` or `EXPLAIN` reads; anything else (`WITH` too: it may end in a write)
    /// goes to the writer. Reader connections are `query_only`, so a write sent to one fails instead of racing.
    static func onlyReads(_ statement: String) -> Bool {
        let head = statement.drop { $0.isWhitespace || $0 == "(" }.prefix(7).uppercased()
        return head.hasPrefix("SELECT") || head.hasPrefix("EXPLAIN")
    }
}

extension SerialSQLiteDatabase {
    /// Settings of every connection: what a power cut can lose, how long to wait for another process, caches.
    ///
    /// `synchronous = NORMAL` in WAL mode: a commit is written to the log but the log is synced only at
    /// checkpoints. A process that dies (a crash, `kill -9`) loses nothing it committed; a power cut or an
    /// operating-system crash can lose the last commits before it, never the database's consistency.
    static let connectionSettings = [
        "PRAGMA busy_timeout = 30000",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA cache_size = -65536",
        // No memory map: any commit makes every reader drop its map at its next read and fault its pages in again,
        // and the server commits several times a second (each list viewed is audited).
        "PRAGMA mmap_size = 0",
        // What a delete or an update frees is overwritten with zeros, so an erased customer's data does not
        // linger in free space of the file (`CustomerErasure`).
        "PRAGMA secure_delete = ON",
        "PRAGMA foreign_keys = ON",
    ]

    /// Puts the file in WAL mode, through the writer (each connection applies `connectionSettings` when it opens).
    static func configureConnections(of databases: Databases, id: DatabaseID, logger: Logger) async throws {
        guard
            let db = databases.database(id, logger: logger, on: databases.eventLoopGroup.any()) as? SerialSQLiteDatabase
        else { return }
        let mode = try await db.writer.holding { try await $0.runTakingLock("PRAGMA journal_mode = WAL", []) }.first
        let name = try mode?.decode(column: "journal_mode", as: String.self)
        guard name?.lowercased() == "wal" else { throw SQLiteJournalError(mode: name ?? "none") }
        if !InlineSQLiteConnection.statementJournalConfigured {  // something opened SQLite before the writer did
            logger.warning("SQLite keeps statement journals of 64 KiB in memory, not 124 KiB: it was started earlier")
        }
    }
}

/// Readers must not wait for the writer: that needs WAL, which some file systems (network shares) cannot do.
struct SQLiteJournalError: Error, CustomStringConvertible {
    let mode: String
    var description: String {
        "SQLite could not switch the database to WAL (journal mode is \(mode)); put the file on a local disk"
    }
}

extension Database {
    /// A transaction of a bulk write (an import, a planner's or a sweep's batch): on SQLite it commits alone
    /// (`InlineSQLiteWriter.commitsAlone`), so the short transactions before it never wait for its length.
    func bulkTransaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T
    {
        try await InlineSQLiteWriter.$commitsAlone.withValue(true) { try await transaction(closure) }
    }
}
