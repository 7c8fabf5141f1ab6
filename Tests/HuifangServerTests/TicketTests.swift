import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct TicketServerTests {
    struct View: Decodable {
        struct Entry: Decodable {
            let action: String
            let oldStatus: String?
            let newStatus: String?
            let note: String
        }
        let id: Int
        let status: String
        let reopenCount: Int
        let policy: String
        let firstResponseDue: String
        let resolutionDue: String
        let verificationTaskID: Int?
        let timeline: [Entry]
    }
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let status: Int
            let message: String
        }
        let error: Detail
    }

    func post(_ app: Application, _ path: String, _ token: String, _ body: some Encodable) async throws
        -> TestingHTTPResponse
    {
        try await send(app, .POST, path, token: token, body: body)
    }

    // Long: one complaint end to end: opened before a holiday, handled, informed, re-opened, verified.
    @Test func aComplaintIsHandledToItsDeadlinesReopenedUntilTheCustomerIsSatisfiedAndVerified() async throws {
        try await withHuifang { app in
            let agent = try await makeToken(app, makeUser(app, .agent).user)  // has nothing to do with the ticket
            let handlerUser = try await makeUser(app, .handler, username: "zhaolei").user
            let handler = try await makeToken(app, handlerUser)
            let customer = Customer()
            customer.name = "林小雨"
            customer.tier = "金卡"
            customer.consent = true
            customer.doNotDisturb = false
            try await customer.create(on: app.db)

            // Opened at 16:00 on 30 Sept 2024, before the National Day holiday.
            let opened = try await TicketService(
                db: app.db, config: app.huifang, actor: .commandLine(),
                now: ISO8601DateFormatter().date(from: "2024-09-30T08:00:00Z")!
            )
            .open(
                TicketInput(
                    kind: "complaint", category: "attitude", severity: "general", customerID: customer.id,
                    description: "安装师傅态度差", handler: "zhaolei"))
            #expect(opened.status == .assigned && opened.policy == "一般问题")
            #expect(
                app.huifang.formatDateTime(opened.firstResponseDue) == "2024-10-08 18:00", "1 working day after 30 Sept"
            )
            #expect(
                app.huifang.formatDateTime(opened.resolutionDue) == "2024-10-10 18:00", "3 working days after 30 Sept")
            // What the lists say of the first-response deadline before it, after the day's close, the next morning.
            for (moment, shown) in [
                ("2024-10-08T09:00:00Z", "剩 1 小时 0 分（工作时间）"),
                ("2024-10-08T11:00:00Z", "已超时（2024-10-08 18:00 截止）"),
                ("2024-10-09T02:00:00Z", "已超时 1 小时 0 分（工作时间）"),
            ] {
                let queries = TicketQueries(
                    db: app.db, config: app.huifang, language: .zh, now: ISO8601DateFormatter().date(from: moment)!)
                let row = try #require(try await queries.rows(for: [opened]).first)
                #expect(row.timeLeft == shown && row.overdue == !shown.hasPrefix("剩"), "\(moment)")
            }

            let path = "/api/v1/tickets/\(opened.id!)/actions"
            let early = try await post(app, path, handler, ["action": "close"])
            #expect(early.status == .conflict)
            #expect(try early.content.decode(ErrorBody.self).error.message.contains("告知客户处理结果后才能关闭"))
            for action in ["start", "resolve"] {
                #expect(try await post(app, path, handler, ["action": action]).status == .ok)
            }
            let resolved = try await post(app, path, handler, ["action": "inform"]).content.decode(View.self)
            #expect(
                resolved.status == "informed" && resolved.verificationTaskID != nil,
                "resolving creates the verification follow-up")
            let task = try #require(try await FollowUpTask.find(resolved.verificationTaskID, on: app.db))
            #expect(task.$customer.id == customer.id && task.priority == 1)

            #expect(
                try await post(app, path, agent, ["action": "reopen", "note": "x"]).status == .notFound,
                "not the agent's ticket")
            let noWords = try await post(app, path, handler, ["action": "reopen"])
            #expect(noWords.status == .unprocessableEntity)
            let reopened = try await post(app, path, handler, ["action": "reopen", "note": "客户说问题没有解决"]).content.decode(
                View.self)
            #expect(reopened.status == "inProgress" && reopened.reopenCount == 1)
            for action in ["resolve", "inform", "close"] {
                #expect(try await post(app, path, handler, ["action": action]).status == .ok)
            }
            let closed = try await send(app, .GET, "/api/v1/tickets/\(opened.id!)", token: handler).content.decode(
                View.self)
            #expect(closed.status == "closed")
            #expect(
                closed.timeline.map(\.action) == [
                    "open", "start", "resolve", "verification", "inform", "reopen", "resolve", "verification", "inform",
                    "close", "verificationCancelled",
                ])
            // Closed without its verification: nobody calls about a closed ticket, and the timeline says why.
            let verification = try #require(try await FollowUpTask.find(closed.verificationTaskID, on: app.db))
            #expect(verification.status == .cancelled)
            #expect(closed.timeline.last?.note == "工单未经回访核实即关闭，回访任务 #\(verification.id!) 已取消。原因：关闭时未说明")
            #expect(closed.timeline.first { $0.action == "reopen" }?.note == "客户说问题没有解决")
            #expect(try await FollowUpTask.query(on: app.db).count() == 2, "each resolution is verified")

            // The timeline is the archive: it cannot be changed.
            await #expect(throws: (any Error).self) {
                try await TicketEntry.query(on: app.db).set(\.$note, to: "改写").update()
            }
        }
    }

    /// Two handlers at once: one extends the resolution deadline while the other, holding the ticket as it was,
    /// starts work. Starting writes only what it changes, so the extension stays.
    @Test func startingWorkFromAStaleCopyDoesNotUndoAnExtension() async throws {
        try await withHuifang { app in
            _ = try await makeUser(app, .handler, username: "zhaolei")
            let service = TicketService(
                db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai("2026-03-02 10:00"))
            let opened = try await service.open(
                TicketInput(kind: "quality", description: "屏幕有坏点", handler: "zhaolei"))
            let stale = try #require(try await Ticket.find(opened.id, on: app.db))
            let fresh = try #require(try await Ticket.find(opened.id, on: app.db))
            _ = try await service.extend(
                fresh,
                ExtensionInput(deadline: "resolution", until: "2026-03-20 18:00", reason: "等待厂家配件", customerTold: true))
            _ = try await service.act(stale, .start)
            let stored = try #require(try await Ticket.find(opened.id, on: app.db))
            #expect(stored.status == .inProgress && stored.firstResponseAt != nil)
            #expect(app.huifang.formatDateTime(stored.resolutionDue) == "2026-03-20 18:00" && stored.extensions == 1)
        }
    }

    @Test func anUrgentComplaintGetsTheUrgentPolicyAndBadInputIsNamed() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let response = try await post(
                app, "/api/v1/tickets", token, TicketInput(kind: "complaint", urgent: true, description: "快递丢失"))
            #expect(response.status == .created)
            let view = try response.content.decode(View.self)
            #expect(view.policy == "紧急投诉" && view.status == "new")
            let bad = try await post(
                app, "/api/v1/tickets", token,
                TicketInput(kind: "rumour", severity: "huge", customerID: 999_999, description: " "))
            #expect(bad.status == .unprocessableEntity)
            for field in ["\"kind\"", "\"severity\"", "\"customerID\"", "\"description\""] {
                #expect(bad.body.string.contains(field), "\(field)")
            }
            let suggestion = try await post(
                app, "/api/v1/tickets", token,
                TicketInput(kind: "suggestion", description: "希望增加周末配送", handler: "supervisor1"))
            let id = try suggestion.content.decode(View.self).id
            #expect(
                try await post(app, "/api/v1/tickets/\(id)/actions", token, ["action": "resolve"]).status == .conflict)
            let adopted = try await post(
                app, "/api/v1/tickets/\(id)/actions", token, ["action": "adopt", "note": "下月起周六配送"])
            #expect(try adopted.content.decode(View.self).status == "adopted")
        }
    }

    /// A ticket is written with its clock and its first line or not at all: when the line cannot be written, no
    /// ticket and no clock are left behind — for a plain ticket (one statement on PostgreSQL, the three inserts in a
    /// transaction of their own on SQLite) and for an urgent complaint (everything in one transaction).
    @Test func aTicketWhoseFirstLineCannotBeWrittenLeavesNothingBehind() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let sql = app.db.sql
            let postgres = sql.dialect.name == "postgresql"
            if postgres {
                try await sql.raw(
                    """
                    CREATE FUNCTION refuse_line() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'refused by the test'; END $$
                    """
                ).run()
                try await sql.raw(
                    """
                    CREATE TRIGGER refuse_lines BEFORE INSERT ON ticket_entries
                    FOR EACH ROW EXECUTE FUNCTION refuse_line()
                    """
                ).run()
            } else {
                try await sql.raw(
                    """
                    CREATE TRIGGER refuse_lines BEFORE INSERT ON ticket_entries
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """
                ).run()
            }
            struct Count: Decodable { let n: Int }
            func rows() async throws -> [Int] {
                var counts: [Int] = []
                for table in ["tickets", "ticket_clocks", "ticket_entries", "notifications"] {
                    let query: SQLQueryString = "SELECT COUNT(*) AS n FROM \(ident: table)"
                    counts.append(try await sql.raw(query).first(decoding: Count.self)?.n ?? -1)
                }
                return counts
            }
            let before = try await rows()
            let plain = TicketInput(kind: "complaint", description: "门店等待时间过长")
            let urgent = TicketInput(kind: "complaint", urgent: true, description: "快递丢失")
            for input in [plain, urgent] {
                #expect(try await post(app, "/api/v1/tickets", token, input).status == .internalServerError)
                #expect(try await rows() == before)
            }
            try await sql.raw("DROP TRIGGER refuse_lines\(unsafeRaw: postgres ? " ON ticket_entries" : "")").run()
            for input in [plain, urgent] {
                #expect(try await post(app, "/api/v1/tickets", token, input).status == .created)
            }
            let after = try await rows()
            #expect(after[0] == before[0] + 2 && after[1] == before[1] + 2 && after[2] > before[2] + 2)
        }
    }

    /// Opening a ticket answers with the timeline and the escalation clock it wrote (not read back); reading the
    /// ticket afterwards shows the same, with the opener's current name.
    @Test func theAnswerToOpeningATicketShowsTheTimelineAsStored() async throws {
        try await withHuifang { app in
            let supervisor = try await makeUser(app, .supervisor).user
            let token = try await makeToken(app, supervisor)
            let opened = try await post(
                app, "/api/v1/tickets", token, TicketInput(kind: "complaint", urgent: true, description: "快递丢失"))
            #expect(opened.status == .created)
            let answer = try #require(
                try JSONSerialization.jsonObject(with: Data(opened.body.readableBytesView))
                    as? [String: Any])
            let id = try #require(answer["id"] as? Int)
            let read = try await send(app, .GET, "/api/v1/tickets/\(id)", token: token)
            let stored = try #require(
                try JSONSerialization.jsonObject(with: Data(read.body.readableBytesView))
                    as? [String: Any])
            let timeline = try #require(answer["timeline"] as? [[String: Any]])
            #expect(timeline.map { $0["action"] as? String } == ["open", "notify"], "an urgent complaint alerts")
            #expect(timeline.first?["actorName"] as? String == supervisor.displayName)
            let sorted = { (object: [String: Any]) in
                String(
                    decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
            }
            #expect(try sorted(answer) == sorted(stored), "the whole ticket, its escalation level too")
        }
    }
}
