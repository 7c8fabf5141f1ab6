import CSQLiteTemporaryFiles
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import Testing
import VaporTesting

@testable import HuifangServer

/// SQLite statements run on the caller's thread; a long read moves off the event loop instead of holding it up.
@Suite struct InlineSQLiteTests {
    /// A read (it starts with SELECT) that takes SQLite about a second.
    static let longRead =
        "SELECT (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000) SELECT COUNT(*) FROM n) AS c"

    @Test func aLongReadLeavesItsEventLoopFreeAndStillAnswers() async throws {
        try await withHuifang { app in
            let loop = app.eventLoopGroup.any()
            guard let db = app.databases.database(logger: app.logger, on: loop) as? SerialSQLiteDatabase else {
                return  // PostgreSQL: statements go over the network, the event loop never waits for them
            }
            let order = NIOLockedValueBox<[String]>([])
            let count = NIOLockedValueBox<Int?>(nil)
            let read = loop.flatSubmit {
                db.execute(sql: SQLRaw(Self.longRead)) { row in
                    count.withLockedValue { $0 = try? row.decode(column: "c") }
                }
                .map { order.withLockedValue { $0.append("read") } }
            }
            let other = loop.submit { order.withLockedValue { $0.append("other work on the loop") } }
            try await other.get()
            try await read.get()
            #expect(order.withLockedValue { $0 } == ["other work on the loop", "read"])
            #expect(count.withLockedValue { $0 } == 2_000_000)
        }
    }

    /// A savepoint that changes more than SQLite's default 64 KiB of pages (a ticket opened in a shared commit changes
    /// about twenty) keeps what it must be able to undo in memory: no temporary file is opened for it. One that
    /// changes far more moves its journal to a file, and undoing either still works.
    @Test func aSavepointsJournalStaysInMemoryUpToItsLimitAndUndoesEitherWay() throws {
        #expect(try Self.undoneSavepoint(changingPages: 24) == .init(temporaryFilesOpened: 0, rowsUnchanged: 24))
        #expect(try Self.undoneSavepoint(changingPages: 600) == .init(temporaryFilesOpened: 1, rowsUnchanged: 600))
        #expect(InlineSQLiteConnection.statementJournalConfigured)
    }

    struct UndoneSavepoint: Equatable {
        let temporaryFilesOpened: Int
        let rowsUnchanged: Int
    }

