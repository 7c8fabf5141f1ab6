import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Local Shanghai time as an instant.
func shanghai(_ text: String) -> Date {
    LocalTime.parse(text, in: TimeZone(identifier: "Asia/Shanghai")!)!.instant
}

@Suite struct EscalationTests {
    /// The fields an API error names.
    struct Problems: Decodable {
        struct Detail: Decodable {
            struct Field: Decodable { let field: String }
            let fields: [Field]
        }
        let error: Detail
    }

    struct Setup {
        let head: User
        let supervisor: User
        let department: Department
    }

    /// A department whose head is a handler, and a supervisor; both with email.
    func organisation(_ app: Application) async throws -> Setup {
        let department = Department()
        department.name = "售后服务部"
        try await department.create(on: app.db)
        let head = try await makeUser(app, .handler, username: "zhaolei", department: department.id).user
        head.email = "zhaolei@example.com"
        try await head.update(on: app.db)
        department.headUserID = head.id
        try await department.update(on: app.db)
        let supervisor = try await makeUser(app, .supervisor, username: "zhuguan").user
        supervisor.email = "zhuguan@example.com"
        try await supervisor.update(on: app.db)
        return Setup(head: head, supervisor: supervisor, department: department)
    }

    func storedLevel(_ id: Int, _ app: Application) async throws -> Int {
        let ticket = try #require(try await Ticket.find(id, on: app.db))
        try await TicketClocks.load(into: [ticket], on: app.db)
        return ticket.escalationLevel
    }

