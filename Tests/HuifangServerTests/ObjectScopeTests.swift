import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Access by object, tried as an insider would: an agent curious about other agents' customers and tasks,
/// a handler reading another department's complaints, an agent who would like a better scorecard.
@Suite struct ObjectScopeTests {
    /// Two departments, a handler in each, an agent who opened a ticket and holds a task, an agent who
    /// has nothing to do with either, a supervisor, an admin and an analyst.
    struct World {
        let desk: FollowUpTests.Desk
        let ticketID: Int
        let tokens: [String: String]
        let passwords: [String: String]
        let inScope: [String]
        let outOfScope: [String]
    }

    func world(_ app: Application) async throws -> World {
        let desk = try await FollowUpTests().desk(app)  // agent "wangfang" with task and customer 李娜
        var tokens = ["wangfang": desk.token]
        var passwords = ["wangfang": desk.password]
        let after = Department()
        let other = Department()
        after.name = "售后服务部"
        other.name = "物流配送部"
        try await after.create(on: app.db)
        try await other.create(on: app.db)
        let users: [(String, Role, UUID?)] = [
            ("zhuguan", .supervisor, nil), ("admin", .admin, nil), ("zhouxin", .analyst, nil),
            ("zhaolei", .handler, after.id), ("sunli", .handler, other.id), ("lisi", .agent, nil),
        ]
        for (name, role, department) in users {
            let (user, password) = try await makeUser(app, role, username: name, department: department)
            tokens[name] = try await makeToken(app, user)
            passwords[name] = password
        }
        let opened = try await send(
            app, .POST, "/api/v1/tickets", token: desk.token,
            body: TicketInput(
                kind: "complaint", customerID: desk.customer.id, description: "空调修完又漏水", department: "售后服务部"))
        #expect(opened.status == .created)
        struct Created: Decodable { let id: Int }
        return World(
            desk: desk, ticketID: try opened.content.decode(Created.self).id, tokens: tokens, passwords: passwords,
            inScope: ["zhuguan", "admin", "zhaolei", "wangfang"], outOfScope: ["sunli", "lisi"])
    }