    /// Rows of a page each, changed in a savepoint that is then rolled back: how many temporary files SQLite opened
    /// meanwhile (counted by a file layer only this connection uses), and how many rows hold what they held before.
    private static func undoneSavepoint(changingPages pages: Int) throws -> UndoneSavepoint {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-journal-\(UUID()).sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) }
        }
        _ = InlineSQLiteConnection.statementJournalConfigured  // before the layer is registered, which starts SQLite
        #expect(huifang_counting_vfs_register() == 0)  // SQLITE_OK
        let connection = try InlineSQLiteConnection(
            path: "file:\(file.path)?vfs=huifang-counting", settings: ["PRAGMA journal_mode = WAL"])
        let rows =
            "INSERT INTO pages (body) SELECT zeroblob(3000) FROM (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL "
            + "SELECT x + 1 FROM n WHERE x < \(pages)) SELECT x FROM n)"
        for sql in ["CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB)", rows, "BEGIN IMMEDIATE"] {
            _ = try connection.run(sql, [], cached: false)
        }
        let before = huifang_counting_vfs_temporary_files()
        for sql in ["SAVEPOINT member", "UPDATE pages SET body = randomblob(3000)", "ROLLBACK TO member"] {
            _ = try connection.run(sql, [], cached: false)
        }
        let opened = Int(huifang_counting_vfs_temporary_files() - before)
        for sql in ["RELEASE member", "COMMIT"] { _ = try connection.run(sql, [], cached: false) }
        let unchanged = try connection.run(
            "SELECT COUNT(*) AS n FROM pages WHERE body = zeroblob(3000)", [], cached: false)
        return UndoneSavepoint(
            temporaryFilesOpened: opened, rowsUnchanged: try unchanged.first?.decode(column: "n", as: Int.self) ?? 0)
    }

    /// A yes/no column is stored as 1 or 0 and read back as true or false; any other number is refused as SQLiteKit
    /// refuses it, not taken for true.
    @Test func aYesNoColumnReadsOneAndZeroAndRefusesOtherNumbers() throws {
        let connection = try InlineSQLiteConnection(path: ":memory:", settings: [])
        let rows = try connection.run("SELECT 1 AS yes, 0 AS no, 2 AS other, NULL AS unknown", [], cached: false)
        let row = try #require(rows.first)
        #expect(try row.decode(column: "yes", as: Bool.self) == true)
        #expect(try row.decode(column: "no", as: Bool.self) == false)
        #expect(throws: (any Error).self) { try row.decode(column: "other", as: Bool.self) }
        #expect(try row.optional("unknown", as: Bool.self) == nil)
    }

    /// Text is read back whole, by its length: Chinese, an empty text and a NUL inside one.
    @Test func textReadsBackWholeWhateverItHolds() throws {
        let connection = try InlineSQLiteConnection(path: ":memory:", settings: [])
        let text = "王芳\u{0}之后\u{1F}"
        let row = try #require(try connection.run("SELECT ? AS text, '' AS empty", [.text(text)], cached: false).first)
        #expect(try row.decode(column: "text", as: String.self) == text)
        #expect(try row.decode(at: 1, as: String.self) == "")
    }

    /// A kept statement is parsed once: binding other values to it (a pattern, a limit, a column with a partial index)
    /// does not make SQLite prepare it again, and each run still answers for its own values.
    @Test func aKeptStatementIsNotPreparedAgainForEachNewValue() throws {
        let connection = try InlineSQLiteConnection(path: ":memory:", settings: [])
        _ = try connection.run("CREATE TABLE scratch (id INTEGER PRIMARY KEY, name TEXT, code TEXT)", [], cached: false)
        _ = try connection.run("CREATE INDEX scratch_code ON scratch (code) WHERE code IS NOT NULL", [], cached: false)
        _ = try connection.run(
            "INSERT INTO scratch (name, code) VALUES ('王芳', 'a1'), ('王强', NULL), ('李娜', 'b2')", [], cached: false)
        let sql = "SELECT name FROM scratch WHERE name LIKE ?1 AND (code = ?2 OR ?2 IS NULL) ORDER BY id LIMIT ?3"
        let runs: [([SQLiteData], [String])] = [
            ([.text("王%"), .null, .integer(5)], ["王芳", "王强"]),
            ([.text("王%"), .text("a1"), .integer(5)], ["王芳"]),
            ([.text("%娜"), .null, .integer(1)], ["李娜"]),
            ([.text("%"), .null, .integer(0)], []),
        ]
        for (binds, names) in runs {
            let rows = try connection.run(sql, binds)
            #expect(try rows.map { try $0.decode(column: "name", as: String.self) } == names)
        }
        #expect(connection.timesPreparedAgain(sql) == 0)
    }

    @Test func aShortReadAnswersAtOnceOnItsLoop() async throws {
        try await withHuifang { app in
            let loop = app.eventLoopGroup.any()
            guard let db = app.databases.database(logger: app.logger, on: loop) as? SerialSQLiteDatabase else { return }
            let answered = NIOLockedValueBox(false)
            let read = loop.flatSubmit {
                let future = db.execute(sql: SQLRaw("SELECT 1 AS one")) { _ in answered.withLockedValue { $0 = true } }
                #expect(answered.withLockedValue { $0 }, "the row came before the statement returned")
                return future
            }
            try await read.get()
        }
    }

    @Test func theSameStatementWithOtherValuesAndAfterASchemaChangeReadsAfresh() async throws {
        try await withHuifang { app in
            let sql = app.db.sql
            guard sql is SerialSQLiteDatabase else { return }
            try await sql.raw("CREATE TABLE scratch (id INTEGER PRIMARY KEY, name TEXT)").run()
            try await sql.raw("INSERT INTO scratch (id, name) VALUES (1, '王芳'), (2, '李娜')").run()
            for (id, name) in [(1, "王芳"), (2, "李娜"), (1, "王芳")] {
                let row = try await sql.raw("SELECT * FROM scratch WHERE id = \(bind: id)").first()
                #expect(try row?.decode(column: "name", as: String.self) == name)
            }
            try await sql.raw("ALTER TABLE scratch ADD COLUMN tier TEXT NOT NULL DEFAULT '普通'").run()
            let row = try await sql.raw("SELECT * FROM scratch WHERE id = \(bind: 2)").first()
            #expect(try row?.decode(column: "tier", as: String.self) == "普通")
            #expect(row?.allColumns == ["id", "name", "tier"])
        }
    }
}

