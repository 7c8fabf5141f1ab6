import Fluent
import FluentPostgresDriver
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// An agent's call list asked for again may be answered from memory (`CallListPages`), yet every change
/// to what it shows is in the next answer, whoever wrote it — Fluent, the API, or plain SQL as the command line or
/// another process writes — and every answer is audited.
@Suite struct CallListPagesTests {
    struct Desk {
        let app: Application
        let desk: FollowUpTests.Desk
        let time: ManualTime
        let supervisor: String

        /// The first page of the agent's call list (or of the agent `token` names).
        func mine(_ token: String? = nil) async throws -> [TaskView] {
            try await send(app, .GET, "/api/v1/tasks/mine", token: token ?? desk.token).content.decode(
                ListPage<TaskView>.self
            ).items
        }

        func sql(_ query: SQLQueryString) async throws { try await app.db.sql.raw(query).run() }

        var key: CallListPages.Key { CallListPages.Key(agent: desk.agent.id!, role: .agent, language: .zh) }

        /// Whether a page of the agent's would answer now, under the versions of now.
        func kept() async throws -> Bool {
            let pages = app.callListPages
            let versions = try await pages.versions(of: key.agent, on: app.db)
            return pages.page(key, versions: versions, at: time.now) != nil
        }
    }

    func desk(_ app: Application) async throws -> Desk {
        let (clock, time) = HuifangClock.manual(shanghai("2026-03-02 09:00"))
        app.clock = clock
        let supervisor = try await makeToken(app, try await makeUser(app, .supervisor, username: "zhuguan").user)
        return Desk(app: app, desk: try await FollowUpTests().desk(app), time: time, supervisor: supervisor)
    }

    @Test func aPageReadIsKeptUntilWhatItShowsChangesOrACallbackFallsDue() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let task = desk.desk.task.id!
            #expect(try await desk.mine().map(\.id) == [task])
            #expect(try await desk.kept())  // kept by the read itself
            desk.time.advance(by: 240)
            try await desk.sql("UPDATE follow_up_tasks SET attempts = attempts + 1 WHERE id = \(bind: task)")
            #expect(try await desk.kept())  // no callback, and a column the list does not show
            desk.time.advance(by: 60)
            #expect(try await desk.kept() == false)  // five minutes at most

