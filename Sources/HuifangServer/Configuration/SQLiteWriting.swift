import FluentKit
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// How Huifang writes to an SQLite file: one writer connection, every write transaction immediate.
///
/// SQLite lets one connection write at a time. Fluent's driver gives each event loop a connection that may both read
/// and write and opens its transactions with a deferred `BEGIN`: a transaction that reads and then writes is refused
/// (`database is locked`) when another connection wrote in between. Here reads go to the event loops' connections
/// (they never wait for a writer: WAL), and every write — a transaction, a Fluent create/update/delete, a raw
/// statement that is not a query — goes to one writer connection whose pool queues the writers of this process in
/// order. A transaction there starts with `BEGIN IMMEDIATE`, taking the write lock before its first read, so what it
/// read cannot change under it. Other processes on the same file (the command line importing while the server runs)
/// wait for the lock up to `busyTimeout`.
struct SerialSQLiteConfiguration: DatabaseConfiguration {
    var middleware: [any AnyModelMiddleware] = []
    let storage: SQLiteConfiguration
    /// How long a writer waits in this process's queue before giving up.
    static let writerQueueTimeout: TimeAmount = .seconds(120)

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        let readers = DatabaseConfigurationFactory.sqlite(storage, sqlLogLevel: .debug).make()
        let writer = DatabaseConfigurationFactory.sqlite(
            storage, connectionPoolTimeout: Self.writerQueueTimeout, sqlLogLevel: .debug
        ).make()
        return SerialSQLiteDriver(
            readers: readers.makeDriver(for: databases), writer: writer.makeDriver(for: databases),
            writerLoop: databases.eventLoopGroup.any()
        )
    }
}

struct SerialSQLiteDriver: DatabaseDriver {
    let readers: any DatabaseDriver
    let writer: any DatabaseDriver
    /// The writer's pool lives on this loop only, so the process has exactly one writer connection.
    let writerLoop: any EventLoop

    func makeDatabase(with context: DatabaseContext) -> any Database {
        let writerContext = DatabaseContext(
            configuration: context.configuration, logger: context.logger, eventLoop: writerLoop,
            history: context.history, pageSizeLimit: context.pageSizeLimit
        )
        return SerialSQLiteDatabase(
            reader: readers.makeDatabase(with: context), writer: writer.makeDatabase(with: writerContext),
            context: context, inTransaction: false
        )
    }

    func shutdown() {
        readers.shutdown()
        writer.shutdown()
    }

    func shutdownAsync() async {
        await readers.shutdownAsync()
        await writer.shutdownAsync()
    }
}

struct SerialSQLiteDatabase: Database, SQLDatabase {
    let reader: any Database
    let writer: any Database
    let context: DatabaseContext
    let inTransaction: Bool

    private var readSQL: any SQLDatabase { reader.sql }
    private var writeSQL: any SQLDatabase { writer.sql }

    // Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void)
        -> EventLoopFuture<Void>
    {
        switch query.action {
        case .read, .aggregate: return reader.execute(query: query, onOutput: onOutput)
        case .create, .update, .delete, .custom: break
        }
        if inTransaction { return writer.execute(query: query, onOutput: onOutput) }
        // The writer answers on its own event loop; Fluent expects the rows on this database's loop.
        let rows = NIOLockedValueBox<[any DatabaseOutput]>([])
        return writer.execute(query: query) { row in rows.withLockedValue { $0.append(row) } }
            .hop(to: eventLoop)
            .map { rows.withLockedValue { $0 }.forEach(onOutput) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { writer.execute(schema: schema) }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { writer.execute(enum: `enum`) }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>)
        -> EventLoopFuture<T>
    {
        closure(self)
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>)
        -> EventLoopFuture<T>
    {
        if inTransaction { return closure(self) }
        let loop = eventLoop
        return writer.withConnection { connection in
            // Inside, everything runs on the writer's connection and event loop.
            let db = SerialSQLiteDatabase(
                reader: connection, writer: connection, context: connection.context,
                inTransaction: true)
            return db.raw("BEGIN IMMEDIATE").run().flatMap {
                closure(db).flatMap { value in db.raw("COMMIT").run().map { value } }
                    .flatMapError { error in
                        db.raw("ROLLBACK").run().flatMapThrowing { throw error }
                            .flatMapErrorThrowing { _ in throw error }
                    }
            }
        }.hop(to: loop)
    }

    // SQLDatabase

    var logger: Logger { context.logger }
    var eventLoop: any EventLoop { context.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { readSQL.version }
    var dialect: any SQLDialect { readSQL.dialect }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        (Self.onlyReads(serialize(query).sql) ? readSQL : writeSQL).execute(sql: query, onRow)
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
        "PRAGMA mmap_size = 1073741824",
        // What a delete or an update frees is overwritten with zeros, so an erased customer's data does not
        // linger in free space of the file (`CustomerErasure`).
        "PRAGMA secure_delete = ON",
    ]

    /// Applies `connectionSettings` to the writer and to each event loop's reader connection (readers read only).
    static func configureConnections(of databases: Databases, id: DatabaseID, logger: Logger) async throws {
        let loops = Array(databases.eventLoopGroup.makeIterator())
        guard let first = loops.first,
            let any = databases.database(id, logger: logger, on: first) as? SerialSQLiteDatabase
        else { return }
        for setting in connectionSettings { _ = try await any.writeSQL.raw(SQLQueryString(setting)).all() }
        let mode = try await any.writeSQL.raw("PRAGMA journal_mode = WAL").first()?
            .decode(column: "journal_mode", as: String.self)
        guard mode?.lowercased() == "wal" else { throw SQLiteJournalError(mode: mode ?? "none") }
        for loop in loops {
            guard let db = databases.database(id, logger: logger, on: loop) as? SerialSQLiteDatabase else { continue }
            for setting in connectionSettings + ["PRAGMA query_only = ON"] {
                _ = try await db.readSQL.raw(SQLQueryString(setting)).all()
            }
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