/// Statements that need no transaction of their own (audit entries) share one commit when they arrive together.
@Suite struct SharedCommitTests {
    /// A file with a table whose codes are unique, its log emptied; and a writer on it.
    static func scratch() throws -> (InlineSQLiteConnection, InlineSQLiteWriter, String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-shared-\(UUID()).sqlite").path
        let setup = try InlineSQLiteConnection(path: file, settings: [])
        _ = try setup.run("PRAGMA journal_mode = WAL", [], cached: false)
        _ = try setup.run("CREATE TABLE entries (id INTEGER PRIMARY KEY, code TEXT UNIQUE)", [], cached: false)
        _ = try setup.run("PRAGMA wal_checkpoint(TRUNCATE)", [], cached: false)
        let writer = InlineSQLiteWriter(
            path: file, settings: [], timeout: .seconds(60), batchWindow: .seconds(60),
            clock: MultiThreadedEventLoopGroup.singleton.any())
        return (setup, writer, file)
    }

    /// Appends `statements` while another writer holds the connection, so that all of them wait; then lets go.
    /// Answers which of them succeeded.
    private static func appendWhileBusy(_ writer: InlineSQLiteWriter, _ statements: [String]) async throws -> [Bool] {
        let appends = try await writer.holding { _ in
            let tasks = statements.map { sql in
                Task { () -> Bool in (try? await writer.runSharingCommit(sql, [])) != nil }
            }
            while writer.sharedQueued < statements.count { try await Task.sleep(for: .milliseconds(1)) }
            return tasks
        }
        var succeeded: [Bool] = []
        for task in appends { succeeded.append(await task.value) }
        return succeeded
    }

    @Test func statementsThatArriveTogetherCommitOnceAndAConstraintFailsOnlyItsOwn() async throws {
        let (setup, writer, _) = try Self.scratch()
        var statements = (0..<100).map { "INSERT INTO entries (code) VALUES ('c\($0)')" }
        statements.append("INSERT INTO entries (code) VALUES ('c7')")  // already taken: refused
        let succeeded = try await Self.appendWhileBusy(writer, statements)
        #expect(succeeded.filter { $0 }.count == 100)
        let count = try setup.run("SELECT COUNT(*) AS n FROM entries", [], cached: false)
        #expect(try count.first?.decode(column: "n", as: Int.self) == 100)
        // One transaction wrote a few pages to the log; a commit each would have written at least 100 frames.
        let log = try setup.run("PRAGMA wal_checkpoint(PASSIVE)", [], cached: false)
        #expect(try (1...10).contains(log.first?.decode(column: "log", as: Int.self) ?? 0))
        // Later statements start the next transaction.
        try await writer.runSharingCommit("INSERT INTO entries (code) VALUES ('later')", [])
        let later = try setup.run("SELECT COUNT(*) AS n FROM entries WHERE code = 'later'", [], cached: false)
        #expect(try later.first?.decode(column: "n", as: Int.self) == 1)
    }

    /// Beyond a constraint (which SQLite undoes alone), a failure rolls back the whole: one that SQLite undoes the
    /// transaction for, and any other error (here a table that does not exist).
    @Test(arguments: [
        "INSERT OR ROLLBACK INTO entries (code) VALUES ('first')", "INSERT INTO nowhere (code) VALUES ('x')",
    ])
    func anyOtherFailureFailsEveryStatementInTheTransaction(failing: String) async throws {
        let (setup, writer, _) = try Self.scratch()
        try await writer.runSharingCommit("INSERT INTO entries (code) VALUES ('first')", [])
        let statements = [
            "INSERT INTO entries (code) VALUES ('a')", failing, "INSERT INTO entries (code) VALUES ('b')",
        ]
        let succeeded = try await Self.appendWhileBusy(writer, statements)
        #expect(succeeded == [false, false, false])
        let rows = try setup.run("SELECT code FROM entries ORDER BY id", [], cached: false)
        #expect(try rows.map { try $0.decode(column: "code", as: String.self) } == ["first"])
        try await writer.runSharingCommit("INSERT INTO entries (code) VALUES ('after')", [])  // the writer goes on
        #expect(
            try setup.run("SELECT COUNT(*) AS n FROM entries", [], cached: false).first?.decode(
                column: "n", as: Int.self) == 2)
    }
}

/// Transactions that queue behind a busy writer share one commit (group commit), each still answered alone.
@Suite struct SharedTransactionCommitTests {
    private enum Refused: Error { case byTheCaller }

