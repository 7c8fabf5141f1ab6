import CHuifangSQLite
import FluentKit
import FluentSQL
import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite

/// One SQLite connection that runs its statements on the calling thread and keeps them prepared.
///
/// SQLiteNIO runs every statement on a thread pool and hands each row back to the event loop as its own task; for
/// the short statements of a request those hand-offs and the parsing of each statement again cost more than SQLite's
/// own work. Here a statement runs where it is asked for, and the prepared form of each distinct SQL text is kept
/// (`statementCacheSize`). One caller at a time: the owner (`InlineSQLitePool`, the writer queue) sees to that.
final class InlineSQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    static let statementCacheSize = 256
    /// When the read now running on a reader started (uptime in nanoseconds); nil when none runs.
    private let readSince = NIOLockedValueBox<UInt64?>(nil)
    private let inUse = NIOLockedValueBox(false)

    /// How much of a statement journal SQLite keeps in memory before it moves it to a temporary file. A transaction
    /// that joins a shared commit (`InlineSQLiteWriter.transaction`) runs in a savepoint, whose journal holds the
    /// first state of every page it changes. Opening a ticket changes some twenty pages (the table, its indexes, its
    /// clock, its line): past SQLite's default of 64 KiB, each batch created a temporary file and wrote every page
    /// to it again. Journals up to about thirty pages stay in memory; one writer holds at most one at a time. (Not
    /// more: a journal that outgrows it is written to its file in one piece, and SQLite writes at most 128 KiB at once.)
    static let statementJournalInMemory: Int32 = 124 * 1024

    /// Whether SQLite took `statementJournalInMemory`, which it does only before the process opens its first
    /// connection (the first `InlineSQLiteConnection` sets it).
    static let statementJournalConfigured =
        huifang_sqlite_statement_journal_spill(statementJournalInMemory) == SQLITE_OK

    init(path: String, settings: [String]) throws {
        _ = Self.statementJournalConfigured
        let flags =
            SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let error = InlineSQLiteError(status: status, message: "cannot open the SQLite database at \(path)")
            sqlite_nio_sqlite3_close(handle)
            handle = nil  // `deinit` runs after a throwing initialiser too
            throw error
        }
        // Without the planner's stability guarantee, a statement whose plan might depend on a bound value (a partial
        // index, `LIKE ?`, `LIMIT ?`) is prepared again every time a new value is bound: for a cached statement that
        // is the whole parsing again on every run. With it, a plan depends on the SQL text alone.
        let planning = huifang_sqlite_enable_qpsg(UnsafeMutableRawPointer(handle))
        guard planning == SQLITE_OK else { throw error(planning) }
        for setting in settings { _ = try run(setting, [], cached: false) }
    }

    deinit {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close_v2(handle)
    }

    /// Runs a read that `InlineSQLitePool`'s watchdog may interrupt once it took longer than its budget.
    func read(_ sql: String, _ binds: [SQLiteData]) throws -> [InlineSQLiteRow] {
        readSince.withLockedValue { $0 = DispatchTime.now().uptimeNanoseconds }
        defer { readSince.withLockedValue { $0 = nil } }
        return try run(sql, binds)
    }

    /// Interrupts the read now running if it started before `limit` (never a write: see `read`).
    func interruptRead(startedBefore limit: UInt64) {
        readSince.withLockedValue { since in
            if let since, since < limit { sqlite_nio_sqlite3_interrupt(handle) }
        }
    }

    /// Runs a statement that takes the write lock (`BEGIN IMMEDIATE`, a write outside a transaction). While another
    /// process (the command line importing) holds the lock, the wait happens on a thread of `NIOThreadPool`, up to
    /// `lockWait`, not on the event loop: the statement is tried at once without waiting and, refused as busy (it did
    /// nothing), run again there.
    func runTakingLock(_ sql: String, _ binds: [SQLiteData]) async throws -> [InlineSQLiteRow] {
        // A checkpoint does not fail while a reader holds old pages: it answers busy = 1 at once. It waits instead.
        if sql.hasPrefix("PRAGMA wal_checkpoint") { return try await waitingForLock { try self.run(sql, binds) } }
        do {
            return try run(sql, binds)
        } catch let error as InlineSQLiteError where error.status & 0xff == SQLITE_BUSY {
            return try await waitingForLock { try self.run(sql, binds) }
        }
    }

    private func waitingForLock<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive {
            sqlite_nio_sqlite3_busy_timeout(self.handle, Self.lockWait)
            defer { sqlite_nio_sqlite3_busy_timeout(self.handle, 0) }
            return try body()
        }
    }

    /// Inside a transaction (a failed `ROLLBACK` leaves one open): the connection is then not used again.
    var isInTransaction: Bool { sqlite_nio_sqlite3_get_autocommit(handle) == 0 }

    /// How long a writer waits for another process's write lock, in milliseconds.
    static let lockWait: Int32 = 30_000

    /// Runs one statement with its values; the rows it returns, in order. A second caller at the same time (a
    /// transaction's statements started together) is refused rather than let to mix with the first.
    func run(_ sql: String, _ binds: [SQLiteData], cached: Bool = true) throws -> [InlineSQLiteRow] {
        let claimed = inUse.withLockedValue { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard claimed else {
            throw InlineSQLiteError(status: SQLITE_MISUSE, message: "one SQLite connection used by two callers at once")
        }
        defer { inUse.withLockedValue { $0 = false } }
        let statement = try prepared(sql, cached: cached)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
            if !cached { sqlite_nio_sqlite3_finalize(statement) }
        }
        try bind(binds, to: statement)
        var rows: [InlineSQLiteRow] = []
        var columns: InlineSQLiteColumns?
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else { throw error(status) }
            let names = columns ?? InlineSQLiteColumns(statement)
            columns = names
            rows.append(InlineSQLiteRow(columns: names, values: try values(of: statement, count: names.names.count)))
        }
    }

    /// How many times the cached statement of `sql` was prepared again since it was first prepared.
    func timesPreparedAgain(_ sql: String) -> Int32 {
        guard let statement = statements[sql] else { return 0 }
        return sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
    }

    private func prepared(_ sql: String, cached: Bool) throws -> OpaquePointer {
        if cached, let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(cached ? 1 : 0), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        guard cached else { return statement }
        if statements.count >= Self.statementCacheSize {
            for old in statements.values { sqlite_nio_sqlite3_finalize(old) }
            statements.removeAll(keepingCapacity: true)
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
            case .float(let number): status = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(
                    statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .blob(let bytes):
                status = bytes.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
    }

    private func values(of statement: OpaquePointer, count: Int) throws -> [SQLiteData] {
        try (0..<Int32(count)).map { column in
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { throw error(SQLITE_NOMEM) }
                // Its length as SQLite knows it (after `column_text`, as SQLite asks): no scan for the end.
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
            case SQLITE_BLOB:
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                var buffer = ByteBufferAllocator().buffer(capacity: length)
                if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
                }
                return .blob(buffer)
            default: return .null
            }
        }
    }

    private func error(_ status: Int32) -> InlineSQLiteError {
        InlineSQLiteError(status: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// The column names of a statement's rows, shared by its rows.
final class InlineSQLiteColumns: Sendable {
    let names: [String]
    let offsets: [String: Int]

    init(_ statement: OpaquePointer) {
        let count = sqlite_nio_sqlite3_column_count(statement)
        names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        offsets = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

struct InlineSQLiteRow: SQLRow {
    let columns: InlineSQLiteColumns
    let values: [SQLiteData]
    static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.offsets[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.offsets[column] else { return true }
        return values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.offsets[column] else {
            throw InlineSQLiteError(status: SQLITE_ERROR, message: "no column \(column) in \(columns.names)")
        }
        return try decode(at: offset, as: D.self)
    }

    /// The value of the column at `offset` (its place in the statement's result), for a caller that knows the
    /// columns' order (`names`) and so need not look each name up.
    func decode<D: Decodable>(at offset: Int, as type: D.Type) throws -> D {
        let value = values[offset]
        return try Self.direct(value) ?? Self.decoder.decode(D.self, from: value)
    }

    /// Like `decode(at:as:)`, nil when the value is NULL.
    func optional<D: Decodable>(at offset: Int, as type: D.Type) throws -> D? {
        values[offset] == .null ? nil : try decode(at: offset, as: D.self)
    }

    /// The common column types converted as SQLiteKit converts them, without its protocol casts and nested
    /// decoders (a call list of 50 rows decodes about 900 values; through those, a sixth of the request's time).
    private static func direct<D>(_ value: SQLiteData) -> D? {
        switch value {
        case .text(let text) where D.self == String.self: return text as? D
        case .text(let text) where D.self == UUID.self: return UUID(hyphenated: text) as? D
        case .integer(let number) where D.self == Int.self: return number as? D
        case .integer(let number) where D.self == Int64.self: return Int64(number) as? D
        case .integer(let number) where D.self == Double.self: return Double(number) as? D
        case .integer(let number) where D.self == Bool.self && (number == 0 || number == 1): return (number == 1) as? D
        case .float(let number) where D.self == Double.self: return number as? D
        case .float(let seconds) where D.self == Date.self: return date(seconds) as? D
        case .integer(let seconds) where D.self == Date.self: return date(Double(seconds)) as? D
        default: return nil
        }
    }

    /// An instant stored as seconds since 1970, rounded to the microsecond as SQLiteNIO reads it.
    private static func date(_ seconds: Double) -> Date {
        let sinceReference = seconds - Date.timeIntervalBetween1970AndReferenceDate
        return Date(timeIntervalSinceReferenceDate: (sinceReference * 1e6).rounded() / 1e6)
    }
}

/// What SQLite answered when a statement failed: its (extended) result code and message.
struct InlineSQLiteError: Error, CustomStringConvertible, DatabaseError {
    let status: Int32
    let message: String
    var description: String { message }
    private var primary: Int32 { status & 0xff }
    var isSyntaxError: Bool { primary == SQLITE_ERROR }
    var isConnectionClosed: Bool { primary == SQLITE_MISUSE || primary == SQLITE_CANTOPEN }
    var isConstraintFailure: Bool { primary == SQLITE_CONSTRAINT }
}

/// Reader connections: a reader takes an idle one (or opens another) for one statement and gives it back.
///
/// A read runs on the caller's thread (an event loop) for at most `budget`; a longer one (a report, an export) is
/// interrupted by the watchdog and run again on a thread of `NIOThreadPool`, so that it does not hold up the other
/// requests of its event loop.
final class InlineSQLitePool: @unchecked Sendable {  // the watchdog timer is only started and cancelled
    let path: String
    let settings: [String]
    static let budget: TimeAmount = .milliseconds(20)
    private let idle = NIOLockedValueBox<[InlineSQLiteConnection]>([])
    private let all = NIOLockedValueBox<[InlineSQLiteConnection]>([])
    private let watchdog: any DispatchSourceTimer

    init(path: String, settings: [String]) {
        (self.path, self.settings) = (path, settings)
        watchdog = DispatchSource.makeTimerSource(queue: .global())
        watchdog.schedule(deadline: .now(), repeating: .milliseconds(5))
        watchdog.setEventHandler { [all] in
            let limit = DispatchTime.now().uptimeNanoseconds - UInt64(Self.budget.nanoseconds)
            for connection in all.withLockedValue({ $0 }) { connection.interruptRead(startedBefore: limit) }
        }
        watchdog.resume()
    }

    /// The rows of a read: at once, or after running it again off the event loop when it took too long.
    func read(_ sql: String, _ binds: [SQLiteData]) throws -> [InlineSQLiteRow]? {
        do {
            return try withConnection { try $0.read(sql, binds) }
        } catch let error as InlineSQLiteError where error.status == SQLITE_INTERRUPT {
            return nil
        }
    }

    /// A read on a thread of the pool, without a budget.
    func readOffLoop(_ sql: String, _ binds: [SQLiteData]) async throws -> [InlineSQLiteRow] {
        try await NIOThreadPool.singleton.runIfActive { try self.withConnection { try $0.run(sql, binds) } }
    }

    private func withConnection<T>(_ body: (InlineSQLiteConnection) throws -> T) throws -> T {
        let connection = try idle.withLockedValue { $0.popLast() } ?? open()
        defer { idle.withLockedValue { $0.append(connection) } }
        return try body(connection)
    }

    private func open() throws -> InlineSQLiteConnection {
        let connection = try InlineSQLiteConnection(path: path, settings: settings)
        all.withLockedValue { $0.append(connection) }
        return connection
    }

    func close() {
        watchdog.cancel()
        idle.withLockedValue { $0.removeAll() }
        all.withLockedValue { $0.removeAll() }
    }
}

/// The one writer connection of the process; writers take it in the order they asked, or give up after `timeout`.
final class InlineSQLiteWriter: Sendable {
    private struct State {
        var connection: InlineSQLiteConnection?
        var busy = false
        var waiting: [(id: UInt64, turn: CheckedContinuation<Void, any Error>, timer: Scheduled<Void>?)] = []
        var nextID: UInt64 = 0
        /// The transactions sharing the commit to come (`transaction`).
        var batch: Batch?
    }
    /// Transactions run on one connection inside one SQLite transaction: those done wait for its commit.
    private struct Batch {
        let connection: InlineSQLiteConnection
        /// When its first transaction began (uptime in nanoseconds).
        let since: UInt64
        var members: [CheckedContinuation<Void, any Error>] = []
        /// The transactions that ran in it, failed ones included.
        var turns = 0
    }
    let path: String
    let settings: [String]
    let timeout: TimeAmount
    /// How long a batch of transactions takes others in after its first began (`transaction`).
    let batchWindow: TimeAmount
    /// Where the writers' waiting times are kept.
    let clock: any EventLoop
    private let state = NIOLockedValueBox(State())

    init(
        path: String, settings: [String], timeout: TimeAmount, batchWindow: TimeAmount = .milliseconds(10),
        clock: any EventLoop
    ) {
        (self.path, self.settings, self.timeout, self.batchWindow, self.clock) =
            (path, settings, timeout, batchWindow, clock)
    }

    /// Runs `body` with the writer connection, after the writers before, outside any transaction: the shared commit
    /// of transactions still open (`transaction`) is made first.
    func holding<T>(_ body: (InlineSQLiteConnection) async throws -> T) async throws -> T {
        try await takeTurn()
        settle()
        let connection: InlineSQLiteConnection
        do {
            connection = try turnConnection()
        } catch {
            passTurn()
            throw error
        }
        defer {
            // Left inside a transaction: closed (SQLite rolls it back), the next writer opens a new one.
            if connection.isInTransaction { forget(connection) }
            passTurn()
        }
        return try await body(connection)
    }

    /// The connection of the transactions still open, or else the writer connection (opened when there is none).
    private func turnConnection() throws -> InlineSQLiteConnection {
        try state.withLockedValue { state in
            if let batch = state.batch { return batch.connection }
            if let connection = state.connection { return connection }
            let connection = try InlineSQLiteConnection(path: path, settings: settings)
            state.connection = connection
            return connection
        }
    }

    private func forget(_ connection: InlineSQLiteConnection) {
        state.withLockedValue { if $0.connection === connection { $0.connection = nil } }
    }

    // Transactions sharing a commit

    /// The most transactions one commit takes; then the transaction ending commits, and the next starts anew.
    static let batchLimit = 50

    /// Set (`$commitsAlone.withValue(true)`) around a transaction that must not share its commit: a bulk write (an
    /// import, a planner's batch, an escalation sweep's batch). What is still open is committed before it starts, and
    /// it commits as soon as it ends, so short transactions never wait for its length.
    @TaskLocal static var commitsAlone = false

    /// Runs `body` as one transaction on the writer connection, after the writers before, and returns once its work
    /// is committed. The commit is shared with the transactions that queued meanwhile (group commit): when a writer
    /// waits as this one ends, the transaction stays open and the next continues it inside a savepoint; the last one
    /// (or the one that fills the batch, or ends its window) commits for all. A transaction that fails is rolled back
    /// alone (to its savepoint); a failed commit, or a failure SQLite answers by rolling back everything, fails every
    /// transaction of the batch.
    func transaction<T>(_ body: (InlineSQLiteConnection) async throws -> T) async throws -> T {
        try await takeTurn()
        let alone = Self.commitsAlone
        if alone { settle() }
        let connection: InlineSQLiteConnection
        let joins: Bool
        do {
            (connection, joins) = try await begin()
        } catch {
            settle()
            passTurn()
            throw error
        }
        let value: T
        do {
            value = try await body(connection)
            // A body that ignored an error SQLite answered by rolling back everything: `RELEASE` fails when it joined;
            // when it began, the next to join (`begin`) or the commit (`settle`) finds no transaction open.
            if joins { _ = try connection.run("RELEASE member", []) }
        } catch {
            undo(joins: joins, on: connection, because: error)
            endTurn(joining: nil, alone: alone)
            throw error
        }
        try await withCheckedThrowingContinuation { commit in endTurn(joining: commit, alone: alone) }
        return value
    }

    private static let rolledBack = InlineSQLiteError(status: SQLITE_ABORT, message: "the transaction was rolled back")

    /// Joins the open batch in a savepoint, or starts a transaction and a batch.
    private func begin() async throws -> (InlineSQLiteConnection, joins: Bool) {
        if let batch = state.withLockedValue({ $0.batch }) {
            if batch.connection.isInTransaction {
                _ = try batch.connection.run("SAVEPOINT member", [])
                return (batch.connection, true)
            }
            settle(failing: Self.rolledBack)
        }
        let connection = try turnConnection()
        _ = try await connection.runTakingLock("BEGIN IMMEDIATE", [])
        let since = DispatchTime.now().uptimeNanoseconds
        state.withLockedValue { $0.batch = Batch(connection: connection, since: since) }
        return (connection, false)
    }

    /// How many writers wait for their turn.
    var writersWaiting: Int { state.withLockedValue { $0.waiting.count } }

    /// Undoes a failed transaction: back to its savepoint when it joined others, whose work stays; the whole
    /// transaction when it was the first, or when the savepoint cannot be had back — then the others of its batch
    /// fail too, each told that its batch was rolled back.
    private func undo(joins: Bool, on connection: InlineSQLiteConnection, because error: any Error) {
        if joins, connection.isInTransaction,
            (try? connection.run("ROLLBACK TO member", [])) != nil, (try? connection.run("RELEASE member", [])) != nil
        {
            return
        }
        if connection.isInTransaction { _ = try? connection.run("ROLLBACK", []) }
        settle(
            failing: InlineSQLiteError(
                status: SQLITE_ABORT,
                message: "rolled back with another transaction of its batch, which failed: \(error)"))
        if connection.isInTransaction { forget(connection) }
    }

    /// Ends a turn in a transaction, done (`commit` resumes once it is committed) or undone (nil). While writers wait
    /// and the batch has room and time, the next one is handed the writer with the transaction open; else it commits.
    private func endTurn(joining commit: CheckedContinuation<Void, any Error>?, alone: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        var orphan = commit
        let next: CheckedContinuation<Void, any Error>? = state.withLockedValue { state in
            guard var batch = state.batch else { return nil }
            if let commit { batch.members.append(commit) }
            orphan = nil
            batch.turns += 1
            state.batch = batch
            let open = !alone && batch.turns < Self.batchLimit && now - batch.since < UInt64(batchWindow.nanoseconds)
            guard open, !state.waiting.isEmpty else { return nil }
            let next = state.waiting.removeFirst()
            next.timer?.cancel()
            return next.turn
        }
        orphan?.resume(throwing: Self.rolledBack)
        if let next {
            next.resume()
            return
        }
        settle()
        passTurn()
    }

    /// Commits the transactions still open and answers each: all committed, or all failed (with `error`, without
    /// trying to commit, when given).
    private func settle(failing error: (any Error)? = nil) {
        guard
            let batch = state.withLockedValue({ state in
                defer { state.batch = nil }
                return state.batch
            })
        else {
            return
        }
        let connection = batch.connection
        var result: Result<Void, any Error> = .success(())
        if let error {
            result = .failure(error)
        } else if !connection.isInTransaction {
            result = .failure(Self.rolledBack)
        } else {
            do {
                _ = try connection.run("COMMIT", [])
            } catch {
                _ = try? connection.run("ROLLBACK", [])
                result = .failure(error)
            }
        }
        if connection.isInTransaction { forget(connection) }
        for member in batch.members { member.resume(with: result) }
    }

    func close() { state.withLockedValue { $0.connection = nil } }

    // Statements sharing a commit

    private struct SharedStatement: Sendable {
        let sql: String
        let binds: [SQLiteData]
        let done: CheckedContinuation<Void, any Error>
    }
    private let shared = NIOLockedValueBox<(queued: [SharedStatement], writing: Bool)>(([], false))
    /// The most statements one shared transaction takes; the rest wait for the next.
    static let sharedLimit = 500

    /// Runs a statement that needs no transaction of its own (an audit entry), in one transaction with the others
    /// that queued while the writer was busy, and returns once that transaction committed. Under load one commit,
    /// one write to the log and one refresh of each reader's cache serve many requests instead of one each.
    /// A statement refused by a constraint fails alone; any other failure fails every statement of its transaction.
    func runSharingCommit(_ sql: String, _ binds: [SQLiteData]) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let start = shared.withLockedValue { shared in
                shared.queued.append(SharedStatement(sql: sql, binds: binds, done: done))
                defer { shared.writing = true }
                return !shared.writing
            }
            if start { Task { await self.writeShared() } }
        }
    }

    /// How many statements wait for a shared commit.
    var sharedQueued: Int { shared.withLockedValue { $0.queued.count } }

    /// Writes what is queued, a transaction at a time, until nothing is left. The batch is taken once the writer
    /// is this task's, so everything that queued during the wait goes in.
    private func writeShared() async {
        while true {
            let waiting = sharedQueued
            var batch: [SharedStatement]? = []
            do {
                try await holding { connection in
                    batch = takeShared(limit: Self.sharedLimit)
                    guard let batch else { return }
                    let results = try await Self.write(batch, on: connection)
                    for (statement, result) in zip(batch, results) { statement.done.resume(with: result) }
                }
            } catch {
                // The transaction failed; or the turn never came, and what waited that long fails with it.
                if batch?.isEmpty == true { batch = takeShared(limit: waiting) }
                for statement in batch ?? [] { statement.done.resume(throwing: error) }
            }
            if batch == nil { return }
        }
    }

    /// The next batch of at most `limit`; nil when nothing is queued, which ends the writing (under the lock that
    /// queues, so that no statement is left behind).
    private func takeShared(limit: Int) -> [SharedStatement]? {
        shared.withLockedValue { shared in
            guard !shared.queued.isEmpty else {
                shared.writing = false
                return nil
            }
            let batch = Array(shared.queued.prefix(limit))
            shared.queued.removeFirst(batch.count)
            return batch
        }
    }

    /// One transaction: a statement refused by a constraint fails alone (SQLite undoes only that statement); any
    /// other failure, or a failed commit, rolls back the whole and fails every statement in it.
    private static func write(_ batch: [SharedStatement], on connection: InlineSQLiteConnection) async throws
        -> [Result<Void, any Error>]
    {
        _ = try await connection.runTakingLock("BEGIN IMMEDIATE", [])
        var results: [Result<Void, any Error>] = []
        do {
            for statement in batch {
                do {
                    _ = try connection.run(statement.sql, statement.binds)
                    results.append(.success(()))
                } catch let error as InlineSQLiteError where error.isConstraintFailure && connection.isInTransaction {
                    results.append(.failure(error))
                }
            }
            _ = try connection.run("COMMIT", [])
        } catch {
            if connection.isInTransaction { _ = try? connection.run("ROLLBACK", []) }
            throw error
        }
        return results
    }

    private func takeTurn() async throws {
        let free = state.withLockedValue { state in
            guard state.busy else {
                state.busy = true
                return true
            }
            return false
        }
        guard !free else { return }
        // Looked at again under the lock that queues it: a turn passed in between is not lost.
        try await withCheckedThrowingContinuation { turn in
            let queued = state.withLockedValue { state in
                guard state.busy else {
                    state.busy = true
                    return false
                }
                state.nextID += 1
                let id = state.nextID
                let timer = clock.scheduleTask(in: timeout) { self.giveUp(id) }
                state.waiting.append((id, turn, timer))
                return true
            }
            if !queued { turn.resume() }
        }
    }

    private func giveUp(_ id: UInt64) {
        let turn: CheckedContinuation<Void, any Error>? = state.withLockedValue { state in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiting.remove(at: index).turn
        }
        turn?.resume(throwing: InlineSQLiteError(status: SQLITE_BUSY, message: "the writer queue timed out"))
    }

    private func passTurn() {
        let next: CheckedContinuation<Void, any Error>? = state.withLockedValue { state in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            let next = state.waiting.removeFirst()
            next.timer?.cancel()
            return next.turn
        }
        next?.resume()
    }
}

/// SQLite's column types for Fluent's schema, and the changes of a table SQLite can make (what Fluent's SQLite
/// driver does).
struct SQLiteSchemaDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? {
        switch dataType {
        case .string, .enum: SQLRaw("TEXT")
        case .datetime: SQLRaw("REAL")
        case .int64: SQLRaw("INTEGER")
        default: nil
        }
    }

    /// The schema change to run; nil when nothing is left to do (only enum changes, which SQLite does not know).
    static func supported(_ original: DatabaseSchema) -> DatabaseSchema? {
        var schema = original
        guard schema.action == .update else { return schema }
        schema.updateFields = schema.updateFields.filter {
            if case .dataType(_, .enum) = $0 { return false }
            return true
        }
        if schema.createFields.isEmpty, schema.deleteFields.isEmpty, schema.updateFields.isEmpty,
            schema.createConstraints.isEmpty, schema.deleteConstraints.isEmpty
        {
            return nil
        }
        return schema
    }
}

/// A row as Fluent reads it: a model's field, or a joined model's `schema_field`.
struct SQLRowOutput: DatabaseOutput {
    let row: any SQLRow
    let schema: String?

    var description: String { String(describing: row) }
    private func column(_ key: FieldKey) -> String {
        (schema.map { .prefix(.prefix(.string($0), "_"), key) } ?? key).description
    }
    func schema(_ schema: String) -> any DatabaseOutput { SQLRowOutput(row: row, schema: schema) }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: column(key)) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: column(key)) }
    func decode<T: Decodable>(_ key: FieldKey, as: T.Type) throws -> T {
        try row.decode(column: column(key), as: T.self)
    }
}