            let called = try await FollowUpTask.find(task, on: app.db)!
            called.callbackAt = shanghai("2026-03-02 09:08")  // read at 09:05, a page is kept until 09:08 now
            try await called.update(on: app.db)
            #expect(try await desk.kept() == false)
            #expect(try await desk.mine().map(\.id) == [task])
            desk.time.set(shanghai("2026-03-02 09:08").addingTimeInterval(-1))
            #expect(try await desk.kept())
            desk.time.set(shanghai("2026-03-02 09:08"))  // the callback falls due: read again
            #expect(try await desk.kept() == false)
        }
    }

    @Test func aKeptPageAnswersInPlaceOfReadingButNotForAnotherSizeOrTheNextPage() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let (task, token) = (desk.desk.task.id!, desk.desk.token)
            let other = openTask(
                customer: desk.desk.customer.id!, agent: desk.desk.agent.id, due: "2026-03-02 11:00",
                deadline: "2026-03-06 17:00")
            try await other.create(on: app.db)
            func page(_ query: String) async throws -> ListPage<TaskView> {
                try await send(app, .GET, "/api/v1/tasks/mine" + query, token: token).content.decode(
                    ListPage<TaskView>.self)
            }
            let cursor = try #require(try await page("?limit=1").nextCursor)
            #expect(try await desk.mine().map(\.id) == [task, other.id!])
            let pages = app.callListPages
            let versions = try await pages.versions(of: desk.key.agent, on: app.db)
            let marked = CallListPages.Body(json: ByteBuffer(string: #"{"items":[],"kept":true}"#), count: 0)
            try await pages.keep(marked, for: desk.key, versions: versions, at: desk.time.now, on: app.db)
            let answer = try await send(app, .GET, "/api/v1/tasks/mine", token: token).body.string
            #expect(answer.contains("kept"))
            #expect(try await page("?limit=10").items.map(\.id) == [task, other.id!])
            #expect(try await page("?after=\(cursor)").items.map(\.id) == [other.id!])
            let audited = try await AuditEntry.query(on: app.db).filter(\.$action == "task.list").count()
            #expect(audited == 5)
        }
    }

    /// Read, answered by the kept page, and read again after a change: one entry each, naming the rows shown. On
    /// PostgreSQL the kept page's entry is written by the statement that reads the numbers, and not when they moved.
    @Test func everyAnswerIsAuditedOnceWhetherKeptOrRead() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            func entries() async throws -> [String] {
                try await AuditEntry.query(on: app.db).filter(\.$action == "task.list").sort(\.$id).all()
                    .map { $0.detail ?? "" }
            }
            #expect(try await desk.mine().count == 1)
            #expect(try await desk.kept())
            #expect(try await desk.mine().count == 1)
            #expect(try await entries() == ["count=1", "count=1"])
            let other = openTask(
                customer: desk.desk.customer.id!, agent: desk.desk.agent.id, due: "2026-03-02 11:00",
                deadline: "2026-03-06 17:00")
            try await other.create(on: app.db)
            #expect(try await desk.mine().count == 2)
            #expect(try await entries() == ["count=1", "count=1", "count=2"])
        }
    }

    /// Kept pages asked for at once: each answer has its entry, with its actor and instant. On PostgreSQL they
    /// share the statement that checks their numbers and writes their entries (`KeptPageChecks`).
    @Test(.timeLimit(.minutes(1))) func keptPagesAskedForAtOnceAreEachAuditedOnce() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            #expect(try await desk.mine().count == 1)
            let statements = app.callListPages.checks.statements
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<32 { group.addTask { try await desk.mine().count } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts == Array(repeating: 1, count: 32))
            let entries = try await AuditEntry.query(on: app.db).filter(\.$action == "task.list").all()
            #expect(entries.count == 33)
            for entry in entries {
                #expect(entry.actorID == desk.desk.agent.id && entry.actorName == desk.desk.agent.username)
                #expect(entry.at == desk.time.now && entry.detail == "count=1" && entry.subjectType == "task")
            }
            if app.db is any PostgresDatabase {
                #expect(app.callListPages.checks.statements - statements < 32)
            }
        }
    }

    /// One statement checks several kept pages, of several agents, and writes the entries of those whose numbers
    /// still are their page's, in their order, and no other.
    @Test(.timeLimit(.minutes(1))) func oneStatementWritesTheEntriesOfThePagesWhoseNumbersStand() async throws {
        try await withHuifang { app in
            guard app.db is any PostgresDatabase else { return }  // SQLite compares its numbers in the process
            let desk = try await desk(app)
            let (pages, first) = (app.callListPages, desk.key.agent)
            let second = try await makeUser(app, .agent, username: "lina2").user.id!
            let (mine, hers) = (
                try await pages.versions(of: first, on: app.db), try await pages.versions(of: second, on: app.db)
            )
            let instant = desk.time.now.addingTimeInterval(0.123_456)
            func ask(_ agent: UUID, _ versions: [Int], _ n: Int) -> KeptPageChecks.Ask {
                let actor = Actor(id: agent, name: "agent\(n)", address: "10.0.0.\(n)", source: "api")
                let entry = AuditLog.Entry(
                    "task.list", by: actor, subjectType: "task", detail: "count=\(n)", at: instant)
                return KeptPageChecks.Ask(agent: agent, versions: versions, entry: entry)
            }
            let asks = [
                ask(first, mine, 1), ask(second, [hers[0], hers[1] + 1], 2), ask(first, [mine[0] - 1, mine[1]], 3),
                ask(second, hers, 4),
            ]
            #expect(try await KeptPageChecks.versions(asks, on: app.db) == [mine, hers, mine, hers])
            let entries = try await AuditEntry.query(on: app.db).filter(\.$action == "task.list").sort(\.$id).all()
            #expect(entries.map(\.detail) == ["count=1", "count=4"])
            #expect(entries.map(\.actorID) == [first, second])
            #expect(entries.map(\.address) == ["10.0.0.1", "10.0.0.4"])
            // The instant AuditLog.record writes, to the microsecond.
            let actor = Actor(id: first, name: "agent5", address: nil, source: "api")
            try await AuditLog.record(.taskList(count: 5, by: actor, at: instant), on: app.db)
            let written = try await AuditEntry.query(on: app.db).filter(\.$detail == "count=5").first()
            #expect(written.map { written in entries.allSatisfy { $0.at == written.at } } == true)
            #expect(entries.allSatisfy { abs($0.at.timeIntervalSince(instant)) < 0.000_001 })
        }
    }

    @Test func aCallListShowsEveryChangeToItsTasksAtOnce() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let task = desk.desk.task.id!
            #expect(try await desk.mine().map(\.id) == [task])
            let other = openTask(
                customer: desk.desk.customer.id!, agent: desk.desk.agent.id, due: "2026-03-02 08:00",
                deadline: "2026-03-06 17:00")
            other.priority = 1
            try await other.create(on: app.db)
            let second = other.id!
            #expect(try await desk.mine().map(\.id) == [second, task])
            try await desk.sql("UPDATE follow_up_tasks SET priority = 3 WHERE id = \(bind: second)")
            #expect(try await desk.mine().map(\.id) == [task, second])
            let reason = try await TaskReason.query(on: app.db).filter(\.$task.$id == task).first()!
            try await reason.delete(on: app.db)
            #expect(try await desk.mine().first?.reasons == [])
            let again = TaskReason()
            (again.$task.id, again.customerID, again.ruleID) = (task, desk.desk.customer.id!, desk.desk.rule.id!)
            (again.occurrenceKey, again.triggeredOn, again.dueOn, again.deadlineOn) =
                ("R2", "2026-02-28", "2026-03-02", "2026-03-06")
            try await again.create(on: app.db)
            #expect(try await desk.mine().first?.reasons == [desk.desk.rule.name])

            let called = try await FollowUpTask.find(task, on: app.db)!
            called.callbackAt = shanghai("2026-03-02 09:30")
            try await called.update(on: app.db)
            #expect(try await desk.mine().map(\.id) == [second, task])  // a callback later today comes last
            desk.time.advance(by: 31 * 60)
            #expect(try await desk.mine().map(\.id) == [task, second])  // due now: first

            let lina = try await makeToken(app, try await makeUser(app, .agent, username: "lina").user)
            #expect(try await desk.mine(lina).isEmpty)
            let moved = try await send(
                app, .POST, "/api/v1/tasks/reassign", token: desk.supervisor,
                body: TaskAPIController.Reassign(taskIDs: [task], agent: "lina"))
            #expect(moved.status == .ok)
            #expect(try await desk.mine().map(\.id) == [second])
            #expect(try await desk.mine(lina).map(\.id) == [task])
            try await desk.sql("DELETE FROM follow_up_tasks WHERE id = \(bind: second)")
            #expect(try await desk.mine().isEmpty)
        }
    }

    @Test func aCallListShowsEveryChangeToTheNamesItShowsAtOnce() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let customer = "/api/v1/customers/\(desk.desk.customer.id!)"
            #expect(try await desk.mine().map(\.customerName) == ["李娜"])
            let renamed = try await send(app, .PATCH, customer, token: desk.supervisor, body: ["name": "李娜娜"])
            #expect(renamed.status == .ok)
            #expect(try await desk.mine().map(\.customerName) == ["李娜娜"])
            let renumbered = try await send(
                app, .PATCH, customer, token: desk.supervisor, body: ["mobile": "13900139000"])
            #expect(renumbered.status == .ok)
            #expect(try await desk.mine().first?.dial == "+8613900139000")
            desk.desk.rule.name = "维修后七日回访"
            try await desk.desk.rule.update(on: app.db)
            #expect(try await desk.mine().first?.reasons == ["维修后七日回访"])
            try await desk.sql("UPDATE users SET display_name = '王芳芳' WHERE id = \(bind: desk.desk.agent.id!)")
            #expect(try await desk.mine().first?.agent == "王芳芳")
        }
    }

    /// Sixteen requests at once, just after a change, each get the changed page and each is audited, whether it read
    /// the page or was answered by the page another kept.
    @Test func requestsAtOnceAfterAChangeAllGetIt() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            #expect(try await desk.mine().map(\.customerName) == ["李娜"])
            try await desk.sql("UPDATE customers SET name = '李娜娜' WHERE id = \(bind: desk.desk.customer.id!)")
            let names = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<16 { group.addTask { try await desk.mine().map(\.customerName) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(names == Array(repeating: ["李娜娜"], count: 16))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "task.list").count() == 17)
        }
    }

    /// Writers of one agent's tasks at once all succeed and each moves her number on by exactly one, whoever
    /// commits first; on PostgreSQL, where each change appends a row, compaction keeps the rows few.
    @Test func writersAtOnceEachMoveTheNumberOnAndTheRowsStayFew() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            var tasks: [Int] = []
            for hour in 10..<18 {
                let task = openTask(
                    customer: desk.desk.customer.id!, agent: desk.desk.agent.id, due: "2026-03-02 \(hour):00",
                    deadline: "2026-03-06 17:00")
                try await task.create(on: app.db)
                tasks.append(task.id!)
            }
            let pages = app.callListPages
            let before = try await pages.versions(of: desk.key.agent, on: app.db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in tasks {
                    group.addTask {
                        for round in 0..<25 {  // 1, 3, 1, …: each changes what the list shows
                            let priority = round % 2 == 0 ? 1 : 3
                            try await desk.sql(
                                "UPDATE follow_up_tasks SET priority = \(bind: priority) WHERE id = \(bind: task)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let after = try await pages.versions(of: desk.key.agent, on: app.db)
            #expect(after == [before[0], before[1] + 200])
            let rows = try await app.db.sql.raw(
                app.db is any PostgresDatabase
                    ? "SELECT COUNT(*) AS n FROM call_list_changes WHERE agent = \(bind: desk.key.agent)"
                    : "SELECT COUNT(*) AS n FROM call_list_versions WHERE agent = \(bind: desk.key.agent)"
            ).first()!.decode(column: "n", as: Int.self)
            #expect(rows <= M043CallListChanges.compactAbove + tasks.count)
            #expect(try await desk.mine().count == tasks.count + 1)
        }
    }

    /// A reason added to a task moves on its agent's number when the same transaction wrote the task. On
    /// PostgreSQL, a reason added to a task written earlier moves everyone's (a reassignment committing meanwhile
    /// would not see it), and emptying a table with `TRUNCATE` too; SQLite has one writer, and her number moves.
    @Test func aReasonCountsForWhoeverItsTaskMayBelongTo() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let (pages, agent, task) = (app.callListPages, desk.key.agent, desk.desk.task.id!)
            let postgres = app.db is any PostgresDatabase
            @Sendable func reason(_ key: String, on db: any Database) async throws {
                let reason = TaskReason()
                (reason.$task.id, reason.customerID, reason.ruleID) = (task, desk.desk.customer.id!, desk.desk.rule.id!)
                (reason.occurrenceKey, reason.triggeredOn, reason.dueOn, reason.deadlineOn) =
                    (key, "2026-02-28", "2026-03-02", "2026-03-06")
                try await reason.create(on: db)
            }
            let start = try await pages.versions(of: agent, on: app.db)
            try await reason("R2", on: app.db)
            let alone = try await pages.versions(of: agent, on: app.db)
            #expect(alone == (postgres ? [start[0] + 1, start[1]] : [start[0], start[1] + 1]))
            try await app.db.transaction { db in
                try await db.sql.raw("UPDATE follow_up_tasks SET priority = 1 WHERE id = \(bind: task)").run()
                try await reason("R3", on: db)
            }
            let together = try await pages.versions(of: agent, on: app.db)
            #expect(together == [alone[0], alone[1] + 2])  // the task's update and the reason, both hers
            #expect(try await desk.mine().first?.reasons.count == 3)
            guard postgres else { return }
            try await desk.sql("TRUNCATE follow_up_task_reasons")
            #expect(try await pages.versions(of: agent, on: app.db) == [together[0] + 1, together[1]])
            #expect(try await desk.mine().first?.reasons == [])
        }
    }
}