    /// Every route that takes a ticket's or a task's id, API and pages, with a caller outside the object's
    /// scope (404, as if it did not exist) and inside it (never 404). Routes are read from the router, so a
    /// route added later is walked too.
    @Test func everyTicketAndTaskRouteAnswers404OutsideTheCallersScope() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            var pages: [String: PageClient] = [:]
            for (name, password) in world.passwords { pages[name] = try await PageClient.signedIn(app, name, password) }
            let routes = app.routes.all.filter { route in
                guard route.path.count >= 2 else { return false }
                let words = route.path.map(\.description)
                guard let index = words.firstIndex(where: { $0 == "tickets" || $0 == "tasks" }), index + 1 < words.count
                else { return false }
                return words[index + 1] == ":id"
            }
            #expect(routes.count >= 20, "ticket and task routes: \(routes.count)")
            let taskID = world.desk.task.id!
            func call(_ route: Route, as name: String) async throws -> HTTPResponseStatus {
                let isTask = route.path.contains { $0.description == "tasks" }
                let id = isTask ? taskID : world.ticketID
                let path =
                    "/"
                    + route.path.map { $0.description == ":id" ? String(id) : $0.description }.joined(separator: "/")
                if route.path.first?.description == "api" {
                    let headers = bearer(world.tokens[name]!)
                    return try await app.testing().performTest(
                        request: .init(
                            method: route.method, url: .init(path: path), headers: headers, body: ByteBuffer())
                    ).status
                }
                var client = pages[name]!
                defer { pages[name] = client }
                return route.method == .GET
                    ? try await client.get(path).status : try await client.post(path, form: [:]).status
            }
            for route in routes {
                let isTask = route.path.contains { $0.description == "tasks" }
                let name = "\(route.method.rawValue) /\(route.path.map(\.description).joined(separator: "/"))"
                // Outside the scope: another department's handler, an agent with nothing to do with it.
                for caller in isTask ? ["lisi"] : world.outOfScope {
                    #expect(try await call(route, as: caller) == .notFound, "\(caller) \(name) must be 404")
                }
            }
            for route in routes {
                let isTask = route.path.contains { $0.description == "tasks" }
                let name = "\(route.method.rawValue) /\(route.path.map(\.description).joined(separator: "/"))"
                for caller in isTask ? ["zhuguan", "admin", "wangfang"] : world.inScope {
                    let status = try await call(route, as: caller)
                    #expect(status != .notFound && status != .unauthorized, "\(caller) \(name) got \(status.code)")
                    if route.method == .GET { #expect(status == .ok, "\(caller) \(name) got \(status.code)") }
                }
                // Analysts read tickets and tasks in reports only.
                let analyst = try await call(route, as: "zhouxin")
                #expect(analyst == .forbidden || analyst == .notFound, "analyst \(name) got \(analyst.code)")
            }
        }
    }

    @Test func eachCallersQueueHoldsOnlyTheTicketsInTheirScope() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            for name in ["zhaolei", "wangfang", "sunli", "lisi"] {
                let rows = try await send(app, .GET, "/api/v1/tickets/queue", token: world.tokens[name]!)
                    .content.decode(ListPage<TicketRow>.self).items
                let sees = rows.contains { $0.id == world.ticketID }
                #expect(sees == world.inScope.contains(name), "\(name)'s queue")
            }
            // The customer's agent sees the ticket too, once the customer is assigned to them.
            let lisi = try #require(try await User.query(on: app.db).filter(\.$username == "lisi").first())
            world.desk.customer.$assignedAgent.id = lisi.id
            try await world.desk.customer.update(on: app.db)
            #expect(
                try await send(app, .GET, "/api/v1/tickets/\(world.ticketID)", token: world.tokens["lisi"]!).status
                    == .ok)
            let queue = try await send(app, .GET, "/api/v1/tickets/queue", token: world.tokens["lisi"]!).content.decode(
                ListPage<TicketRow>.self
            ).items
            #expect(queue.map(\.id) == [world.ticketID], "the list applies the same rule as the ticket")
        }
    }

    /// A ticket opened from a task is in the queue of whoever holds the task now: reassigning the task moves
    /// it, deleting the task takes it out (the database keeps the task's agent on the ticket, M025).
    @Test func aTicketFromATaskFollowsTheTasksAgent() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            let task = try await FollowUpTests.task(
                app, customer: world.desk.customer, agent: world.desk.agent,
                rule: world.desk.rule, key: "R2")
            let ticket = try await TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
                .open(TicketInput(kind: "service", description: "预约上门安装", department: "售后服务部"), taskID: task.id)
            let id = try #require(ticket.id)
            func sees(_ name: String) async throws -> (queue: Bool, ticket: Bool) {
                let token = world.tokens[name]!
                let rows = try await send(app, .GET, "/api/v1/tickets/queue", token: token)
                    .content.decode(ListPage<TicketRow>.self).items
                let one = try await send(app, .GET, "/api/v1/tickets/\(id)", token: token).status
                return (rows.contains { $0.id == id }, one == .ok)
            }
            #expect(try await sees("wangfang") == (true, true))
            #expect(try await sees("lisi") == (false, false))
            let moved = try await send(
                app, .POST, "/api/v1/tasks/reassign", token: world.tokens["zhuguan"]!,
                body: TaskAPIController.Reassign(taskIDs: [task.id!], agent: "lisi"))
            #expect(moved.status == .ok, "\(moved.body.string)")
            #expect(try await sees("lisi") == (true, true), "the list and the ticket agree")
            #expect(try await sees("wangfang") == (false, false))
            try await task.delete(on: app.db)
            #expect(try await sees("lisi") == (false, false))
        }
    }

    @Test func theMigrationCopiesTheAgentsOfExistingTicketsAndIsUndone() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            let task = try await FollowUpTests.task(
                app, customer: world.desk.customer, agent: world.desk.agent,
                rule: world.desk.rule, key: "R2")
            let ticket = try await TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
                .open(TicketInput(kind: "service", description: "预约上门安装"), taskID: task.id)
            try await M025TicketTaskAgents().revert(on: app.db)  // as before: no agents on tickets
            #expect(try await FollowUpTask.find(task.id, on: app.db) != nil)
            try await M025TicketTaskAgents().prepare(on: app.db)
            let rows = try await send(app, .GET, "/api/v1/tickets/queue", token: world.tokens["wangfang"]!)
                .content.decode(ListPage<TicketRow>.self).items
            #expect(rows.contains { $0.id == ticket.id }, "the existing ticket found its task's agent")
        }
    }

    /// Resolves the world's complaint through the handler, which creates the verification follow-up.
    func resolve(_ app: Application, _ world: World) async throws -> FollowUpTask {
        let path = "/api/v1/tickets/\(world.ticketID)/actions"
        for (action, handler) in [("assign", "zhaolei"), ("start", ""), ("resolve", "")] {
            let response = try await send(
                app, .POST, path, token: world.tokens["zhaolei"]!,
                body: ["action": action, "handler": handler])
            #expect(response.status == .ok, "\(action): \(response.body.string)")
        }
        let ticket = try #require(try await Ticket.find(world.ticketID, on: app.db))
        return try #require(try await FollowUpTask.find(ticket.verificationTaskID, on: app.db))
    }

    struct Verification: Encodable {
        let satisfied: Bool
        let words: String?
        let channel: String?
    }

    @Test func onlyTheVerificationAgentOrASupervisorRecordsSatisfactionAndItLeavesAContactRecord() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            let task = try await resolve(app, world)
            let lisi = try #require(try await User.query(on: app.db).filter(\.$username == "lisi").first())
            task.$assignedAgent.id = lisi.id
            try await task.update(on: app.db)
            let queue = try await send(app, .GET, "/api/v1/tickets/queue", token: world.tokens["lisi"]!).content.decode(
                ListPage<TicketRow>.self
            ).items
            #expect(queue.map(\.id) == [world.ticketID], "the verification task's agent has the ticket in their queue")
            let path = "/api/v1/tickets/\(world.ticketID)/verification"
            let body = Verification(satisfied: true, words: "满意", channel: "phone")
            // The agent who opened it and the handler who resolved it cannot mark their own work satisfied.
            for name in ["wangfang", "zhaolei"] {
                let refused = try await send(app, .POST, path, token: world.tokens[name]!, body: body)
                #expect(refused.status == .forbidden, "\(name) got \(refused.status.code)")
            }
            #expect(try await Ticket.find(world.ticketID, on: app.db)?.customerSatisfied == nil)
            #expect(try await FollowUpRecord.query(on: app.db).count() == 0)

            // The verification task's agent may (the ticket is on their task, so they see it).
            let done = try await send(
                app, .POST, path, token: world.tokens["lisi"]!,
                body: Verification(satisfied: true, words: "满意", channel: "wechat"))
            #expect(done.status == .ok, "\(done.body.string)")
            let ticket = try #require(try await Ticket.find(world.ticketID, on: app.db))
            #expect(ticket.status == .closed && ticket.customerSatisfied == true)
            let record = try #require(try await FollowUpRecord.query(on: app.db).filter(\.$taskID == task.id!).first())
            #expect(
                record.agentID == lisi.id && record.channel == "wechat" && record.outcome == "reached"
                    && record.completed)
            #expect(record.ticketID == world.ticketID && record.notes == "满意")
            #expect(try await FollowUpTask.find(task.id, on: app.db)?.status == .completed)
        }
    }

    @Test func aSupervisorMayVerifyAndAHandlerSeesNoVerificationFormOnThePage() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            _ = try await resolve(app, world)
            var handler = try await PageClient.signedIn(app, "zhaolei", world.passwords["zhaolei"]!)
            let page = try await handler.get("/tickets/\(world.ticketID)")
            #expect(page.status == .ok && !page.body.string.contains("verification-form"))
            var supervisor = try await PageClient.signedIn(app, "zhuguan", world.passwords["zhuguan"]!)
            #expect(try await supervisor.get("/tickets/\(world.ticketID)").body.string.contains("verification-form"))
            let posted = try await supervisor.post(
                "/tickets/\(world.ticketID)/verification",
                form: ["satisfied": "yes", "words": "满意", "channel": "phone"])
            #expect(posted.status == .seeOther)
            #expect(try await Ticket.find(world.ticketID, on: app.db)?.status == .closed)
            #expect(try await FollowUpRecord.query(on: app.db).count() == 1, "the contact is recorded")
        }
    }

    @Test func anAgentsSurveyLinkResponseContainsNoLink() async throws {
        try await withHuifang(["HUIFANG_PUBLIC_URL": "https://huifang.example.com"]) { app in
            let desk = try await FollowUpTests().desk(app)
            try await desk.customer.update(on: app.db)
            let response = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/survey-links", token: desk.token,
                body: ["channel": "sms"])
            #expect(response.status == .created, "\(response.body.string)")
            let body = response.body.string
            #expect(!body.contains("/s/") && !body.contains("\"url\""), "\(body)")
            let message = try #require(try await MailMessage.query(on: app.db).first())
            #expect(message.body.contains("/s/"), "the customer's message carries the link")
            // The SMS log (development mode) writes the message without the link's signature.
            let logged = SMSClient.redactingLinks(message.body)
            #expect(logged.contains("/s/") && logged.contains("…"))
            let token = try #require(message.body.firstMatch(of: /\/s\/([0-9A-Za-z_-]+)/)).1
            // The token is "id-expiry-signature"; the signature (base64url) may itself hold a "-".
            let signature = String(try #require(token.split(separator: "-", maxSplits: 2).last))
            #expect(signature.count == 22 && !logged.contains(signature), "the signature is not logged")
            // The workspace page shows that a link is out, never the link.
            var page = try await PageClient.signedIn(app, "wangfang", desk.password)
            #expect(!(try await page.get("/tasks/\(desk.task.id!)")).body.string.contains(token))
        }
    }

    @Test func aCompletedFollowUpNeedsTheSurveysAnswersOrAnExplicitDecline() async throws {
        try await withHuifang { app in
            let desk = try await FollowUpTests().desk(app)
            let path = "/api/v1/tasks/\(desk.task.id!)/records"
            let stray = try await send(app, .POST, path, token: desk.token, body: RecordInput(outcome: "reached"))
            #expect(
                stray.status == .unprocessableEntity && stray.body.string.contains("\"answers\""),
                "\(stray.body.string)")
            #expect(try await FollowUpRecord.query(on: app.db).count() == 0)
            var both = RecordInput(outcome: "reached", answers: ["q1": "satisfied", "q2": "5"])
            both.surveyDeclined = true
            #expect(try await send(app, .POST, path, token: desk.token, body: both).status == .unprocessableEntity)
            var declined = RecordInput(outcome: "reached")
            declined.surveyDeclined = true
            let saved = try await send(app, .POST, path, token: desk.token, body: declined)
            #expect(saved.status == .created, "\(saved.body.string)")
            let record = try #require(try await FollowUpRecord.query(on: app.db).first())
            #expect(record.surveyDeclined && record.completed)
            var page = try await PageClient.signedIn(app, "wangfang", desk.password)
            #expect(try await page.get("/tasks/\(desk.task.id!)").body.string.contains("客户拒绝回答问卷"))
            // The report counts it, by the task's agent.
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let today = app.huifang.today(now: Date()).iso
            let report = try await ReportTests().figures(app, supervisor, "from=\(today)&to=\(today)&groupBy=agent")
            #expect(report.overall.surveysDeclined == 1)
            #expect(report.groups.first { $0.key == "wangfang" }?.figures.surveysDeclined == 1)
        }
    }

    @Test func satisfactionByAgentBelongsToTheTasksAgentNotToWhoeverTypedTheAnswers() async throws {
        try await withHuifang { app in
            let fixture = try await ReportTests().load(app)
            // Record 201 is on agent1's task 101; agent2 types its answers in (3 answers, all top two).
            try await app.db.sql.raw(
                """
                UPDATE follow_up_records SET agent_id = \(bind: fixture.agent2.id) WHERE id = 201
                """
            ).run()
            let report = try await ReportTests().figures(
                app, fixture.token, "from=2026-10-01&to=2026-10-31&groupBy=agent")
            let groups = Dictionary(uniqueKeysWithValues: report.groups.map { ($0.key, $0.figures) })
            let text = { (agent: String) in
                groups[agent]?.rates["satisfaction"].map { "\($0.numerator)/\($0.denominator)" }
            }
            #expect(text("agent1") == "3/3", "record 201's answers stay with agent1, whose task it was")
            #expect(text("agent2") == "0/2")
        }
    }

    @Test func aCustomersTimelineShowsOnlyTheTasksAndRecordsInTheViewersScope() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            var input = RecordInput(outcome: "reached", notes: "客户说空调现在很安静")
            input.surveyDeclined = true
            let path = "/api/v1/tasks/\(world.desk.task.id!)/records"
            #expect(try await send(app, .POST, path, token: world.desk.token, body: input).status == .created)
            for (name, sees) in [
                ("wangfang", true), ("zhuguan", true), ("lisi", false), ("zhaolei", false), ("zhouxin", false),
            ] {
                var page = try await PageClient.signedIn(app, name, world.passwords[name]!)
                let html = try await page.get("/customers/\(world.desk.customer.id!)").body.string
                #expect(html.contains("客户说空调现在很安静") == sees, "\(name) sees the record: \(sees)")
            }
        }
    }

    @Test func anAgentWhoPutAnAddressOnFileCannotSendTheSurveyLinkToIt() async throws {
        try await withHuifang(["HUIFANG_SMTP_URL": "smtp://127.0.0.1:2525"]) { app in
            let desk = try await FollowUpTests().desk(app)
            let path = "/api/v1/tasks/\(desk.task.id!)"
            // The agent "corrects" the customer's email to their own, leaving the task open.
            let attempt = RecordInput(outcome: "noAnswer", corrections: ["email": "me@agent.example"])
            #expect(try await send(app, .POST, path + "/records", token: desk.token, body: attempt).status == .created)
            let refused = try await send(
                app, .POST, path + "/survey-links", token: desk.token, body: ["channel": "email"])
            #expect(
                refused.status == .unprocessableEntity && refused.body.string.contains("\"channel\""),
                "\(refused.body.string)")
            let links = try await SurveyLink.query(on: app.db).count()
            let messages = try await MailMessage.query(on: app.db).count()
            #expect(links == 0 && messages == 0, "nothing was queued")
            // The number nobody changed still takes the link, and a supervisor may send to the new address.
            #expect(
                try await send(app, .POST, path + "/survey-links", token: desk.token, body: ["channel": "sms"]).status
                    == .created)
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            #expect(
                try await send(app, .POST, path + "/survey-links", token: supervisor, body: ["channel": "email"]).status
                    == .created)
        }
    }

    @Test func theWorkspaceShowsAnAgentOnlyTheRecordsOfTheirOwnTasks() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            var input = RecordInput(outcome: "reached", notes: "客户说空调现在很安静")
            input.surveyDeclined = true
            #expect(
                try await send(
                    app, .POST, "/api/v1/tasks/\(world.desk.task.id!)/records", token: world.desk.token,
                    body: input
                ).status == .created)
            let lisi = try #require(try await User.query(on: app.db).filter(\.$username == "lisi").first())
            let theirs = try await FollowUpTests.task(
                app, customer: world.desk.customer, agent: lisi, rule: world.desk.rule, key: "R2")
            let seen = try await send(app, .GET, "/api/v1/tasks/\(theirs.id!)", token: world.tokens["lisi"]!)
            #expect(seen.status == .ok && !seen.body.string.contains("客户说空调现在很安静"))
            let supervisor = try await send(app, .GET, "/api/v1/tasks/\(theirs.id!)", token: world.tokens["zhuguan"]!)
            #expect(supervisor.body.string.contains("客户说空调现在很安静"))
        }
    }

    @Test func theTicketsHandlerCannotVerifyTheirOwnHandling() async throws {
        try await withHuifang { app in
            let world = try await world(app)
            let task = try await resolve(app, world)
            let handler = try #require(try await User.query(on: app.db).filter(\.$username == "zhaolei").first())
            task.$assignedAgent.id = handler.id  // even holding the verification task
            try await task.update(on: app.db)
            let refused = try await send(
                app, .POST, "/api/v1/tickets/\(world.ticketID)/verification", token: world.tokens["zhaolei"]!,
                body: Verification(satisfied: true, words: "满意", channel: nil))
            #expect(refused.status == .forbidden)
            #expect(try await Ticket.find(world.ticketID, on: app.db)?.customerSatisfied == nil)
        }
    }
}