    /// Starts `bodies` as transactions, one after the other in the writer's queue, while another writer holds the
    /// connection; then lets go. Answers, for each, nil when it failed, else whether its row was found committed (by a
    /// connection of its own) as soon as it returned.
    private static func queueWhileBusy(
        _ writer: InlineSQLiteWriter, _ path: String, _ bodies: [@Sendable (InlineSQLiteConnection) throws -> String]
    ) async throws -> [Bool?] {
        let tasks = try await writer.holding { _ in
            var tasks: [Task<Bool?, Never>] = []
            for body in bodies {
                tasks.append(
                    Task {
                        guard let code = try? await writer.transaction({ try body($0) }) else { return nil }
                        let reader = try? InlineSQLiteConnection(path: path, settings: [])
                        let rows = try? reader?.run("SELECT id FROM entries WHERE code = ?", [.text(code)])
                        return rows?.count == 1
                    })
                while writer.writersWaiting < tasks.count { try await Task.sleep(for: .milliseconds(1)) }
            }
            return tasks
        }
        var succeeded: [Bool?] = []
        for task in tasks { succeeded.append(await task.value) }
        return succeeded
    }

    private static func inserting(_ code: String) -> @Sendable (InlineSQLiteConnection) throws -> String {
        { connection in
            _ = try connection.run("INSERT INTO entries (code) VALUES (?)", [.text(code)])
            return code
        }
    }

    private static func codes(_ setup: InlineSQLiteConnection) throws -> [String] {
        try setup.run("SELECT code FROM entries ORDER BY id", [], cached: false).map {
            try $0.decode(column: "code", as: String.self)
        }
    }

    @Test func transactionsThatQueueTogetherCommitOnceAndAFailureUndoesOnlyItsOwn() async throws {
        let (setup, writer, path) = try SharedCommitTests.scratch()
        let failing: Set = [0, 10, 20]
        var bodies = (0..<60).map { Self.inserting("t\($0)") }
        bodies[0] = { _ in throw Refused.byTheCaller }  // the first fails: the others still share a commit
        bodies[10] = { connection in  // writes, then fails: its row goes, the others' stay
            _ = try connection.run("INSERT INTO entries (code) VALUES ('undone')", [])
            throw Refused.byTheCaller
        }
        bodies[20] = Self.inserting("t3")  // already taken: refused by the unique index
        let succeeded = try await Self.queueWhileBusy(writer, path, bodies)
        #expect(succeeded == (0..<60).map { failing.contains($0) ? nil : true })
        #expect(try Self.codes(setup) == (0..<60).filter { !failing.contains($0) }.map { "t\($0)" })
        // Two commits (50 transactions fill a batch) wrote a few pages to the log; a commit each, at least 57 frames.
        let log = try setup.run("PRAGMA wal_checkpoint(PASSIVE)", [], cached: false)
        #expect(try (1...10).contains(log.first?.decode(column: "log", as: Int.self) ?? 0))
    }

    /// A batch takes no one in once its window has passed: with none, every transaction commits on its own.
    @Test func pastItsWindowABatchCommitsAndTheNextStartsAnew() async throws {
        let (setup, _, path) = try SharedCommitTests.scratch()
        let writer = InlineSQLiteWriter(
            path: path, settings: [], timeout: .seconds(60), batchWindow: .zero,
            clock: MultiThreadedEventLoopGroup.singleton.any())
        let succeeded = try await Self.queueWhileBusy(writer, path, (0..<20).map { Self.inserting("w\($0)") })
        #expect(succeeded == Array(repeating: true, count: 20))
        // Twenty commits of two pages each, against a few frames for one shared commit.
        let log = try setup.run("PRAGMA wal_checkpoint(PASSIVE)", [], cached: false)
        #expect(try (log.first?.decode(column: "log", as: Int.self) ?? 0) >= 40)
    }

    /// A failure SQLite answers by rolling back the whole transaction (here `OR ROLLBACK`) takes the earlier
    /// transactions of the batch with it: none of them may be answered as done, even when the transaction that met
    /// it ignored the error. The next starts anew.
    @Test(arguments: [false, true]) func aFailureThatRollsBackEverythingFailsTheWholeBatch(ignored: Bool) async throws {
        let (setup, writer, path) = try SharedCommitTests.scratch()
        let bodies: [@Sendable (InlineSQLiteConnection) throws -> String] = [
            Self.inserting("a"),
            { connection in
                let sql = "INSERT OR ROLLBACK INTO entries (code) VALUES ('a')"
                if ignored { _ = try? connection.run(sql, []) } else { _ = try connection.run(sql, []) }
                return "b"
            },
            Self.inserting("c"),
        ]
        #expect(try await Self.queueWhileBusy(writer, path, bodies) == [nil, nil, true])
        #expect(try Self.codes(setup) == ["c"])
    }

