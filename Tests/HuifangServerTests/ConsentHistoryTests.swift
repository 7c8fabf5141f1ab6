import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Consent is a history, not a flag (issue 15): every writer of a customer's consent or do-not-disturb flag adds a
/// row (when, how, by whom) in its transaction; the export and the customer's page show it; the customer opts out
/// themselves by replying to an SMS or on their survey page, and nothing more is sent to them.
@Suite struct ConsentHistoryTests {
    /// The customer's consent history, oldest first, as `how actor consent/dnd` lines.
    static func history(_ app: Application, _ id: Int) async throws -> [String] {
        try await ConsentLedger(db: app.db, now: Date()).history(of: id).map {
            "\($0.how) \($0.actorName ?? "-") \($0.consent ? "Y" : "N")/\($0.doNotDisturb ? "D" : "-")"
        }
    }

    struct Created: Decodable { let id: Int }

    @Test func theAPIAndThePagesAddARowForANewCustomerAndEachChangeOfAFlagOnly() async throws {
        try await withHuifang { app in
            let (supervisor, password) = try await makeUser(app, .supervisor)
            let token = try await makeToken(app, supervisor)
            let created = try await send(
                app, .POST, "/api/v1/customers", token: token,
                body: ["name": "王芳", "mobile": "13812345678"])
            #expect(created.status == .created)
            let id = try created.content.decode(Created.self).id
            #expect(try await Self.history(app, id) == ["api supervisor1 Y/-"])
            // Notes alone change no flag: no row. The flag: a row.
            _ = try await send(app, .PATCH, "/api/v1/customers/\(id)", token: token, body: ["notes": "老客户"])
            #expect(try await Self.history(app, id).count == 1)
            let quiet = try await send(
                app, .PATCH, "/api/v1/customers/\(id)", token: token, body: ["doNotDisturb": true])
            #expect(quiet.status == .ok)
            #expect(try await Self.history(app, id) == ["api supervisor1 Y/-", "api supervisor1 Y/D"])

            var client = try await PageClient.signedIn(app, supervisor.username, password)
            let page = try await client.post("/customers", form: ["name": "李娜", "mobile": "13912345678"])
            #expect(page.status == .seeOther)
            let li = try #require(try await Customer.query(on: app.db).filter(\.$name == "李娜").first())
            #expect(try await Self.history(app, li.id!) == ["page supervisor1 N/-"])
            let form = ["name": "李娜", "mobile": "13912345678", "tier": "普通", "consent": "1"]
            #expect(try await client.post("/customers/\(li.id!)", form: form).status == .seeOther)
            #expect(try await client.post("/customers/\(li.id!)", form: form).status == .seeOther)
            #expect(try await Self.history(app, li.id!) == ["page supervisor1 N/-", "page supervisor1 Y/-"])
            // The rows are kept with the customer's flags, which stay on the customer (the planner reads them).
            let stored = try #require(try await Customer.find(li.id, on: app.db))
            #expect(stored.consent && !stored.doNotDisturb)
        }
    }