    func service(_ app: Application, at text: String) -> TicketService {
        TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai(text))
    }

    func sweep(_ app: Application, at text: String, instance: String = "test") async throws -> EscalationSweep.Summary {
        var sweep = EscalationSweep(db: app.db, config: app.huifang)
        sweep.instance = instance
        return try await sweep.run(now: shanghai(text))
    }

    // Long: one breach's story along the clock: not yet due, level 1 once, level 2, the email delivered.
    @Test func aNewTicketReachesItsDepartmentAndAnAssignmentReachesTheHandler() async throws {
        try await withHuifang { app in
            // setup
            let org = try await organisation(app)
            let colleague = try await makeUser(app, .handler, username: "qianli", department: org.department.id).user
            let outsider = try await makeUser(app, .handler, username: "sunwei").user
            // MUT
            let ticket = try await service(app, at: "2026-03-02 10:00").open(
                TicketInput(kind: "quality", description: "客户说冰箱漏水", department: org.department.name))
            let opened = try await Notification.query(on: app.db).filter(\.$kind == "new").all()
            _ = try await service(app, at: "2026-03-02 10:05").act(ticket, .assign, handler: "qianli")
            // validation
            #expect(Set(opened.map(\.$user.id)) == [org.head.id!, colleague.id!], "the department's handlers only")
            #expect(!opened.contains { $0.$user.id == outsider.id })
            #expect(opened.allSatisfy { $0.ticketID == ticket.id && $0.text.contains("#\(ticket.id!)") })
            #expect(!opened.contains { $0.text.contains("漏水") }, "no customer's words in a notification")
            let assigned = try await Notification.query(on: app.db).filter(\.$kind == "assigned").all()
            #expect(assigned.map(\.$user.id) == [colleague.id!] && assigned.first?.text.contains("分配给您") == true)
        }
    }

    // Long: one breach's whole ladder — head, supervisors, the timeline, the mail through SMTP — step by step.
    @Test func aBreachEscalatesToTheHeadThenTheSupervisorsOnceEachAndTheEmailIsDelivered() async throws {
        let sink = try await SMTPSink.start()
        defer { Task { await sink.stop() } }
        try await withHuifang([
            "HUIFANG_SMTP_URL": "smtp://127.0.0.1:\(sink.port)", "HUIFANG_MAIL_FROM": "huifang@example.com",
        ]) { app in
            let org = try await organisation(app)
            // Monday 2 March 2026, 10:00: the general policy answers within 1 working day (Tuesday 18:00).
            let ticket = try await service(app, at: "2026-03-02 10:00")
                .open(
                    TicketInput(
                        kind: "service", category: "delay", description: "快递晚到",
                        department: org.department.id!.uuidString))
            #expect(app.huifang.formatDateTime(ticket.firstResponseDue) == "2026-03-03 18:00")

            #expect(try await sweep(app, at: "2026-03-03 17:59").escalations == 0, "not yet due")
            let first = try await sweep(app, at: "2026-03-03 18:05")
            #expect(first.escalations == 1 && first.notifications == 1)
            #expect(try await sweep(app, at: "2026-03-03 18:30").escalations == 0, "the same breach escalates once")
            let headNotes = try await Notification.query(on: app.db).filter(\.$user.$id == org.head.id!)
                .filter(\.$kind == "escalation").all()
            #expect(
                headNotes.count == 1 && headNotes[0].text.contains("#\(ticket.id!)")
                    && headNotes[0].text.contains("首次响应"))

            // Level 2, four working hours after the breach at Tuesday's close: Wednesday 09:00–12:00, then 13:30–14:30.
            #expect(try await sweep(app, at: "2026-03-04 14:29").escalations == 0)
            let second = try await sweep(app, at: "2026-03-04 14:31")
            #expect(second.escalations == 1)
            #expect(try await Notification.query(on: app.db).filter(\.$user.$id == org.supervisor.id!).count() == 1)
            #expect(try await sweep(app, at: "2026-03-20 10:00").escalations == 0, "the ladder has two levels")

            let stored = try #require(try await Ticket.find(ticket.id, on: app.db))
            try await TicketClocks.load(into: [stored], on: app.db)
            #expect(stored.escalationLevel == 2)
            #expect(try await TicketClocks.next(of: ticket.id!, on: app.db) == nil)
            let entries = try await TicketEntry.query(on: app.db).filter(\.$ticket.$id == ticket.id!).filter(
                \.$action == "escalate"
            ).all()
            #expect(entries.count == 2)
            #expect(
                entries[0].note.contains(org.head.displayName) && entries[1].note.contains(org.supervisor.displayName))

            // The mail goes out through SMTP (besides the head's "new ticket" mail from the opening).
            let delivery = try await Outbox(db: app.db, config: app.huifang).deliver(now: Date())
            #expect(delivery.sent == 3 && delivery.failed == 0)
            let mails = sink.messages.filter { $0.subject.contains("超时升级") }
            #expect(Set(mails.flatMap(\.to)) == ["zhaolei@example.com", "zhuguan@example.com"])
            #expect(mails.allSatisfy { $0.from == "huifang@example.com" })
            let headMail = try #require(mails.first { $0.to == ["zhaolei@example.com"] })
            #expect(
                sink.messages.contains { $0.subject.hasPrefix("【新工单】#\(ticket.id!)") }, "the department heard of it")
            #expect(headMail.subject.contains("#\(ticket.id!)") && headMail.subject.contains("第 1 级"))
            #expect(headMail.body.contains("/tickets/\(ticket.id!)"))
            #expect(
                try await Outbox(db: app.db, config: app.huifang).deliver(now: Date()).sent == 0,
                "sent mail is not sent again")

            // Answering moves the clock to the resolution deadline: its breach is a new one.
            _ = try await service(app, at: "2026-03-05 09:00").act(stored, .assign, handler: "zhaolei")
            let started = try await service(app, at: "2026-03-05 09:10").act(
                try #require(try await Ticket.find(ticket.id, on: app.db)), .start)
            #expect(started.escalationLevel == 0)
            #expect(try await TicketClocks.next(of: ticket.id!, on: app.db) != nil)
            #expect(app.huifang.formatDateTime(started.resolutionDue) == "2026-03-05 18:00")
            #expect(try await sweep(app, at: "2026-03-05 18:01").escalations == 1)
        }
    }

    @Test func severalInstancesSweepingAtOnceEscalateEachBreachOnce() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let opener = service(app, at: "2026-03-02 10:00")
            for index in 0..<60 {
                _ = try await opener.open(
                    TicketInput(kind: "quality", description: "问题\(index)", department: org.department.id!.uuidString))
            }
            var a = EscalationSweep(db: app.db, config: app.huifang)
            a.instance = "a"
            a.batchSize = 7
            var b = a
            b.instance = "b"
            var c = a
            c.instance = "c"
            let now = shanghai("2026-03-03 18:05")
            async let first = a.run(now: now)
            async let second = b.run(now: now)
            async let third = c.run(now: now)
            let summaries = try await [first, second, third]
            #expect(summaries.map(\.escalations).reduce(0, +) == 60)
            #expect(try await TicketEscalation.query(on: app.db).count() == 60)
            // Each breach reaches the head once (several at once come as one digest).
            let texts = try await Notification.query(on: app.db).all().map(\.text).joined(separator: "\n")
            let mentioned = texts.matches(of: #/工单 #(\d+) /#).map { Int($0.1)! }
            #expect(mentioned.count == 60 && Set(mentioned).count == 60, "each breach notified once")
            #expect(try await TicketEntry.query(on: app.db).filter(\.$action == "escalate").count() == 60)
        }
    }

    /// A handler acting on a ticket read before the sweep escalated it keeps the level the sweep reached, and the
    /// ticket's next moment is the next level's, not the one already passed.
    @Test func aLevelTheSweepReachedWhileAHandlerHeldTheTicketStays() async throws {
        try await withHuifang { app in
            _ = try await organisation(app)
            let held = try await service(app, at: "2026-03-02 10:00")
                .open(TicketInput(kind: "quality", description: "处理人手上的工单"))
            #expect(try await sweep(app, at: "2026-03-03 18:05").escalations == 1)
            #expect(held.escalationLevel == 0, "the handler's copy was read before")
            _ = try await service(app, at: "2026-03-03 18:10").act(held, .assign, handler: "zhaolei")
            #expect(try await storedLevel(held.id!, app) == 1)
            #expect(try await sweep(app, at: "2026-03-03 18:15").escalations == 0, "level 2 is not due yet")
            let next = try #require(try await TicketClocks.next(of: held.id!, on: app.db))
            #expect(next > shanghai("2026-03-03 18:15").timeIntervalSince1970, "the next moment is level 2's")
        }
    }

    /// A new ladder points every running clock at "now"; a sweep that read a ticket's clock just before leaves
    /// it for the next sweep, which escalates it once.
    @Test func aClockMovedAloneWhileTheSweepRunsIsEscalatedByTheNextSweep() async throws {
        try await withHuifang { app in
            _ = try await organisation(app)
            let ticket = try await service(app, at: "2026-03-02 10:00")
                .open(TicketInput(kind: "quality", description: "新梯子", handler: "zhaolei"))
            var sweep = EscalationSweep(db: app.db, config: app.huifang)
            let db = app.db
            let id = ticket.id!
            let moment = shanghai("2026-03-03 18:04").timeIntervalSince1970
            sweep.betweenReadAndWrite = {
                try await db.sql.raw(
                    """
                    UPDATE ticket_clocks SET next_escalation_at = \(bind: moment) WHERE ticket_id = \(bind: id)
                    """
                ).run()
            }
            let first = try await sweep.run(now: shanghai("2026-03-03 18:05"))
            #expect(first.escalations == 0, "the clock the sweep read had moved")
            #expect(try await storedLevel(id, app) == 0, "nor did the level move without it")
            let next = try await EscalationSweep(db: app.db, config: app.huifang).run(now: shanghai("2026-03-03 18:06"))
            #expect(next.escalations == 1)
            #expect(try await storedLevel(id, app) == 1)
        }
    }

    @Test func aTicketAnsweredWhileTheSweepRunsIsNeitherEscalatedNorLostToTheSweep() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let ticket = try await service(app, at: "2026-03-02 10:00").open(
                TicketInput(kind: "quality", description: "刚好在处理", handler: "zhaolei"))
            _ = org
            var sweep = EscalationSweep(db: app.db, config: app.huifang)
            // The handler starts the ticket after the sweep has read it as breached.
            let db = app.db
            let config = app.huifang
            let id = ticket.id!
            sweep.betweenReadAndWrite = {
                let fresh = try await Ticket.find(id, on: db)!
                _ = try await TicketService(
                    db: db, config: config, actor: .commandLine(), now: shanghai("2026-03-03 18:04")
                ).act(fresh, .start)
            }
            let summary = try await sweep.run(now: shanghai("2026-03-03 18:05"))
            #expect(summary.escalations == 0, "the breach the sweep read was answered before it was written")
            let stored = try #require(try await Ticket.find(id, on: app.db))
            try await TicketClocks.load(into: [stored], on: app.db)
            #expect(stored.escalationKey?.hasPrefix("resolution@") == true)
            let next = try await TicketClocks.next(of: id, on: app.db)
            #expect(next == stored.resolutionDue.timeIntervalSince1970, "the resolution deadline is still watched")
            #expect(try await Notification.query(on: app.db).filter(\.$kind == "escalation").count() == 0)
        }
    }

    @Test func aUsersEmailIsCheckedAndKept() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .admin).user)
            struct NewUser: Encodable { let username, displayName, role, password, email: String }
            let bad = try await send(
                app, .POST, "/api/v1/users", token: token,
                body: NewUser(
                    username: "zhaolei", displayName: "赵磊", role: "handler", password: "a-long-password",
                    email: "zhaolei at example"))
            #expect(try bad.content.decode(Problems.self).error.fields.map(\.field) == ["email"])
            let good = try await send(
                app, .POST, "/api/v1/users", token: token,
                body: NewUser(
                    username: "zhaolei", displayName: "赵磊", role: "handler", password: "a-long-password",
                    email: " zhaolei@example.com "))
            #expect(good.status == .created)
            #expect(
                try await User.query(on: app.db).filter(\.$username == "zhaolei").first()?.email
                    == "zhaolei@example.com")
        }
    }

    @Test func severalBreachesForOnePersonArriveAsOneDigest() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let opener = service(app, at: "2026-03-02 10:00")
            var ids: [Int] = []
            for text in ["漏水", "异响"] {
                ids.append(
                    try await opener.open(
                        TicketInput(kind: "quality", description: text, department: org.department.name)
                    ).id!)
            }
            #expect(try await sweep(app, at: "2026-03-03 18:05").escalations == 2)
            let notes = try await Notification.query(on: app.db).filter(\.$user.$id == org.head.id!)
                .filter(\.$kind == "escalation").all()
            #expect(notes.count == 1 && notes[0].ticketID == nil)
            #expect(notes[0].text.hasPrefix("2 张工单需要您关注") && ids.allSatisfy { notes[0].text.contains("工单 #\($0) ") })
        }
    }

    @Test func mailThatCannotBeDeliveredIsRetriedWithBackOffThenMarkedFailed() async throws {
        let sink = try await SMTPSink.start()
        let port = sink.port
        await sink.stop()
        try await withHuifang(["HUIFANG_SMTP_URL": "smtp://127.0.0.1:\(port)"]) { app in
            let start = shanghai("2026-03-02 10:00")
            try await Outbox.enqueue(
                [(to: "zhuguan@example.com", subject: "测试", body: "正文")], config: app.huifang, now: start, on: app.db)
            let outbox = Outbox(db: app.db, config: app.huifang)
            #expect(try await outbox.deliver(now: start).retrying == 1)
            #expect(
                try await outbox.deliver(now: start.addingTimeInterval(30)).retrying == 0,
                "not again before a minute has passed")
            var at = start
            for minutes in [1.0, 4, 16, 64] {
                at = at.addingTimeInterval(minutes * 60)
                #expect(try await outbox.deliver(now: at).retrying == 1)
            }
            #expect(try await outbox.deliver(now: at.addingTimeInterval(256 * 60)).failed == 1)
            let message = try #require(try await MailMessage.query(on: app.db).first())
            #expect(
                message.status == .failed && message.attempts == Outbox.maxAttempts
                    && message.lastError?.isEmpty == false)
            #expect(
                try await outbox.deliver(now: at.addingTimeInterval(86_400)).failed == 0,
                "a failed message is not tried again")
        }
    }

    @Test func theResolutionPlanAndCompensationAreKeptOnTheTicketAndItsTimeline() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let token = try await makeToken(app, org.head)
            let ticket = try await service(app, at: "2026-03-02 10:00").open(
                TicketInput(kind: "complaint", description: "多收 50 元", handler: "zhaolei"))
            let path = "/api/v1/tickets/\(ticket.id!)/plan"
            let bad = try await send(app, .POST, path, token: token, body: PlanInput(due: "下周"))
            #expect(try bad.content.decode(Problems.self).error.fields.map(\.field) == ["due"])
            let planned = try await send(
                app, .POST, path, token: token,
                body: PlanInput(measures: "核对收银记录，退还差价", owner: "赵磊", due: "2026-03-04", compensation: "赠送 50 元券"))
            #expect(planned.status == .ok)
            let stored = try #require(try await Ticket.find(ticket.id, on: app.db))
            #expect(
                stored.measures == "核对收银记录，退还差价" && stored.planOwner == "赵磊" && stored.planDue == "2026-03-04"
                    && stored.compensation == "赠送 50 元券")
            let note = try #require(try await TicketEntry.query(on: app.db).filter(\.$action == "plan").first()).note
            #expect(note.contains("退还差价") && note.contains("2026-03-04") && note.contains("赠送 50 元券"))
            _ = try await send(app, .POST, path, token: token, body: PlanInput(measures: "核对收银记录，退还差价"))
            #expect(
                try await TicketEntry.query(on: app.db).filter(\.$action == "plan").count() == 1,
                "saving the same plan again records nothing")
        }
    }

    @Test func anUrgentComplaintNotifiesTheSupervisorsAtOnce() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let (agent, password) = try await makeUser(app, .agent)
            let token = try await makeToken(app, agent)
            let opened = try await send(
                app, .POST, "/api/v1/tickets", token: token,
                body: TicketInput(kind: "complaint", urgent: true, description: "门店店员辱骂顾客"))
            #expect(opened.status == .created)
            let supervisorToken = try await makeToken(app, org.supervisor)
            struct Item: Decodable {
                let kind: String
                let text: String
                let ticketID: Int?
                let read: Bool
            }
            let items = try await send(app, .GET, "/api/v1/notifications", token: supervisorToken).content.decode(
                [Item].self)
            #expect(
                items.count == 1 && items[0].kind == "urgent" && items[0].text.contains("门店店员辱骂顾客") && !items[0].read)
            #expect(
                try await send(app, .GET, "/api/v1/notifications", token: token).content.decode([Item].self).isEmpty,
                "agents do not get the supervisors' notice")

            var page = try await PageClient.signedIn(app, "zhuguan", "password-supervisor")
            let home = try await page.get("/notifications")
            #expect(home.body.string.contains("门店店员辱骂顾客") && home.body.string.contains("id=\"unread\" data-unread>1<"))
            _ = try await page.post("/notifications/read", form: [:])
            let read = try await page.get("/notifications").body.string
            #expect(read.contains("id=\"unread\" data-unread hidden>0<"), "the count is hidden once all is read")
            _ = password
        }
    }

    @Test func waitingOnTheCustomerStopsTheClockAndAnExtensionNeedsAReasonAndTheCustomerTold() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let token = try await makeToken(app, org.head)
            // Monday 10:00; the general policy resolves within 3 working days (Thursday 18:00) and stops while waiting.
            let ticket = try await service(app, at: "2026-03-02 10:00")
                .open(TicketInput(kind: "quality", description: "热水器不热", handler: "zhaolei"))
            _ = try await service(app, at: "2026-03-02 10:30").act(ticket, .start)
            #expect(app.huifang.formatDateTime(ticket.resolutionDue) == "2026-03-05 18:00")
            let paused = try await service(app, at: "2026-03-02 11:00").pause(ticket, note: "等客户发照片")
            #expect(try await TicketClocks.next(of: paused.id!, on: app.db) == nil)
            #expect(try await sweep(app, at: "2026-03-06 10:00").escalations == 0, "a stopped clock does not breach")
            // 28 working hours were left at Monday 11:00; from Wednesday 11:00 they end Monday 9 March 18:00.
            let resumed = try await service(app, at: "2026-03-04 11:00").resume(paused, note: "照片已收到")
            #expect(app.huifang.formatDateTime(resumed.resolutionDue) == "2026-03-09 18:00")

            let path = "/api/v1/tickets/\(ticket.id!)/extend"
            let refused = try await send(
                app, .POST, path, token: token, body: ["until": "2026-03-12 18:00", "reason": " "])
            #expect(refused.status == .unprocessableEntity)
            #expect(
                Set(try refused.content.decode(Problems.self).error.fields.map(\.field)) == ["reason", "customerTold"])
            let later = service(app, at: "2026-03-04 12:00")
            await #expect(throws: NamedFieldError.self, "an extension moves the deadline later") {
                try await later.extend(
                    resumed, ExtensionInput(until: "2026-03-06 18:00", reason: "等配件", customerTold: true))
            }
            _ = try await later.extend(
                resumed,
                ExtensionInput(deadline: "resolution", until: "2026-03-12 18:00", reason: "等厂家配件", customerTold: true))
            let stored = try #require(try await Ticket.find(ticket.id, on: app.db))
            #expect(app.huifang.formatDateTime(stored.resolutionDue) == "2026-03-12 18:00" && stored.extensions == 1)
            let note = try #require(try await TicketEntry.query(on: app.db).filter(\.$action == "extend").first()).note
            #expect(
                note.contains("2026-03-09 18:00 → 2026-03-12 18:00") && note.contains("等厂家配件") && note.contains("已告知客户")
            )

            // The urgent-complaint policy does not stop the clock.
            let urgent = try await service(app, at: "2026-03-02 10:00").open(
                TicketInput(kind: "complaint", urgent: true, description: "漏水", handler: "zhaolei"))
            let refusedPause = try await send(
                app, .POST, "/api/v1/tickets/\(urgent.id!)/pause", token: token, body: ["note": "等客户"])
            #expect(refusedPause.status == .conflict)
        }
    }

    // Long: one story end to end: a call, its ticket, verification, re-opened until the customer is satisfied.
    @Test func anInboundComplaintCallBecomesATicketThatIsVerifiedAndReopenedUntilTheCustomerIsSatisfied() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            let agentToken = try await makeToken(app, agent)
            let handlerToken = try await makeToken(app, org.head)

            struct Outcome: Decodable {
                let callID: Int
                let customerID: Int?
                let customerCreated: Bool
                let ticketID: Int?
                let callbackTaskID: Int?
            }
            let response = try await send(
                app, .POST, "/api/v1/calls", token: agentToken,
                body: CallInput(
                    phone: "136 0000 1111", name: "林小雨", at: "2026-03-02 10:17:45", matter: "complaint",
                    summary: "收到的冰箱门被压坏了",
                    handling: "ticket", category: "damage", ticketKind: "complaint", severity: "general",
                    department: "售后服务部",
                    recordingConsent: true))
            #expect(response.status == .created)
            let outcome = try response.content.decode(Outcome.self)
            #expect(outcome.customerCreated && outcome.ticketID != nil)
            let call = try #require(try await InboundCall.find(outcome.callID, on: app.db))
            #expect(
                app.huifang.formatDateTime(call.at) == "2026-03-02 10:17" && call.recordingConsent
                    && call.phone == "+8613600001111")
            let customer = try #require(try await Customer.find(outcome.customerID, on: app.db))
            #expect(customer.name == "林小雨" && customer.mobile == "+8613600001111")

            let ticketID = try #require(outcome.ticketID)
            let ticket = try #require(try await Ticket.find(ticketID, on: app.db))
            #expect(
                ticket.source == "call" && ticket.callID == outcome.callID && ticket.$department.id == org.department.id
                    && ticket.category == "damage")

            let actions = "/api/v1/tickets/\(ticketID)/actions"
            for (action, handler) in [("assign", "zhaolei"), ("start", ""), ("resolve", "")] {
                #expect(
                    try await send(
                        app, .POST, actions, token: handlerToken, body: ["action": action, "handler": handler]
                    ).status == .ok)
            }
            let resolved = try #require(try await Ticket.find(ticketID, on: app.db))
            let firstTask = try #require(resolved.verificationTaskID)
            // The verification follow-up is the agent's task (distribution hands it out).
            func handOut(_ id: Int) async throws {
                let task = try #require(try await FollowUpTask.find(id, on: app.db))
                task.$assignedAgent.id = agent.id
                try await task.update(on: app.db)
            }
            try await handOut(firstTask)

            // The verification follow-up: not satisfied re-opens with the customer's words.
            struct Verification: Encodable {
                let satisfied: Bool
                let words: String?
            }
            let blank = try await send(
                app, .POST, "/api/v1/tickets/\(ticketID)/verification", token: agentToken,
                body: Verification(satisfied: false, words: nil))
            #expect(blank.status == .unprocessableEntity, "re-opening needs the customer's words")
            let reopened = try await send(
                app, .POST, "/api/v1/tickets/\(ticketID)/verification", token: agentToken,
                body: Verification(satisfied: false, words: "换的门还是有划痕"))
            #expect(reopened.status == .ok)
            let again = try #require(try await Ticket.find(ticketID, on: app.db))
            #expect(again.status == .inProgress && again.reopenCount == 1)
            #expect(try await FollowUpTask.find(firstTask, on: app.db)?.status == .completed)
            #expect(try await TicketEntry.query(on: app.db).filter(\.$action == "reopen").first()?.note == "换的门还是有划痕")

            #expect(try await send(app, .POST, actions, token: handlerToken, body: ["action": "resolve"]).status == .ok)
            let secondTask = try #require(try await Ticket.find(ticketID, on: app.db)?.verificationTaskID)
            #expect(secondTask != firstTask, "each resolution gets its own verification")
            try await handOut(secondTask)
            let satisfied = try await send(
                app, .POST, "/api/v1/tickets/\(ticketID)/verification", token: agentToken,
                body: Verification(satisfied: true, words: "这次满意"))
            #expect(satisfied.status == .ok)
            let closed = try #require(try await Ticket.find(ticketID, on: app.db))
            #expect(closed.status == .closed && closed.informedAt != nil)
            #expect(try await FollowUpTask.find(secondTask, on: app.db)?.status == .completed)

            // The call log shows the call; the agent sees the number masked.
            let log = try await send(app, .GET, "/api/v1/calls?handling=ticket", token: agentToken).content.decode(
                ListPage<CallRow>.self
            ).items
            #expect(log.count == 1 && log[0].ticketID == ticketID && log[0].phone.contains("*"))
        }
    }

    @Test func aPromisedReplyBecomesACallbackTaskAndBadCallsAreNamedAndLeaveNothing() async throws {
        try await withHuifang { app in
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            let token = try await makeToken(app, agent)
            let bad = try await send(
                app, .POST, "/api/v1/calls", token: token,
                body: CallInput(
                    phone: "12345", matter: "nonsense", summary: "", handling: "promised"))
            #expect(bad.status == .unprocessableEntity)
            #expect(
                Set(try bad.content.decode(Problems.self).error.fields.map(\.field)) == [
                    "phone", "matter", "summary", "promisedBy",
                ])
            #expect(try await InboundCall.query(on: app.db).count() == 0)
            #expect(try await Customer.query(on: app.db).count() == 0)

            let unknown = try await send(
                app, .POST, "/api/v1/calls", token: token,
                body: CallInput(
                    phone: "13600002222", matter: "other", summary: "问积分", handling: "answered"))
            #expect(unknown.status == .unprocessableEntity, "a new caller needs a name")

            let promisedBy = Date().addingTimeInterval(3 * 3600)
            let response = try await send(
                app, .POST, "/api/v1/calls", token: token,
                body: CallInput(
                    phone: "13600002222", name: "周大山", matter: "inquiry", summary: "会员价和宣传不一样", handling: "promised",
                    promisedBy: app.huifang.formatDateTime(promisedBy)))
            #expect(response.status == .created)
            struct Outcome: Decodable { let callbackTaskID: Int? }
            let taskID = try #require(try response.content.decode(Outcome.self).callbackTaskID)
            let task = try #require(try await FollowUpTask.find(taskID, on: app.db))
            #expect(task.$assignedAgent.id == agent.id && task.status == .open)
            #expect(app.huifang.formatDateTime(task.callbackAt) == app.huifang.formatDateTime(promisedBy))
            let mine = try await send(app, .GET, "/api/v1/tasks/mine", token: token).content.decode(
                ListPage<TaskView>.self
            ).items
            #expect(mine.contains { $0.id == taskID && $0.customerName == "周大山" })

            // A customer who asked not to be disturbed gets no callback task, and nothing is half written.
            let quiet = Customer()
            quiet.name = "勿扰客户"
            quiet.mobile = "+8613600003333"
            quiet.tier = "普通"
            quiet.consent = true
            quiet.doNotDisturb = true
            try await quiet.create(on: app.db)
            let calls = try await InboundCall.query(on: app.db).count()
            let refused = try await send(
                app, .POST, "/api/v1/calls", token: token,
                body: CallInput(
                    phone: "13600003333", matter: "other", summary: "想问问活动", handling: "promised",
                    promisedBy: app.huifang.formatDateTime(promisedBy)))
            #expect(refused.status == .unprocessableEntity)
            #expect(try refused.content.decode(Problems.self).error.fields.map(\.field) == ["handling"])
            #expect(try await InboundCall.query(on: app.db).count() == calls)
        }
    }

    @Test func aCallWhoseTicketIsRefusedLeavesNeitherTheCallNorANewCustomer() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, try await makeUser(app, .agent, username: "wangfang").user)
            let call = CallInput(
                phone: "13600004444", name: "孙小北", matter: "complaint", summary: "快递外包装破损",
                handling: "ticket", handler: "nobody")
            // MUT: the ticket's handler is only checked when the ticket is opened, after the customer and the call.
            let refused = try await send(app, .POST, "/api/v1/calls", token: token, body: call)
            #expect(refused.status == .unprocessableEntity)
            #expect(try refused.content.decode(Problems.self).error.fields.map(\.field) == ["handler"])
            #expect(try await InboundCall.query(on: app.db).count() == 0, "a retry would log the call twice")
            #expect(try await Customer.query(on: app.db).count() == 0)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action ~~ ["call.log", "customer.create"]).count() == 0
            )
            var corrected = call
            corrected.handler = nil
            #expect(try await send(app, .POST, "/api/v1/calls", token: token, body: corrected).status == .created)
            #expect(try await InboundCall.query(on: app.db).count() == 1)
            #expect(try await Customer.query(on: app.db).filter(\.$mobile == "+8613600004444").count() == 1)
        }
    }

    @Test func theKnowledgeBaseIsEditedBySupervisorsAndSearchedFromTheCallForm() async throws {
        try await withHuifang { app in
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let agent = try await makeToken(app, makeUser(app, .agent).user)
            let article = ArticleInput(question: "积分有效期多久？", answer: "两年有效。", keywords: "积分 过期")
            #expect(try await send(app, .POST, "/api/v1/kb", token: agent, body: article).status == .forbidden)
            #expect(try await send(app, .POST, "/api/v1/kb", token: supervisor, body: article).status == .created)
            #expect(
                try await send(
                    app, .POST, "/api/v1/kb", token: supervisor, body: ArticleInput(question: "", answer: "")
                ).status == .unprocessableEntity)
            let found = try await send(app, .GET, "/api/v1/kb?q=过期", token: agent).content.decode([ArticleView].self)
            #expect(found.map(\.question) == ["积分有效期多久？"])
            #expect(
                try await send(app, .GET, "/api/v1/kb?q=保修", token: agent).content.decode([ArticleView].self).isEmpty)
        }
    }

    @Test func aSupervisorEditsTheSettingsInLabelledFieldsWithProblemsBesideThem() async throws {
        try await withHuifang { app in
            _ = try await makeUser(app, .supervisor, username: "zhuguan")
            var page = try await PageClient.signedIn(app, "zhuguan", "password-supervisor")
            let html = try await page.get("/tickets/settings").body.string
            #expect(html.contains("name=\"p0.resolution.amount\" value=\"24\"") && !html.contains("calendarHours\","))
            #expect(html.contains("工作小时") && html.contains("name=\"l0.notify\""))

            var form = TicketSettingsForm.fields(.defaults)
            form["p1.resolution.amount"] = "两天"
            let duplicate = TicketSettings.defaults.categories.count
            form["c\(duplicate).code"] = TicketSettings.defaults.categories[0].code
            form["c\(duplicate).name"] = "重复的类别"
            let refused = try await page.post("/tickets/settings", form: form)
            #expect(refused.status == .unprocessableEntity)
            let body = refused.body.string
            #expect(body.contains("应为整数") && body.contains("value=\"重复的类别\""), "the problem and what was written")
            #expect(try await TicketSettingsRecord.load(on: app.db).settings == .defaults, "nothing saved")

            form["p1.resolution.amount"] = "2"
            form["c\(duplicate).code"] = "installation"
            form["c\(duplicate).name"] = "安装"
            form["l1.delete"] = "1"
            let saved = try await page.post("/tickets/settings", form: form)
            #expect(saved.status == .seeOther)
            let stored = try await TicketSettingsRecord.load(on: app.db).settings
            #expect(stored.policies[1].resolution.amount == 2 && stored.ladder.levels.count == 1)
            #expect(stored.categories.last == TicketCategory("installation", "安装"))
        }
    }

    @Test func ticketSettingsAreCheckedFieldByFieldAndApplyToNewTickets() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            struct Output: Decodable { let settings: TicketSettings }
            var settings = try await send(app, .GET, "/api/v1/tickets/settings", token: token).content.decode(
                Output.self
            ).settings
            #expect(settings == TicketSettings.defaults)

            var broken = settings
            broken.policies[0].resolution = PolicyDuration(0, .workingDays)
            broken.categories.append(TicketCategory("delay", "重复"))
            let refused = try await send(app, .PUT, "/api/v1/tickets/settings", token: token, body: broken)
            #expect(refused.status == .unprocessableEntity)
            #expect(
                Set(try refused.content.decode(Problems.self).error.fields.map(\.field)) == [
                    "policies[0].resolution", "categories[7].code",
                ])

            settings.fallback.resolution = PolicyDuration(5, .workingDays)
            settings.categories.append(TicketCategory("installation", "安装"))
            #expect(try await send(app, .PUT, "/api/v1/tickets/settings", token: token, body: settings).status == .ok)
            let ticket = try await TicketService(
                db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai("2026-03-02 10:00")
            )
            .open(TicketInput(kind: "service", category: "installation", description: "安装预约改期"))
            #expect(
                app.huifang.formatDateTime(ticket.resolutionDue) == "2026-03-09 18:00",
                "5 working days after Monday 2 March")

            // A ticket past the top of the ladder is placed on a longer one when the ladder changes.
            let old = try await TicketService(
                db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai("2026-03-02 10:00")
            )
            .open(TicketInput(kind: "service", description: "早已升级到顶的工单"))
            _ = try await EscalationSweep(db: app.db, config: app.huifang).run(now: shanghai("2026-03-04 14:31"))
            #expect(try await TicketEscalation.query(on: app.db).filter(\.$ticket.$id == old.id!).count() == 2)
            #expect(try await TicketClocks.next(of: old.id!, on: app.db) == nil, "the default ladder has two levels")
            settings.ladder.levels.append(
                EscalationLevel(after: PolicyDuration(8, .workingHours), notify: .supervisors))
            #expect(try await send(app, .PUT, "/api/v1/tickets/settings", token: token, body: settings).status == .ok)
            #expect(try await EscalationSweep(db: app.db, config: app.huifang).run(now: Date()).escalations >= 1)
            let third = try #require(
                try await TicketEscalation.query(on: app.db).filter(\.$ticket.$id == old.id!).filter(\.$level == 3)
                    .first())
            #expect(
                app.huifang.formatDateTime(Date(timeIntervalSince1970: third.dueAt)) == "2026-03-05 09:30",
                "first response due Tuesday 18:00, plus 8 working hours")
        }
    }

    @Test func theQueueShowsOverdueFirstWithWorkingTimeLeftAndTheTicketPageOffersOnlyAllowedActions() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let late = try await service(app, at: "2026-03-02 10:00").open(
                TicketInput(kind: "quality", description: "早就超时的工单", handler: "zhaolei"))
            let fresh = try await TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
                .open(TicketInput(kind: "service", description: "刚受理的工单", department: org.department.name))
            var page = try await PageClient.signedIn(app, "zhaolei", "password-handler")
            let queue = try await page.get("/tickets/queue")
            #expect(queue.status == .ok)
            let body = queue.body.string
            let lateAt = try #require(body.range(of: "/tickets/\(late.id!)\""))
            let freshAt = try #require(body.range(of: "/tickets/\(fresh.id!)\""))
            #expect(lateAt.lowerBound < freshAt.lowerBound, "overdue first")
            #expect(body.contains("超时") && body.contains("工作时间"))

            let show = try await page.get("/tickets/\(late.id!)")
            let html = show.body.string
            #expect(
                html.contains("value=\"start\"") && !html.contains("value=\"close\""),
                "an assigned ticket can start, not close")
            let refused = try await page.post("/tickets/\(late.id!)/act", form: ["action": "resolve"])
            #expect(refused.status == .seeOther)
            #expect(try await page.get("/tickets/\(late.id!)").body.string.contains("工单须先分配并开始处理"))
            let started = try await page.post("/tickets/\(late.id!)/act", form: ["action": "start"])
            #expect(started.status == .seeOther)
            let handler = try #require(try await User.query(on: app.db).filter(\.$username == "zhaolei").first())
            let timeline = try await page.get("/tickets/\(late.id!)").body.string
            #expect(timeline.contains("title=\"zhaolei\">\(handler.displayName)</span>"), "people by their names")
            #expect(try await page.get("/tickets").status == .forbidden, "the overview is for supervisors")
        }
    }

    @Test func theOverviewCountsFiltersAssignsInBulkAndExportsWhatItShows() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            let service = TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
            var opened: [Ticket] = []
            for index in 0..<5 {
                opened.append(
                    try await service.open(
                        TicketInput(
                            kind: index < 3 ? "complaint" : "service", description: "问题 \(index)",
                            handler: index == 4 ? "zhaolei" : nil)))
            }
            var page = try await PageClient.signedIn(app, "zhuguan", "password-supervisor")
            let all = try await page.get("/tickets").body.string
            #expect(all.contains("共 5 条"))
            let complaints = try await page.get("/tickets?kind=complaint&sort=newest").body.string
            #expect(complaints.contains("共 3 条"))
            let newest = try #require(complaints.range(of: "/tickets/\(opened[2].id!)\""))
            let oldest = try #require(complaints.range(of: "/tickets/\(opened[0].id!)\""))
            #expect(newest.lowerBound < oldest.lowerBound, "newest first when asked")
            #expect(try await page.get("/tickets?handler=zhaolei").body.string.contains("共 1 条"))
            #expect(try await page.get("/tickets?number=%23\(opened[1].id!)").body.string.contains("共 1 条"))
            #expect(try await page.get("/tickets?number=abc").status == .unprocessableEntity)

            _ = try await service.act(opened[1], .assign, handler: "zhaolei")
            _ = try await service.act(opened[1], .start)
            _ = try await service.act(opened[1], .resolve)
            let bulk = try await page.post(
                "/tickets/bulk-assign",
                form: [
                    "handler": "zhaolei", "ids[0]": "\(opened[0].id!)", "ids[1]": "\(opened[1].id!)",
                    "ids[2]": "\(opened[2].id!)", "back": "/tickets?kind=complaint",
                ])
            #expect(bulk.headers.first(name: .location) == "/tickets?kind=complaint")
            let told = try await page.get("/tickets?kind=complaint").body.string
            #expect(told.contains("已分配 2 张工单") && told.contains("#\(opened[1].id!)"), "the refused one is named")
            for ticket in [opened[0], opened[2]] {
                #expect(try await Ticket.find(ticket.id!, on: app.db)?.$handler.id == org.head.id)
            }

            let csv = try await page.get("/tickets/export.csv?kind=complaint&status=all").body.string
            #expect(csv.split(whereSeparator: \.isNewline).count == 4 && csv.contains("问题 0") && !csv.contains("问题 3"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "ticket.export").count() == 1)
        }
    }

    @Test func aTicketOpenedFromTheCustomersPageJoinsTheirTimeline() async throws {
        try await withHuifang { app in
            _ = try await organisation(app)
            let token = try await makeToken(
                app, try await User.query(on: app.db).filter(\.$username == "zhuguan").first()!)
            struct Created: Decodable { let id: Int }
            let customer = try await send(
                app, .POST, "/api/v1/customers", token: token, body: ["name": "欧阳娜娜", "mobile": "13912345678"]
            ).content.decode(Created.self).id
            var page = try await PageClient.signedIn(app, "zhuguan", "password-supervisor")
            #expect(
                try await page.get("/customers/\(customer)").body.string.contains("/tickets/new?customer=\(customer)"))
            let form = try await page.get("/tickets/new?customer=\(customer)").body.string
            #expect(form.contains("欧阳娜娜") && form.contains("name=\"description\""))
            let missing = try await page.post(
                "/tickets/new", form: ["customer": "\(customer)", "kind": "complaint", "description": ""])
            #expect(missing.status == .unprocessableEntity && missing.body.string.contains("field-error"))
            let opened = try await page.post(
                "/tickets/new",
                form: [
                    "customer": "\(customer)", "kind": "complaint", "category": "attitude", "severity": "general",
                    "description": "门店店员态度差", "handler": "zhaolei",
                ])
            #expect(opened.status == .seeOther)
            let ticket = try #require(try await Ticket.query(on: app.db).filter(\.$customer.$id == customer).first())
            #expect(ticket.source == "desk" && ticket.status == .assigned)
            let profile = try await page.get("/customers/\(customer)").body.string
            #expect(profile.contains("href=\"/tickets/\(ticket.id!)\"") && profile.contains("门店店员态度差"))
        }
    }

    @Test func aHandlerTakesStartsAndResolvesWithThePlanInOneClickEach() async throws {
        try await withHuifang { app in
            let org = try await organisation(app)
            _ = try await makeUser(app, .handler, username: "qianli", department: org.department.id)
            _ = try await makeUser(app, .handler, username: "waibu")
            let ticket = try await TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
                .open(TicketInput(kind: "complaint", description: "快递员态度差", department: org.department.name))
            var page = try await PageClient.signedIn(app, "zhaolei", "password-handler")
            let html = try await page.get("/tickets/\(ticket.id!)").body.string
            #expect(html.contains("id=\"do-take\" class=\"primary\""), "a new ticket's next step is taking it")
            #expect(!html.contains("id=\"do-start\""), "a new ticket is taken before it is started")
            let me = try #require(html.range(of: "（我）"))
            let colleague = try #require(html.range(of: "value=\"qianli\""))
            let outsider = try #require(html.range(of: "value=\"waibu\""))
            #expect(me.lowerBound < colleague.lowerBound && colleague.lowerBound < outsider.lowerBound)

            let early = try await page.post(
                "/tickets/\(ticket.id!)/resolve", form: ["measures": "赔偿", "compensation": "50 元券"])
            #expect(early.status == .seeOther)
            var stored = try #require(try await Ticket.find(ticket.id!, on: app.db))
            #expect(stored.measures.isEmpty && stored.status == .new, "a refused resolve saves no plan")

            _ = try await page.post("/tickets/\(ticket.id!)/act", form: ["action": "take"])
            stored = try #require(try await Ticket.find(ticket.id!, on: app.db))
            #expect(stored.status == .assigned && stored.$handler.id == org.head.id)
            let assigned = try await page.get("/tickets/\(ticket.id!)").body.string
            #expect(assigned.contains("id=\"do-start\" class=\"primary\"") && !assigned.contains("id=\"do-take\""))
            _ = try await page.post("/tickets/\(ticket.id!)/act", form: ["action": "start"])
            let resolved = try await page.post(
                "/tickets/\(ticket.id!)/resolve",
                form: ["measures": "快递员停岗培训", "compensation": "50 元券", "note": "已致电道歉"])
            #expect(resolved.status == .seeOther)
            stored = try #require(try await Ticket.find(ticket.id!, on: app.db))
            #expect(stored.status == .resolved && stored.measures == "快递员停岗培训" && stored.compensation == "50 元券")
            let done = try await page.get("/tickets/\(ticket.id!)").body.string
            #expect(done.contains("id=\"do-inform\" class=\"primary\"") && done.contains("已致电道歉"))
        }
    }
}