    /// A bulk transaction (`commitsAlone`) finds what queued before it committed, and commits on its own: short
    /// transactions never wait for its length.
    @Test func aBulkTransactionCommitsWhatCameBeforeAndThenItself() async throws {
        let (setup, writer, path) = try SharedCommitTests.scratch()
        let bulk: @Sendable (InlineSQLiteConnection) throws -> String = { connection in
            let reader = try InlineSQLiteConnection(path: path, settings: [])
            let before = try reader.run("SELECT code FROM entries WHERE code = 'before'", [])
            _ = try connection.run("INSERT INTO entries (code) VALUES (?)", [.text(before.isEmpty ? "unseen" : "bulk")])
            return "bulk"
        }
        let tasks = try await writer.holding { _ in
            let first = Task { try await writer.transaction { try Self.inserting("before")($0) } }
            while writer.writersWaiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
            let second = Task {
                try await InlineSQLiteWriter.$commitsAlone.withValue(true) { try await writer.transaction(bulk) }
            }
            while writer.writersWaiting < 2 { try await Task.sleep(for: .milliseconds(1)) }
            let third = Task { try await writer.transaction { try Self.inserting("after")($0) } }
            while writer.writersWaiting < 3 { try await Task.sleep(for: .milliseconds(1)) }
            return (first, second, third)
        }
        _ = try await (tasks.0.value, tasks.1.value, tasks.2.value)
        #expect(try Self.codes(setup) == ["before", "bulk", "after"])
        // Three commits: before, the bulk one, after (two pages each).
        let log = try setup.run("PRAGMA wal_checkpoint(PASSIVE)", [], cached: false)
        #expect(try (5...9).contains(log.first?.decode(column: "log", as: Int.self) ?? 0))
    }

    /// A writer that is not a transaction (an audit entry's shared commit, a single write) commits the transactions
    /// still open before its own work, and the transactions after it start a new batch.
    @Test func otherWritersCommitTheOpenTransactionsFirst() async throws {
        let (setup, writer, _) = try SharedCommitTests.scratch()
        let audit = try await writer.holding { _ in
            let first = Task { try await writer.transaction { try Self.inserting("first")($0) } }
            while writer.writersWaiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
            let audit = Task { try await writer.runSharingCommit("INSERT INTO entries (code) VALUES ('audit')", []) }
            while writer.sharedQueued < 1 || writer.writersWaiting < 2 { try await Task.sleep(for: .milliseconds(1)) }
            let last = Task { try await writer.transaction { try Self.inserting("last")($0) } }
            while writer.writersWaiting < 3 { try await Task.sleep(for: .milliseconds(1)) }
            return (first, audit, last)
        }
        #expect(try await audit.0.value == "first")
        try await audit.1.value
        #expect(try await audit.2.value == "last")
        #expect(try Self.codes(setup) == ["first", "audit", "last"])
    }
}

/// Another process holding SQLite's write lock (the command line importing) makes the server's writer wait for it
/// (on the thread pool: the writer's own busy timeout is zero, so the wait is not in SQLite on an event loop), and the
/// write goes through once the lock is free.
@Suite struct WriteLockWaitTests {
    @Test func aWriteWaitsForAnotherProcessesLockAndThenGoesThrough() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-lock-\(UUID()).sqlite").path
        try await withHuifang(["HUIFANG_DATABASE_URL": "sqlite:" + file]) { app in
            // The suite's PostgreSQL run uses its server for every app: PostgreSQL has no file lock to wait for.
            guard let db = app.db as? SerialSQLiteDatabase else { return }
            try await db.raw("CREATE TABLE scratch (id INTEGER PRIMARY KEY, name TEXT)").run()
            let other = try InlineSQLiteConnection(path: file, settings: [])  // as another process would
            _ = try other.run("BEGIN IMMEDIATE", [])
            _ = try other.run("INSERT INTO scratch (name) VALUES ('命令行导入')", [])
            async let write: Void = db.raw("INSERT INTO scratch (name) VALUES ('坐席保存')").run()
            async let transaction: Void = db.transaction { db in
                try await db.sql.raw("INSERT INTO scratch (name) VALUES ('坐席事务')").run()
            }
            try await Task.sleep(nanoseconds: 200_000_000)  // let both reach the lock (they must wait, not fail)
            _ = try other.run("COMMIT", [])
            try await write
            try await transaction
            let names = try await db.raw("SELECT name FROM scratch ORDER BY id").all().map {
                try $0.decode(column: "name", as: String.self)
            }
            #expect(names.first == "命令行导入")
            #expect(Set(names.dropFirst()) == ["坐席保存", "坐席事务"])
        }
    }
}
