import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// A member's data exported on request (PIPL access and portability): one ZIP with the JSON document and a readable
/// summary, from the API, the page and the command line; supervisors and admins only; audited.
@Suite struct CustomerExportTests {
    /// The files of a ZIP archive by name.
    static func unzip(_ bytes: [UInt8]) -> [String: [UInt8]] {
        (try? ZipFile.read(bytes)) ?? [:]
    }

    struct Member {
        let customerID: Int
        let supervisorToken: String
        let agentToken: String
        let supervisor: User
        let supervisorPassword: String
    }

    /// A customer with a repair event, a completed follow-up (survey answers, a corrected mobile number, notes with
    /// markup), a second task whose survey link went out by SMS, a complaint call that became a ticket, and a
    /// supervisor who viewed the profile.
    func member(_ app: Application, remark: String = "师傅很专业") async throws -> Member {
        let followUp = FollowUpTests()
        let desk = try await followUp.desk(app)
        var input = FollowUpTests.input("reached", answers: ["q1": "satisfied", "q2": "5", "q3": remark])
        input.startedAt = "2026-03-02 10:30:00"
        input.endedAt = "2026-03-02 10:33:20"
        input.notes = "客户说<b>空调</b>运转正常"
        input.corrections = ["mobile": "13900139000"]
        _ = try await followUp.record(app, desk, at: "2026-03-02 10:34", input)
        let customer = try #require(try await Customer.find(desk.customer.id, on: app.db))
        _ = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
            task: try await FollowUpTests.task(app, customer: customer, agent: desk.agent, rule: desk.rule, key: "R2"),
            channel: "sms", by: .commandLine())
        try await Department(name: "售后服务部").create(on: app.db)
        let call = try await send(
            app, .POST, "/api/v1/calls", token: desk.token,
            body: CallInput(
                phone: "139 0013 9000", at: "2026-03-03 09:12", matter: "complaint", summary: "空调外机有异响",
                handling: "ticket", category: "damage", ticketKind: "complaint", severity: "general",
                department: "售后服务部"))
        #expect(call.status == .created, "\(call.body.string)")
        let (supervisor, password) = try await makeUser(app, .supervisor)
        let supervisorToken = try await makeToken(app, supervisor)
        #expect(try await send(app, .GET, "/api/v1/customers/\(customer.id!)", token: supervisorToken).status == .ok)
        return Member(
            customerID: customer.id!, supervisorToken: supervisorToken, agentToken: desk.token,
            supervisor: supervisor, supervisorPassword: password)
    }

    @Test func aSupervisorExportsEverySectionOfTheCustomersDataAsAZip() async throws {
        try await withHuifang { app in
            // setup
            let member = try await member(app)
            let id = member.customerID
            // MUT
            let response = try await send(app, .GET, "/api/v1/customers/\(id)/export", token: member.supervisorToken)
            // validation
            #expect(response.status == .ok)
            #expect(response.headers.contentType == HTTPMediaType(type: "application", subType: "zip"))
            #expect(
                response.headers.first(name: .contentDisposition) == "attachment; filename=\"customer-\(id).zip\"")
            #expect(response.headers.first(name: .cacheControl) == "no-store", "no cache keeps a member's data")
            let files = Self.unzip(Array(response.body.readableBytesView))
            #expect(Set(files.keys) == ["customer-\(id).json", "customer-\(id).html"])
            let json = try #require(files["customer-\(id).json"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
            try Self.checkSections(document, member: member)
            let html = String(decoding: try #require(files["customer-\(id).html"]), as: UTF8.self)
            #expect(html.contains("<h1>客户个人信息导出：李娜</h1>") && html.contains("13900139000"))
            for heading in ["服务事件", "回访任务", "回访记录与问卷回答", "工单及处理过程", "来电记录", "发送的短信和邮件"] {
                #expect(html.contains("<h2>\(heading)</h2>"), "\(heading)")
            }
            #expect(html.contains("您对本次维修总体是否满意？") && html.contains("空调外机有异响"))
            #expect(html.contains("客户说&lt;b&gt;空调&lt;/b&gt;运转正常") && !html.contains("<b>"))
            #expect(!html.contains("<script") && !html.contains(" src=") && !html.contains("<link"))
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.export").all()
            #expect(audit.count == 1)
            #expect(audit.first?.subjectType == "customer" && audit.first?.subjectID == String(id))
            #expect(audit.first?.actorName == member.supervisor.username)
            let detail = audit.first?.detail ?? ""
            #expect(!detail.contains("李娜") && !detail.contains("139") && detail.contains("tickets=1"))
        }
    }

    /// Every section of the JSON document holds what the member's history has.
    static func checkSections(_ document: [String: Any], member: Member) throws {
        #expect(document["format"] as? String == "huifang.customer-export" && document["version"] as? Int == 1)
        #expect(document["timeZone"] as? String == "Asia/Shanghai")
        #expect((document["exportedAt"] as? String)?.hasSuffix("Z") == true)
        let customer = try #require(document["customer"] as? [String: Any])
        #expect(customer["name"] as? String == "李娜" && customer["mobile"] as? String == "+8613900139000")
        #expect(customer["email"] as? String == "lina@example.com" && customer["id"] as? Int == member.customerID)
        let changes = try #require(document["changes"] as? [[String: Any]])
        #expect(changes.contains { $0["field"] as? String == "created" && $0["newValue"] as? String == "李娜" })
        #expect(changes.contains { $0["field"] as? String == "mobile" && $0["newValue"] as? String == "13900139000" })
        let consent = try #require(document["consent"] as? [String: Any])
        #expect(consent["consent"] as? Bool == true && consent["doNotDisturb"] as? Bool == false)
        #expect((consent["changes"] as? [Any])?.isEmpty == true)
        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.count == 1 && events.first?["kind"] as? String == "repair")
        #expect((events.first?["attributes"] as? [String: String]) == ["产品": "空调"])
        #expect(events.first?["occurredAt"] as? String == "2026-02-27T02:00:00Z")
        let tasks = try #require(document["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["status"] as? String } == ["completed", "open"])
        let reasons = try #require(tasks.first?["reasons"] as? [[String: Any]])
        #expect(
            reasons.first?["rule"] as? String == "维修后回访" && reasons.first?["triggeredOn"] as? String == "2026-02-27")
        let contacts = try #require(document["contacts"] as? [[String: Any]])
        #expect(contacts.count == 1 && contacts.first?["durationSeconds"] as? Int == 200)
        #expect(contacts.first?["notes"] as? String == "客户说<b>空调</b>运转正常")
        let answers = try #require(contacts.first?["answers"] as? [[String: Any]])
        #expect(answers.map { $0["value"] as? String } == ["satisfied", "5", "师傅很专业"])
        #expect(answers.first?["question"] as? String == "您对本次维修总体是否满意？")
        let tickets = try #require(document["tickets"] as? [[String: Any]])
        #expect(tickets.count == 1 && tickets.first?["kind"] as? String == "complaint")
        #expect(tickets.first?["department"] as? String == "售后服务部")
        let timeline = try #require(tickets.first?["timeline"] as? [[String: Any]])
        #expect(timeline.first?["action"] as? String == "open")
        let calls = try #require(document["calls"] as? [[String: Any]])
        #expect(calls.count == 1 && calls.first?["summary"] as? String == "空调外机有异响")
        #expect(calls.first?["phone"] as? String == "+8613900139000" && calls.first?["handling"] as? String == "ticket")
        let messages = try #require(document["messages"] as? [[String: Any]])
        #expect(messages.count == 1 && messages.first?["channel"] as? String == "sms")
        #expect(messages.first?["to"] as? String == "+8613900139000")
        let access = try #require(document["access"] as? [[String: Any]])
        #expect(access.contains { $0["action"] as? String == "customer.create" })
        #expect(
            access.contains {
                $0["action"] as? String == "customer.view" && $0["actor"] as? String == member.supervisor.username
            })
        #expect(access.allSatisfy { $0["address"] == nil }, "staff addresses are not part of the member's data")
    }

    @Test func theSummaryEscapesMarkupHiddenInsideACharacter() {
        // A prepended (U+0600) or combining (U+0301) scalar makes one Swift Character with the "<".
        for text in ["\u{0600}<img src=x onerror=alert(1)>", "<\u{0301}script>alert(1)</script>", "a\"b'c&d"] {
            let escaped = CustomerExportSummary.escape(text)
            #expect(!escaped.unicodeScalars.contains { "<>\"'".unicodeScalars.contains($0) }, "\(escaped)")
        }
    }

    @Test func onlySupervisorsAndAdminsMayExportAndAnUnknownCustomerIsNotFound() async throws {
        try await withHuifang { app in
            // setup
            let member = try await member(app)
            let admin = try await makeToken(app, try await makeUser(app, .admin).user)
            let handler = try await makeToken(app, try await makeUser(app, .handler).user)
            let analyst = try await makeToken(app, try await makeUser(app, .analyst).user)
            let path = "/api/v1/customers/\(member.customerID)/export"
            // MUT, validation
            #expect(try await send(app, .GET, path, token: member.agentToken).status == .forbidden)
            #expect(try await send(app, .GET, path, token: handler).status == .forbidden)
            #expect(try await send(app, .GET, path, token: analyst).status == .forbidden)
            #expect(try await send(app, .GET, path, token: admin).status == .ok)
            let unknown = try await send(
                app, .GET, "/api/v1/customers/\(member.customerID + 1000)/export", token: member.supervisorToken)
            #expect(unknown.status == .notFound)
            let exports = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.export").count()
            #expect(exports == 1, "refused and unknown exports are not exports")
        }
    }

    @Test func theProfileOffersTheExportToSupervisorsAndThePageDownloadsTheArchive() async throws {
        try await withHuifang { app in
            // setup
            let member = try await member(app)
            var supervisor = try await PageClient.signedIn(
                app, member.supervisor.username, member.supervisorPassword)
            var agent = try await PageClient.signedIn(app, "wangfang", "password-agent")
            // MUT
            let profile = try await supervisor.get("/customers/\(member.customerID)")
            let download = try await supervisor.post("/customers/\(member.customerID)/export", form: [:])
            let forged = try await supervisor.post(
                "/customers/\(member.customerID)/export", form: [:], csrf: "forged")
            let agentsProfile = try await agent.get("/customers/\(member.customerID)")
            // validation
            #expect(profile.body.string.contains("action=\"/customers/\(member.customerID)/export\""))
            #expect(!agentsProfile.body.string.contains("/customers/\(member.customerID)/export"))
            #expect(download.status == .ok)
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            let files = Self.unzip(Array(download.body.readableBytesView))
            #expect(files["customer-\(member.customerID).json"] != nil)
            #expect(try await agent.post("/customers/\(member.customerID)/export", form: [:]).status == .forbidden)
            #expect(forged.status == .forbidden, "another site cannot make a supervisor's browser export")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "customer.export").count() == 1)
        }
    }

    @Test func theCommandLineWritesTheArchiveOnceAuditedAsTheCommandLine() async throws {
        try await withHuifang { app in
            // setup
            let member = try await member(app)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("member.zip").path
            // MUT
            let message = try await Operations.exportCustomer(on: app, id: member.customerID, output: file)
            // validation
            #expect(message.contains(file))
            let bytes = try #require(FileManager.default.contents(atPath: file))
            let files = Self.unzip(Array(bytes))
            let json = String(decoding: try #require(files["customer-\(member.customerID).json"]), as: UTF8.self)
            #expect(json.contains("\"name\" : \"李娜\""))
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            await #expect(throws: OperationError.self) {
                try await Operations.exportCustomer(on: app, id: member.customerID, output: file)
            }
            await #expect(throws: OperationError.self) {
                try await Operations.exportCustomer(on: app, id: member.customerID + 1000, output: file + "2")
            }
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.export").all()
            #expect(audit.count == 1 && audit.first?.actorName.hasPrefix("命令行") == true)
        }
    }
}
