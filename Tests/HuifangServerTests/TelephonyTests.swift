import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// The phone system's events (issue 17): a ringing call pops up for the agent at that extension only, the form
/// opens filled in for them only, and the call's answer and hang-up are recorded to the second.
@Suite struct TelephonyTests {
    static let token = "pbx-token-0123456789abcdef"
    static let environment = ["HUIFANG_TELEPHONY_TOKEN": token]

    struct Agents {
        let first: (user: User, password: String)
        let second: (user: User, password: String)
        let customer: Customer
    }

    /// Two agents at extensions 801 and 802; a known customer with an open follow-up, assigned to the first.
    func agents(_ app: Application) async throws -> Agents {
        let first = try await makeUser(app, .agent, username: "agent801")
        let second = try await makeUser(app, .agent, username: "agent802")
        let users = UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date())
        try await users.update(first.user, .init(phoneExtension: "801"))
        try await users.update(second.user, .init(phoneExtension: "802"))
        let customer = try await CustomerStore(db: app.db, now: Date()).create(
            CustomerRecord(
                name: "欧阳娜娜", mobile: try PhoneNumber(parsing: "13812345678"), tier: "金卡",
                assignedAgentID: first.user.id),
            by: .commandLine())
        return Agents(first: first, second: second, customer: customer)
    }

    func post(_ app: Application, _ body: [String: String], token: String? = Self.token) async throws
        -> TestingHTTPResponse
    {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        let (withJSON, buffer) = try json(body, headers: headers)
        return try await app.testing().performTest(
            request: .init(
                method: .POST, url: .init(path: "/api/v1/telephony/events"), headers: withJSON, body: buffer))
    }

    @Test func theEndpointIsHiddenUnconfiguredAndRefusesAnyOtherToken() async throws {
        let event = ["event": "ringing", "callId": "c-1", "caller": "13812345678", "extension": "801"]
        try await withHuifang { app in
            let response = try await post(app, event)
            #expect(response.status == .notFound, "not configured: as if it did not exist")
        }
        try await withHuifang(Self.environment) { app in
            #expect(try await post(app, event, token: nil).status == .unauthorized)
            #expect(try await post(app, event, token: "pbx-token-0123456789abcdeX").status == .unauthorized)
            let admin = try await makeToken(app, try await makeUser(app, .admin).user)
            #expect(
                try await post(app, event, token: admin).status == .unauthorized, "a user's token is not the PBX's")
            #expect(try await post(app, event).status == .ok)
        }
    }

    @Test func aRingingCallPopsUpForTheAgentAtThatExtensionOnly() async throws {
        try await withHuifang(Self.environment) { app in
            let desk = try await agents(app)
            let ringing = ["event": "ringing", "callId": "c-42", "caller": "138 1234 5678", "extension": "801"]
            #expect(try await post(app, ringing).status == .ok)
            #expect(try await post(app, ringing).status == .ok, "the PBX sends it again")
            let notes = try await Notification.query(on: app.db).filter(\.$kind == "call").all()
            #expect(notes.count == 1, "one pop-up however often the PBX repeats the event")
            let note = try #require(notes.first)
            #expect(note.$user.id == desk.first.user.id)
            #expect(note.text.contains("欧阳娜娜") && note.text.contains("金卡") && note.text.contains("13812345678"))
            let call = try #require(try await PhoneCall.query(on: app.db).filter(\.$callRef == "c-42").first())
            #expect(note.phoneCallID == call.id && call.customerID == desk.customer.id)

            // The pop-up's link opens the form filled in — for the agent it rang for, and for nobody else.
            var first = try await PageClient.signedIn(app, desk.first.user.username, desk.first.password)
            let form = try await first.get("/calls/new?call=\(call.id!)").body.string
            #expect(form.contains("value=\"13812345678\"") && form.contains("name=\"phoneCall\""))
            var second = try await PageClient.signedIn(app, desk.second.user.username, desk.second.password)
            let other = try await second.get("/calls/new?call=\(call.id!)").body.string
            #expect(!other.contains("13812345678") && !other.contains("name=\"phoneCall\""))
        }
    }

    @Test func answerAndHangUpAreRecordedToTheSecondWithTheRecording() async throws {
        try await withHuifang(Self.environment) { app in
            let desk = try await agents(app)
            let base = ["callId": "c-7", "caller": "13900139000", "extension": "802"]
            _ = try await post(app, base.merging(["event": "ringing", "at": "2026-11-30T02:00:00Z"]) { $1 })
            _ = try await post(app, base.merging(["event": "answered", "at": "2026-11-30T02:00:05Z"]) { $1 })
            let ended = try await post(
                app,
                base.merging(["event": "ended", "at": "2026-11-30T02:03:17.2Z", "recording": "rec/2026/11/30/c-7.wav"])
                {
                    $1
                })
            #expect(ended.status == .ok)
            #expect(ended.body.string.contains("\"durationSeconds\":192"))
            // An answer that arrives after the hang-up still gives the call its length.
            let late = ["callId": "c-8", "caller": "13900139001", "extension": "802"]
            _ = try await post(app, late.merging(["event": "ended", "at": "2026-11-30T03:01:00Z"]) { $1 })
            let answered = try await post(
                app, late.merging(["event": "answered", "at": "2026-11-30T03:00:20Z"]) { $1 })
            #expect(answered.body.string.contains("\"durationSeconds\":40"))
            let note = try #require(try await Notification.query(on: app.db).filter(\.$kind == "call").first())
            #expect(note.$user.id == desk.second.user.id && note.text.contains("139****9000"), "a new caller, masked")

            let secondToken = try await makeToken(app, desk.second.user)
            let shown = try await send(app, .GET, "/api/v1/telephony/calls/c-7", token: secondToken)
            #expect(shown.status == .ok)
            let view = try shown.content.decode(TelephonyAPIController.CallView.self)
            #expect(view.recording == "rec/2026/11/30/c-7.wav" && view.answeredAt == "2026-11-30T02:00:05Z")
            #expect(view.durationSeconds == 192)
            let firstToken = try await makeToken(app, desk.first.user)
            #expect(try await send(app, .GET, "/api/v1/telephony/calls/c-7", token: firstToken).status == .notFound)

            // Logging the call from another agent's pop-up is refused by name.
            struct Logged: Encodable {
                let phone: String
                let name: String
                let matter: String
                let summary: String
                let handling: String
                let phoneCallID: Int
            }
            let call = try #require(try await PhoneCall.query(on: app.db).filter(\.$callRef == "c-7").first())
            let matter = try #require(try await CallMatter.query(on: app.db).first()).code
            let body = Logged(
                phone: "13900139000", name: "新客户", matter: matter, summary: "咨询", handling: "answered",
                phoneCallID: call.id!)
            let refused = try await send(app, .POST, "/api/v1/calls", token: firstToken, body: body)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("\"phoneCall\""))
            let logged = try await send(app, .POST, "/api/v1/calls", token: secondToken, body: body)
            #expect(logged.status == .created, "\(logged.body.string)")
            #expect(try await InboundCall.query(on: app.db).first()?.phoneCallID == call.id)
            let twice = try await send(app, .POST, "/api/v1/calls", token: secondToken, body: body)
            #expect(
                twice.status == .unprocessableEntity && twice.body.string.contains("\"phoneCall\""), "one call, once")
        }
    }

    /// The form a pop-up opens shows the number as the pop-up did — masked for an agent who is not the customer's —
    /// and the call is logged with the number the phone system reported.
    @Test func theFormShowsTheNumberMaskedAsThePopUpDidAndLogsTheRealOne() async throws {
        try await withHuifang(Self.environment) { app in
            let desk = try await agents(app)  // the customer is the first agent's; the call rings at the second's
            _ = try await post(app, ["event": "ringing", "callId": "m-1", "caller": "13812345678", "extension": "802"])
            let call = try #require(try await PhoneCall.query(on: app.db).filter(\.$callRef == "m-1").first())
            var second = try await PageClient.signedIn(app, desk.second.user.username, desk.second.password)
            let form = try await second.get("/calls/new?call=\(call.id!)").body.string
            #expect(form.contains("value=\"138****5678\"") && !form.contains("13812345678"))
            let found = try await second.get("/calls/lookup?call=\(call.id!)").body.string
            #expect(found.contains("欧阳娜娜") && !found.contains("13812345678"))
            let matter = try #require(try await CallMatter.query(on: app.db).first()).code
            let logged = try await second.post(
                "/calls",
                form: [
                    "phone": "138****5678", "phoneCall": String(call.id!), "matter": matter, "summary": "查询积分",
                    "handling": "answered", "at": CallPagesController.inputValue(Date(), app.huifang),
                ])
            #expect(logged.status == .seeOther, "\(logged.body.string)")
            let stored = try #require(try await InboundCall.query(on: app.db).first())
            #expect(stored.phone == "+8613812345678" && stored.$customer.id == desk.customer.id)
        }
    }

    @Test func anAttemptNamingItsCallTakesItsStartEndAndRecordingFromThePhoneSystem() async throws {
        try await withHuifang(Self.environment) { app in
            let desk = try await FollowUpTests().desk(app)
            let users = UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date())
            try await users.update(desk.agent, .init(phoneExtension: "805"))
            let mobile = try #require(desk.customer.mobile)
            let answered = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 300).rounded())
            let base = [
                "callId": "o-1", "direction": "outbound", "caller": "805", "called": mobile, "extension": "805",
            ]
            let stamp = { (date: Date) in date.formatted(.iso8601) }
            _ = try await post(app, base.merging(["event": "answered", "at": stamp(answered)]) { $1 })
            let ended = try await post(
                app,
                base.merging(["event": "ended", "at": stamp(answered + 95), "recording": "rec/o-1.wav"]) { $1 })
            #expect(ended.body.string.contains("\"durationSeconds\":95"))

            struct Attempt: Encodable {
                let outcome: String
                let callId: String
                var recordingConsent = true
            }
            let other = try await makeToken(app, try await makeUser(app, .agent, username: "other").user)
            let refused = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/records", token: other,
                body: Attempt(outcome: "noAnswer", callId: "o-1"))
            #expect(refused.status != .created)
            // A call of the agent's with another number is not this customer's contact.
            let elsewhere = ["callId": "o-2", "direction": "outbound", "called": "13900139099", "extension": "805"]
            _ = try await post(app, elsewhere.merging(["event": "ended"]) { $1 })
            let wrongNumber = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/records", token: desk.token,
                body: Attempt(outcome: "noAnswer", callId: "o-2"))
            #expect(wrongNumber.status == .unprocessableEntity && wrongNumber.body.string.contains("\"callId\""))
            let saved = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/records", token: desk.token,
                body: Attempt(outcome: "noAnswer", callId: "o-1"))
            #expect(saved.status == .created, "\(saved.body.string)")
            let record = try #require(try await FollowUpRecord.query(on: app.db).first())
            #expect(record.startedAt == answered && record.endedAt == answered + 95 && record.durationSeconds == 95)
            #expect(record.recordingRef == "rec/o-1.wav")
        }
    }

    /// Issue 17: "the attempt's start and end come from the telephony events when present" — from the workspace,
    /// which names no call: the agent's latest finished call with the customer's number that nothing else took.
    @Test func theWorkspaceTakesTheAttemptsTimesFromTheAgentsLatestCallWithTheCustomer() async throws {
        try await withHuifang(Self.environment) { app in
            let desk = try await FollowUpTests().desk(app)
            let users = UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date())
            try await users.update(desk.agent, .init(phoneExtension: "805"))
            let mobile = try #require(desk.customer.mobile)
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
            let opened = now - 600
            func call(_ id: String, to number: String, answered: Date, seconds: Double) async throws {
                let base = ["callId": id, "direction": "outbound", "called": number, "extension": "805"]
                _ = try await post(app, base.merging(["event": "answered", "at": answered.formatted(.iso8601)]) { $1 })
                let end = (answered + seconds).formatted(.iso8601)
                _ = try await post(app, base.merging(["event": "ended", "at": end]) { $1 })
            }
            try await call("w-0", to: mobile, answered: opened - 3600, seconds: 30)  // long before: not this attempt
            try await call("w-1", to: mobile, answered: now - 300, seconds: 100)
            try await call("w-2", to: "+8613900000000", answered: now - 150, seconds: 40)  // someone else

            var client = try await PageClient.signedIn(app, "wangfang", desk.password)
            let form = ["outcome": "noAnswer", "startedAt": opened.formatted(.iso8601)]
            let saved = try await client.post("/tasks/\(desk.task.id!)/records", form: form)
            #expect(saved.status == .seeOther, "\(saved.body.string)")
            let first = try #require(try await FollowUpRecord.query(on: app.db).sort(\.$id).first())
            let w1 = try #require(try await PhoneCall.query(on: app.db).filter(\.$callRef == "w-1").first())
            #expect(first.phoneCallID == w1.id && first.startedAt == now - 300 && first.durationSeconds == 100)
            var page = try await client.get(try #require(saved.headers.first(name: .location)))
            while let next = page.headers.first(name: .location) { page = try await client.get(next) }
            #expect(page.body.string.contains("通话时间取自电话系统（100 秒）"), "the agent is told where the times came from")

            // One call times one attempt: the next save finds none, and naming the call is refused by name.
            #expect(try await client.post("/tasks/\(desk.task.id!)/records", form: form).status == .seeOther)
            let second = try #require(try await FollowUpRecord.query(on: app.db).sort(\.$id, .descending).first())
            #expect(second.id != first.id && second.phoneCallID == nil && second.startedAt == opened)
            struct Attempt: Encodable {
                let outcome = "noAnswer"
                let callId = "w-1"
            }
            let named = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/records", token: desk.token, body: Attempt())
            #expect(named.status == .unprocessableEntity && named.body.string.contains("\"callId\""))
        }
    }

    /// Saves naming one call at the same moment: one takes it, the others are told so by name.
    // Long: one race between four attempts and two logged calls that all name one phone call.
    @Test func savesAtOnceCannotBothTakeOneCallNeitherTwoAttemptsNorAnAttemptAndALoggedCall() async throws {
        try await withHuifang(Self.environment) { app in
            let desk = try await FollowUpTests().desk(app)
            let users = UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date())
            try await users.update(desk.agent, .init(phoneExtension: "806"))
            let base = ["callId": "r-1", "direction": "outbound", "called": try #require(desk.customer.mobile)]
            _ = try await post(app, base.merging(["event": "answered", "extension": "806"]) { $1 })
            _ = try await post(app, base.merging(["event": "ended"]) { $1 })
            struct Attempt: Encodable {
                let outcome = "noAnswer"
                let callId = "r-1"
            }
            var tasks = [desk.task.id!]  // four open follow-ups of the customer: no task's own guard decides
            for key in ["R2", "R3", "R4"] {
                tasks.append(
                    try await FollowUpTests.task(
                        app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: key
                    ).id!)
            }
            let phoneCall = try #require(try await PhoneCall.query(on: app.db).filter(\.$callRef == "r-1").first()).id
            let matter = try #require(try await CallMatter.query(on: app.db).first()).code
            // The same call logged as an inbound call too (its own table, its own unique index).
            let logged = CallInput(
                phone: "", matter: matter, summary: "回电", handling: "answered", phoneCallID: phoneCall)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for task in tasks {
                    group.addTask {
                        try await send(
                            app, .POST, "/api/v1/tasks/\(task)/records", token: desk.token, body: Attempt()
                        ).status
                    }
                }
                for _ in 0..<2 {
                    group.addTask {
                        try await send(app, .POST, "/api/v1/calls", token: desk.token, body: logged).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .unprocessableEntity }.count == 5, "\(statuses)")
            let attempts = try await FollowUpRecord.query(on: app.db).filter(\.$phoneCallID != nil).count()
            let calls = try await InboundCall.query(on: app.db).filter(\.$phoneCallID != nil).count()
            #expect(attempts + calls == 1, "one call is one contact")
            // A database upgraded to M039 knows which calls its attempts and logged calls had taken.
            try await M039PhoneCallContacts().revert(on: app.db)
            try await M039PhoneCallContacts().prepare(on: app.db)
            let id = try #require(phoneCall)
            #expect(try await PhoneCall.taken([id], on: app.db) == [id])
        }
    }

    @Test func erasingTheCustomerEmptiesTheirNumberAndRecordingFromThePhoneSystemsCalls() async throws {
        try await withHuifang(Self.environment) { app in
            let desk = try await agents(app)
            _ = try await post(app, ["event": "ringing", "callId": "e-1", "caller": "13812345678", "extension": "801"])
            _ = try await post(app, ["event": "ended", "callId": "e-1", "recording": "rec/e-1.wav"])
            struct ErasureBody: Encodable {
                let requestedBy: String
                let reason: String
            }
            let supervisor = try await makeToken(app, try await makeUser(app, .supervisor).user)
            let erased = try await send(
                app, .DELETE, "/api/v1/customers/\(desk.customer.id!)", token: supervisor,
                body: ErasureBody(requestedBy: "本人", reason: "注销"))
            #expect(erased.status == .ok, "\(erased.body.string)")
            let call = try #require(try await PhoneCall.query(on: app.db).filter(\.$callRef == "e-1").first())
            #expect(call.caller == "" && call.recordingRef == nil && call.endedAt != nil)
        }
    }

    @Test func aWrongEventIsNamedAndChangesNothing() async throws {
        try await withHuifang(Self.environment) { app in
            let bad = try await post(app, ["event": "exploded", "callId": "", "extension": "80a", "at": "yesterday"])
            #expect(bad.status == .unprocessableEntity)
            for field in ["event", "callId", "extension", "at"] {
                #expect(bad.body.string.contains("\"\(field)\""), "\(field): \(bad.body.string)")
            }
            #expect(try await PhoneCall.query(on: app.db).count() == 0)
        }
    }
}
