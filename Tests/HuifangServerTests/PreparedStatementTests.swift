import FluentPostgresDriver
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// On PostgreSQL, statements Huifang runs again and again are prepared once per connection (`PreparingPostgresSQL`).
@Suite struct PreparedStatementTests {
    @Test func aQueryIsNamedTheSecondTimeItIsSeenAndKeepsItsName() {
        let names = PreparedNames(prefix: "huifang_")
        let sql = "SELECT id FROM users WHERE username = $1"
        #expect(names.name(for: sql, types: [.text]) == nil)
        let name = names.name(for: sql, types: [.text])
        #expect(name == "huifang_1")
        #expect(names.name(for: sql, types: [.text]) == name)
        // The same text with values of another type is another statement.
        #expect(names.name(for: sql, types: [.int8]) == nil)
        #expect(names.name(for: sql, types: [.int8]) == "huifang_2")
    }

    @Test func onlyQueriesAndChangesThatNameTheirColumnsArePrepared() {
        let names = PreparedNames(prefix: "huifang_")
        for sql in [
            "CREATE TABLE t (id INT)", "BEGIN", "SELECT * FROM job_heartbeats", "SELECT t.id, u.* FROM t JOIN u",
            "INSERT INTO t (id) VALUES ($1) RETURNING *",
        ] {
            _ = names.name(for: sql, types: [])
            #expect(names.name(for: sql, types: []) == nil, "\(sql)")
        }
        for sql in ["select count(*) FROM t", "WITH x AS (SELECT 1) SELECT * FROM x", "update t SET a = 1"] {
            _ = names.name(for: sql, types: [])
            let preparable = !sql.contains("SELECT *")
            #expect((names.name(for: sql, types: []) != nil) == preparable, "\(sql)")
        }
    }

    @Test func namesStopAtTheCapacityAndTheRestRunUnnamed() {
        let names = PreparedNames(prefix: "huifang_")
        for index in 0...PreparedNames.capacity {
            let sql = "SELECT \(index)"
            _ = names.name(for: sql, types: [])
            let name = names.name(for: sql, types: [])
            #expect(name == (index < PreparedNames.capacity ? "huifang_\(index + 1)" : nil))
        }
    }

    @Test func valuesAreBoundWithTheirTypesAndNothingAsATypedNull() throws {
        let binds: [any Encodable & Sendable] = [
            Optional<String>.none, "甲", 7, UUID(), Date(), true, Optional<UUID>.none,
        ]
        let bound = try #require(PreparedNames.bindings(binds))
        #expect(bound.types == [.text, .text, .int8, .uuid, .timestamptz, .bool, .uuid])
        // A value PostgresKit encodes through `Codable`, or a long list of values: left to PostgresKit.
        struct Point: Encodable, Sendable { let x, y: Int }
        #expect(PreparedNames.bindings([Point(x: 1, y: 2)]) == nil)
        #expect(PreparedNames.bindings(Array(repeating: 1, count: PreparedNames.maximumBinds + 1)) == nil)
    }

    /// Opening a ticket, the busiest write, binds values PostgreSQL takes as they are, few enough to be prepared:
    /// a field of a kind PostgresKit encodes through `Codable` (say, a new enum not passed through
    /// `OpenedTicketInsert.plain`) would have the statement planned again on every ticket.
    @Test func theStatementOpeningATicketCanBePrepared() throws {
        let bare = RowInsertTests.ticketWithClock()
        let full = RowInsertTests.ticketWithClock()
        (full.$customer.id, full.$handler.id, full.$department.id, full.openedByID) = (1, UUID(), UUID(), UUID())
        (full.informDue, full.resolvedAt, full.pausedLeft, full.customerSatisfied) = (Date(), Date(), 60, true)
        (full.planDue, full.taskID, full.callID) = ("2026-12-03", 2, 3)
        let line = RowInsertTests.line(0, nil)
        for ticket in [bare, full] {
            let values =
                ticket.insertedRow.map(OpenedTicketInsert.plain) + TicketClocks.columns(of: ticket).map(\.value)
                + line.lineColumns.map(\.value)
            let bound = try #require(PreparedNames.bindings(values))
            #expect(bound.types.count == values.count && values.count <= PreparedNames.maximumBinds)
            #expect(bound.types.prefix(3) == [.text, .text, .text])  // kind, category, severity: as text
        }
    }