    @Test func anImportAddsARowForEachNewCustomerAndEachMatchedOneWhoseFlagsChanged() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let first = """
                会员编号,姓名,手机,免打扰
                HY001,王芳,13812345678,否
                HY002,李娜,13912345678,否
                """
            #expect(try await ImportTests().upload(app, token, first).1.created == 2)
            let second = """
                会员编号,姓名,手机,免打扰,备注
                HY001,王芳,13812345678,是,
                HY002,李娜,13912345678,否,换了地址
                HY003,张伟,13712345678,是,
                """
            let (status, report) = try await ImportTests().upload(app, token, second)
            #expect(status == .ok && report.created == 1 && report.updated == 2)
            func id(_ member: String) async throws -> Int {
                try #require(try await Customer.query(on: app.db).filter(\.$externalID == member).first()?.id)
            }
            #expect(try await Self.history(app, id("HY001")) == ["import supervisor1 Y/-", "import supervisor1 Y/D"])
            #expect(try await Self.history(app, id("HY002")) == ["import supervisor1 Y/-"])
            #expect(try await Self.history(app, id("HY003")) == ["import supervisor1 Y/D"])
        }
    }

    @Test func doNotCallOnAFollowUpAndACallFromANewNumberAreRecordedAsCalls() async throws {
        try await withHuifang { app in
            let followUp = FollowUpTests()
            let desk = try await followUp.desk(app)
            _ = try await followUp.record(app, desk, at: "2026-03-02 10:34", FollowUpTests.input("doNotCall"))
            let rows = try await ConsentLedger(db: app.db, now: Date()).history(of: desk.customer.id!)
            #expect(rows.map(\.how) == ["command_line", "call"])
            #expect(rows.last?.doNotDisturb == true && rows.last?.note == "task \(desk.task.id!)")
            let call = try await send(
                app, .POST, "/api/v1/calls", token: desk.token,
                body: CallInput(
                    phone: "137 1234 5678", name: "赵磊", at: "2026-03-03 09:12", matter: "repair", summary: "问保修期",
                    handling: "answered"))
            #expect(call.status == .created, "\(call.body.string)")
            let caller = try #require(
                try await Customer.query(on: app.db).filter(\.$mobile == "+8613712345678").first())
            #expect(try await Self.history(app, caller.id!) == ["call wangfang Y/-"])
        }
    }

    @Test func theHistoryBeginsWithEachCustomersStateAndItsIdsAreNeverReused() async throws {
        try await withHuifang { app in
            let store = CustomerStore(db: app.db, now: Date())
            let wang = try await store.create(
                CustomerRecord(name: "王芳", tier: "普通", doNotDisturb: true), by: .commandLine())
            let li = try await store.create(CustomerRecord(name: "李娜", tier: "普通", consent: false), by: .commandLine())
            // The upgrade, again from the start: one row per customer, how = migration, no one named.
            try await M026ConsentHistory().revert(on: app.db)
            try await M026ConsentHistory().prepare(on: app.db)
            #expect(try await Self.history(app, wang.id!) == ["migration - Y/D"])
            #expect(try await Self.history(app, li.id!) == ["migration - N/-"])
            let sql = app.db.sql
            if sql.dialect.name == "sqlite" {
                let table = try await sql.raw("SELECT sql FROM sqlite_master WHERE name = 'customer_consents'")
                    .first()?.decode(column: "sql", as: String.self)
                #expect(table?.contains("AUTOINCREMENT") == true)
            }
            // The newest row deleted, its id does not come back.
            let last = try #require(try await CustomerConsent.query(on: app.db).sort(\.$id, .descending).first())
            try await last.delete(on: app.db)
            let zhang = try await store.create(CustomerRecord(name: "张伟", tier: "普通"), by: .commandLine())
            let next = try #require(try await ConsentLedger(db: app.db, now: Date()).history(of: zhang.id!).first)
            #expect(next.id! > last.id!)
            // The rows go when the customer is erased.
            _ = try await app.domain(as: .commandLine()).customerErasure.erase(
                wang, request: try ErasureRequest(requestedBy: "本人", reason: "注销"))
            #expect(try await Self.history(app, wang.id!).isEmpty)
        }
    }

    @Test func theExportAndTheCustomersPageShowTheHistory() async throws {
        try await withHuifang { app in
            let (supervisor, password) = try await makeUser(app, .supervisor)
            let token = try await makeToken(app, supervisor)
            let created = try await send(
                app, .POST, "/api/v1/customers", token: token, body: ["name": "王芳", "mobile": "13812345678"])
            let id = try created.content.decode(Created.self).id
            _ = try await send(app, .PATCH, "/api/v1/customers/\(id)", token: token, body: ["consent": false])
            let customer = try #require(try await Customer.find(id, on: app.db))
            try await CustomerOptOut(db: app.db, config: app.huifang, now: Date()).optOut(
                [customer], how: .smsReply, note: nil, address: nil)

            let archive = try await send(app, .GET, "/api/v1/customers/\(id)/export", token: token)
            let files = CustomerExportTests.unzip(Array(archive.body.readableBytesView))
            let json = try #require(files["customer-\(id).json"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
            let consent = try #require(document["consent"] as? [String: Any])
            let history = try #require(consent["history"] as? [[String: Any]])
            #expect(history.map { $0["how"] as? String } == ["api", "api", "sms_reply"])
            #expect(history.map { $0["actor"] as? String } == ["supervisor1", "supervisor1", nil])
            #expect(Set(history[2].keys) == ["at", "consent", "doNotDisturb", "how"])
            #expect(history[2]["consent"] as? Bool == false && history[2]["doNotDisturb"] as? Bool == true)
            let html = String(decoding: try #require(files["customer-\(id).html"]), as: UTF8.self)
            #expect(html.contains("短信回复（客户本人）") && html.contains("客户本人"))

            var client = try await PageClient.signedIn(app, supervisor.username, password)
            let page = try await client.get("/customers/\(id)")
            #expect(page.status == .ok)
            let table = String(try #require(page.body.string.firstMatch(of: /id="consent-history"[\s\S]*?<\/table>/)).0)
            #expect(table.contains("接口") && table.contains("短信回复（客户本人）") && table.contains("supervisor1"))
        }
    }

    // MARK: Replies by SMS

    static let inboundToken = "inbound-token-0123456789"

    func reply(
        _ app: Application, _ body: String, token: String? = Self.inboundToken, language: String? = nil
    ) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        headers.contentType = .json
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        if let language { headers.replaceOrAdd(name: .acceptLanguage, value: language) }
        return try await app.testing().sendRequest(
            .POST, "/api/v1/sms/inbound", headers: headers, body: ByteBuffer(string: body))
    }

    struct Answer: Decodable {
        let action: String
        let matched: Int
    }

    @Test func withoutItsTokenConfiguredTheInboundEndpointIsNotThere() async throws {
        try await withHuifang { app in
            let response = try await reply(app, #"{"from": "13800138000", "text": "T"}"#)
            #expect(response.status == .notFound)
        }
    }

    @Test func theGatewayMustShowItsTokenAndSendAReadableReply() async throws {
        try await withHuifang(["HUIFANG_SMS_INBOUND_TOKEN": Self.inboundToken]) { app in
            let body = #"{"from": "13800138000", "text": "T"}"#
            #expect(try await reply(app, body, token: nil).status == .unauthorized)
            #expect(try await reply(app, body, token: "inbound-token-0123456780").status == .unauthorized)
            #expect(try await reply(app, body, token: "inbound").status == .unauthorized)
            let user = try await makeToken(app, makeUser(app, .admin).user)
            #expect(try await reply(app, body, token: user).status == .unauthorized, "a user's token is not it")
            #expect(try await reply(app, #"{"from": "13800138000", "text": "T""#).status == .badRequest)
            let wrongType = try await reply(app, #"{"from": 13800138000, "text": "T"}"#)
            #expect(wrongType.status == .badRequest && wrongType.body.string.contains("from"))
            let missing = try await reply(app, #"{"text": "T", "received_at": "soon"}"#, language: "en")
            #expect(missing.status == .unprocessableEntity)
            let fields = try missing.content.decode(APIErrorBody.self).error.fields
            #expect(fields.map(\.field) == ["from", "received_at"])
            #expect(fields[0].message == "must be a mobile number")
            let chinese = try await reply(app, #"{"from": "13800138000"}"#)
            #expect(chinese.status == .unprocessableEntity && chinese.body.string.contains("短信内容"))
        }
    }

    @Test(arguments: ["T", "TD", "退订", "n"])
    func aReplyThatOptsOutMarksEveryCustomerWithTheNumberAndCancelsTheirMessages(text: String) async throws {
        try await withHuifang(["HUIFANG_SMS_INBOUND_TOKEN": Self.inboundToken]) { app in
            let store = CustomerStore(db: app.db, now: Date())
            let mobile = try PhoneNumber(parsing: "13800138000")
            let wang = try await store.create(
                CustomerRecord(name: "王芳", mobile: mobile, tier: "普通"), by: .commandLine())
            let li = try await store.create(
                CustomerRecord(name: "李娜", mobile: mobile, tier: "普通", externalID: "HY2"), by: .commandLine())
            let other = try await store.create(
                CustomerRecord(name: "张伟", mobile: try PhoneNumber(parsing: "13900139000"), tier: "普通"),
                by: .commandLine())
            for customer in [wang, other] {
                _ = try await Outbox.enqueue(
                    channel: "sms", to: customer.mobile!, subject: "", body: "问卷", customerID: customer.id!,
                    taskID: nil, now: Date(), on: app.db)
            }
            let response = try await reply(
                app, #"{"from": "+86 138 0013 8000", "text": " \#(text) ", "received_at": "2026-03-02T10:34:00+08:00"}"#
            )
            #expect(response.status == .ok)
            let answer = try response.content.decode(Answer.self)
            #expect(answer.action == "opt_out" && answer.matched == 2)
            for customer in [wang, li] {
                #expect(try await Customer.find(customer.id, on: app.db)!.doNotDisturb)
                let rows = try await ConsentLedger(db: app.db, now: Date()).history(of: customer.id!)
                #expect(rows.map(\.how) == ["command_line", "sms_reply"])
                #expect(rows[1].actorID == nil && rows[1].actorName == nil)
                #expect(rows[1].note == "received 2026-03-02T02:34:00Z")
            }
            #expect(try await !Customer.find(other.id, on: app.db)!.doNotDisturb)
            let messages = try await MailMessage.query(on: app.db).sort(\.$id).all().map(\.status)
            #expect(messages == [.cancelled, .pending])
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.optOut").sort(\.$id).all()
            #expect(audit.map(\.subjectID) == [String(wang.id!), String(li.id!)])
            #expect(audit.allSatisfy { $0.detail == "sms_reply" })
            // The customer's number is nowhere in the audit log (the entries name the customer's id and how).
            for entry in try await AuditEntry.query(on: app.db).all() {
                #expect(!(entry.detail ?? "").contains("8000") && !(entry.subjectID ?? "").contains("8000"))
            }
            // Replying again keeps the customer's word, changes nothing else.
            #expect(try await reply(app, #"{"from": "13800138000", "text": "T"}"#).status == .ok)
            #expect(try await Self.history(app, wang.id!).count == 3)
        }
    }

    @Test func anUnknownNumberMatchesNobodyAndAnyOtherTextIsIgnored() async throws {
        try await withHuifang(["HUIFANG_SMS_INBOUND_TOKEN": Self.inboundToken]) { app in
            let wang = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "王芳", mobile: try PhoneNumber(parsing: "13800138000"), tier: "普通"),
                by: .commandLine())
            let unknown = try await reply(app, #"{"from": "13700137000", "text": "退订"}"#)
            #expect(unknown.status == .ok)
            let nobody = try unknown.content.decode(Answer.self)
            #expect(nobody.action == "opt_out" && nobody.matched == 0)
            let audits = try await AuditEntry.query(on: app.db).count()
            let chat = try await reply(app, #"{"from": "13800138000", "text": "谢谢，师傅很专业 T"}"#)
            #expect(chat.status == .ok)
            let ignored = try chat.content.decode(Answer.self)
            #expect(ignored.action == "ignored" && ignored.matched == 0)
            #expect(try await !Customer.find(wang.id, on: app.db)!.doNotDisturb)
            #expect(try await Self.history(app, wang.id!).count == 1)
            #expect(try await AuditEntry.query(on: app.db).count() == audits, "stored nowhere")
        }
    }

    // MARK: The survey page

    @Test func stopContactingMeOnTheSurveyPageMarksTheCustomerAndNothingMoreIsSent() async throws {
        try await withHuifang { app in
            let followUp = FollowUpTests()
            let desk = try await followUp.desk(app)
            let sent = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/survey-links", token: desk.token, body: ["channel": "sms"])
            #expect(sent.status == .created)
            let message = try #require(try await MailMessage.query(on: app.db).first())
            let token = followUp.token(
                String(try #require(message.body.firstMatch(of: /\/s\/[0-9A-Za-z_-]+/)).0))
            let form = try await app.testing().sendRequest(.GET, "/s/\(token)")
            #expect(form.body.string.contains("href=\"/s/\(token)/stop\"") && form.body.string.contains("不再联系我"))
            // Step one only asks.
            let confirm = try await app.testing().sendRequest(.GET, "/s/\(token)/stop")
            #expect(confirm.status == .ok && confirm.body.string.contains("action=\"/s/\(token)/stop\""))
            #expect(try await !Customer.find(desk.customer.id, on: app.db)!.doNotDisturb)
            let forged = try await app.testing().sendRequest(.POST, "/s/1-2-x/stop")
            #expect(forged.status == .notFound)

            let done = try await app.testing().sendRequest(.POST, "/s/\(token)/stop")
            #expect(done.status == .ok && done.body.string.contains("id=\"state-stopped\""))
            #expect(try await Customer.find(desk.customer.id, on: app.db)!.doNotDisturb)
            let rows = try await ConsentLedger(db: app.db, now: Date()).history(of: desk.customer.id!)
            #expect(rows.last?.how == "survey_link" && rows.last?.actorName == nil)
            #expect(try await MailMessage.find(message.id, on: app.db)!.status == .cancelled)
            let again = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/survey-links", token: desk.token, body: ["channel": "sms"])
            #expect(again.status == .unprocessableEntity && again.body.string.contains("免打扰"))
            #expect(try await MailMessage.query(on: app.db).count() == 1)
            let english = try await app.testing().sendRequest(
                .GET, "/s/\(token)/stop", headers: ["Accept-Language": "en"])
            #expect(english.status == .ok)
        }
    }

    @Test func theOutboxSendsNothingToACustomerWhoMayNoLongerBeContacted() async throws {
        try await withHuifang { app in
            let store = CustomerStore(db: app.db, now: Date())
            var ids: [Int] = []
            for (name, number) in [("王芳", "13800138000"), ("李娜", "13900139000"), ("张伟", "13700137000")] {
                let customer = try await store.create(
                    CustomerRecord(name: name, mobile: try PhoneNumber(parsing: number), tier: "普通"),
                    by: .commandLine())
                ids.append(
                    try await Outbox.enqueue(
                        channel: "sms", to: customer.mobile!, subject: "", body: "问卷", customerID: customer.id!,
                        taskID: nil, now: Date(), on: app.db))
                // A writer that sets the flag without the ledger (a database tool) still stops the message.
                if name == "李娜" { customer.doNotDisturb = true } else if name == "张伟" { customer.consent = false }
                try await customer.update(on: app.db)
            }
            let delivery = try await app.domain(as: .job).outbox.deliver(now: Date())
            #expect(delivery.sent == 1 && delivery.cancelled == 2)
            let statuses = try await MailMessage.query(on: app.db).sort(\.$id).all()
            #expect(statuses.map(\.status) == [.sent, .cancelled, .cancelled])
            #expect(statuses[1].lastError == Outbox.noContactNote && statuses[1].sentAt == nil)
        }
    }
}