/// M024 moved each ticket's next escalation moment out of the tickets table; the move keeps every moment.
@Suite struct TicketClockMigrationTests {
    @Test func movingTheClocksKeepsEachTicketsNextMoment() async throws {
        try await withHuifang { app in
            _ = try await makeUser(app, .supervisor, username: "zhuguan")
            let service = TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
            let running = try await service.open(TicketInput(kind: "quality", description: "钟在走"))
            let before = try #require(try await TicketClocks.next(of: running.id!, on: app.db))
            try await app.db.sql.raw(
                """
                UPDATE ticket_clocks SET escalation_level = 1 WHERE ticket_id = \(bind: running.id!)
                """
            ).run()
            try await M024TicketClocks().revert(on: app.db)  // back in the tickets table, as before the move
            try await M024TicketClocks().prepare(on: app.db)
            let moved = try #require(try await Ticket.find(running.id, on: app.db))
            try await TicketClocks.load(into: [moved], on: app.db)
            #expect(moved.nextEscalationAt == before && moved.escalationLevel == 1)
            #expect(moved.escalationKey == running.escalationKey && moved.escalationKey != nil)
            let sweep = EscalationSweep(db: app.db, config: app.huifang)
            let due = try await sweep.run(now: Date(timeIntervalSince1970: before))
            #expect(due.examined == 1, "the sweep finds the moved clock when its moment comes")
        }
    }
}