    /// What a newer version's migration does under a running instance: add a column. The statements this
    /// instance keeps prepared name their columns, so its API keeps answering.
    @Test func statementsKeptPreparedSurviveAColumnAddedToTheirTable() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .agent).user)
            for _ in 0..<3 {
                #expect(try await send(app, .GET, "/api/v1/tasks/mine", token: token).status == .ok)
            }
            try await app.db.sql.raw("ALTER TABLE users ADD COLUMN added_later TEXT").run()
            try await app.db.sql.raw("ALTER TABLE api_tokens ADD COLUMN added_later TEXT").run()
            for _ in 0..<3 {
                #expect(try await send(app, .GET, "/api/v1/tasks/mine", token: token).status == .ok)
            }
        }
    }

    /// On PostgreSQL the statement really is prepared, under its name, and gives the same rows every time,
    /// with a value and with nothing bound (a typed NULL: the same statement). A list of names of its own: the
    /// process's list may be full by the time this test runs, after the whole suite's statements.
    @Test func aStatementRunAgainIsPreparedAndReadsTheSame() async throws {
        try await withHuifang { app in
            let (user, _) = try await makeUser(app, .agent)
            let query: @Sendable (String?) -> SQLQueryString = { name in
                """
                SELECT username FROM users
                WHERE id = \(bind: user.id) AND (\(bind: name) IS NULL OR username = \(bind: name))
                """
            }
            let prefix = "check\(UUID().uuidString.prefix(8))_"
            let (reads, prepared) = try await app.db.transaction { db in
                var sql = db.sql
                if let postgres = db as? any SQLDatabase & PostgresDatabase {
                    sql = PreparingPostgresSQL(base: postgres, names: PreparedNames(prefix: prefix))
                }
                var reads: [[String]] = []
                for name in [nil, "agent1", nil, "agent1", nil, "someone"] {
                    let rows = try await sql.raw(query(name)).all()
                    reads.append(try rows.map { try $0.decode(column: "username", as: String.self) })
                }
                guard db is any PostgresDatabase else { return (reads, [String]()) }
                let prepared = try await sql.raw(
                    "SELECT name FROM pg_prepared_statements WHERE statement LIKE 'SELECT username FROM users%'"
                ).all().map { try $0.decode(column: "name", as: String.self) }
                return (reads, prepared)
            }
            #expect(reads == [["agent1"], ["agent1"], ["agent1"], ["agent1"], ["agent1"], []])
            if app.db is any PostgresDatabase { #expect(prepared == ["\(prefix)1"]) }
        }
    }

    /// An agent's call list, the API's most frequent read, keeps one generic plan on PostgreSQL: it chooses no row by
    /// comparing with the instant of the call, so once the tables are analysed the plan that fits any call costs no
    /// more than one made for this call's values, and PostgreSQL stops planning it again after its first five runs.
    /// The tasks are the demo's kind, none with a callback yet: there the earlier form was planned on every call.
    @Test func theCallListIsPlannedOnceAndThenKeepsItsPlan() async throws {
        try await withHuifang { app in
            var agents: [User] = []
            for name in ["agent_a", "agent_b", "agent_c", "agent_d"] {
                agents.append(try await makeUser(app, .agent, username: name).user)
            }
            let agent = agents[0]
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李娜", tier: "普通"), by: .commandLine())
            let now = Date()
            for chunk in 0..<12 {
                let tasks = (0..<500).map { index in
                    let task = openTask(
                        customer: customer.id!, agent: agents[index % 4].id, due: "2026-03-02 10:00",
                        deadline: "2026-03-09 17:00")
                    task.priority = index % 3 + 1
                    task.status = chunk < 4 ? .open : .completed
                    return task
                }
                try await tasks.create(on: app.db)
            }
            let prefix = "calls\(UUID().uuidString.prefix(8))_"
            let (pages, plans) = try await app.db.transaction { db in
                try await db.sql.raw("ANALYZE").run()
                let queries = TaskQueries(
                    db: db, config: app.huifang, language: .zh, now: now, names: PreparedNames(prefix: prefix))
                let filter = TaskFilter(agentID: agent.id, callListOrder: true, limit: 50)
                var pages: [[Int]] = []
                for _ in 0..<12 { pages.append(try await queries.list(filter, viewer: agent).map(\.id)) }
                guard db is any PostgresDatabase else { return (pages, [Int]()) }
                let plans = try await db.sql.raw(
                    "SELECT custom_plans, generic_plans FROM pg_prepared_statements WHERE name LIKE \(bind: prefix + "%")"
                ).all().flatMap {
                    [
                        try $0.decode(column: "custom_plans", as: Int.self),
                        try $0.decode(column: "generic_plans", as: Int.self),
                    ]
                }
                return (pages, plans)
            }
            #expect(pages.count == 12 && Set(pages).count == 1 && pages[0].count == 50)
            if app.db is any PostgresDatabase { #expect(plans == [5, 6]) }
        }
    }

    /// The busiest routes read a task or a customer whole by one statement of their own (`findPrepared`): it names
    /// every column, so PostgreSQL keeps it prepared, reads what Fluent's `find` reads, and leaves the model known as
    /// stored, so that saving it changes the row rather than adding one.
    @Test func aRowReadWholeIsTheRowFluentReadsAndCanBeSaved() async throws {
        try await withHuifang { app in
            let (agent, _) = try await makeUser(app, .agent)
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李娜", mobile: try PhoneNumber(parsing: "13800138000"), tier: "普通"),
                by: .commandLine())
            let task = openTask(
                customer: customer.id!, agent: agent.id, due: "2026-03-02 10:00", deadline: "2026-03-09 17:00")
            (task.callbackAt, task.completedOn, task.attempts) = (Date(timeIntervalSince1970: 1_780_000_000), "x", 2)
            try await task.create(on: app.db)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for statement in [FollowUpTask.findStatement(task.id!), Customer.findStatement(customer.id!)] {
                #expect(PreparedNames.preparable(app.db.sql.serialize(statement).sql))
            }
            let fluent = try #require(try await FollowUpTask.find(task.id, on: app.db))
            let fluentCustomer = try #require(try await Customer.find(customer.id, on: app.db))
            for _ in 0..<3 {  // on PostgreSQL unnamed at first, then (names left) prepared
                let read = try #require(try await FollowUpTask.findPrepared(task.id!, on: app.db))
                #expect(try encoder.encode(read) == encoder.encode(fluent))
                let readCustomer = try #require(try await Customer.findPrepared(customer.id!, on: app.db))
                #expect(try encoder.encode(readCustomer) == encoder.encode(fluentCustomer))
            }
            let read = try #require(try await FollowUpTask.findPrepared(task.id!, on: app.db))
            #expect(try await FollowUpTask.findPrepared(task.id! + 1_000, on: app.db) == nil)

            read.attempts = 3
            try await read.save(on: app.db)
            #expect(try await FollowUpTask.query(on: app.db).count() == 1)
            #expect(try await FollowUpTask.find(task.id, on: app.db)?.attempts == 3)
        }
    }
}
