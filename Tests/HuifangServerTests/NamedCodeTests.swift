import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Codes stay in the data; people read names: event attributes, free-text answers, skills and call matters, on the
/// pages, in the API's labels and in the report — and the lists of names are kept by the people who own them.
@Suite struct NamedCodeTests {
    struct Problems: Decodable {
        struct Detail: Decodable {
            struct Field: Decodable { let field: String }
            let fields: [Field]
        }
        let error: Detail
    }

    struct Matters: Codable {
        let matters: [NamedCodeDTO]
    }

    static func fields(_ response: TestingHTTPResponse) throws -> Set<String> {
        Set(try response.content.decode(Problems.self).error.fields.map(\.field))
    }

    /// The follow-up desk of `FollowUpTests` (a repair survey whose third question is free text), with a warranty
    /// event, an agent holding two skills and one reached contact with its answers.
    func desk(_ app: Application) async throws -> FollowUpTests.Desk {
        let desk = try await FollowUpTests().desk(app)
        let event = ServiceEvent()
        event.$customer.id = desk.customer.id!
        event.kind = "warranty_start"
        event.occurredAt = shanghai("2025-11-30 10:00")
        event.occurredOn = "2025-11-30"
        event.attributes = ServiceEvent.encode(["warranty_until": "2027-11-30", "产品": "热水器"])
        event.source = "api"
        try await event.create(on: app.db)
        try await UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date())
            .update(desk.agent, .init(skills: ["vip", "medical"]))
        _ = try await FollowUpTests().record(
            app, desk, at: "2026-03-02 10:34",
            FollowUpTests.input("reached", answers: ["q1": "satisfied", "q2": "5", "q3": "师傅很专业"]))
        return desk
    }

    @Test func theCustomerPageTheWorkspaceAndTheBoardShowNamesInChineseAndEnglish() async throws {
        try await withHuifang { app in
            // setup
            let desk = try await desk(app)
            let (_, password) = try await makeUser(app, .supervisor)
            var supervisor = try await PageClient.signedIn(app, "supervisor1", password)
            var agent = try await PageClient.signedIn(app, "wangfang", desk.password)

            // MUT
            let customer = try await supervisor.get("/customers/\(desk.customer.id!)").body.string
            let board = try await supervisor.get("/tasks").body.string
            let (_, adminPassword) = try await makeUser(app, .admin)
            var admin = try await PageClient.signedIn(app, "admin1", adminPassword)
            let users = try await admin.get("/users").body.string
            let workspace = try await agent.get("/tasks/\(desk.task.id!)").body.string
            supervisor.language = "en"
            let customerEnglish = try await supervisor.get("/customers/\(desk.customer.id!)").body.string
            let boardEnglish = try await supervisor.get("/tasks").body.string

            // validation
            #expect(customer.contains("质保开始") && customer.contains("质保截止日：2027-11-30，产品：热水器"))
            #expect(customer.contains("还有什么意见？：师傅很专业") && customer.contains("服务态度：5/5"))
            #expect(!customer.contains("warranty_until") && !customer.contains("q3："))
            #expect(workspace.contains("质保截止日：2027-11-30") && workspace.contains("还有什么意见？：师傅很专业"))
            #expect(!workspace.contains("warranty_until") && !workspace.contains("q3："))
            #expect(board.contains("医疗回访、VIP 客户") && !board.contains("medical"))
            #expect(!users.contains("medical") && users.contains("VIP 客户"))
            #expect(
                customerEnglish.contains("Warranty start") && customerEnglish.contains("Warranty until: 2027-11-30"))
            #expect(boardEnglish.contains("Medical follow-ups, VIP customers"))
        }
    }

    // Long: one list's story through the API: offered, refused by field, saved, retired, named in the log and report.
    @Test func callMattersAreKeptThroughTheAPIEachRefusedFieldNamedAndRetiredWhenCallsHoldThem() async throws {
        try await withHuifang { app in
            // setup
            let (supervisorUser, supervisorPassword) = try await makeUser(app, .supervisor)
            let supervisor = try await makeToken(app, supervisorUser)
            let agent = try await makeToken(app, makeUser(app, .agent, username: "wangfang").user)
            let points = try await send(
                app, .POST, "/api/v1/calls", token: agent,
                body: CallInput(
                    phone: "13600002222", name: "周大山", at: "2026-03-03 09:12", matter: "points", summary: "问积分",
                    handling: "answered"))
            #expect(points.status == .created, "\(points.body.string)")

            // MUT
            let offered = try await send(app, .GET, "/api/v1/call-matters", token: agent).content.decode(Matters.self)
            let byAgent = try await send(app, .PUT, "/api/v1/call-matters", token: agent, body: offered)
            let bad = try await send(
                app, .PUT, "/api/v1/call-matters", token: supervisor,
                body: Matters(matters: [
                    .init(code: "Bad Code", name: "坏代码", label: nil, active: true),
                    .init(code: "refund", name: "", label: nil, active: true),
                    .init(code: "inquiry", name: "业务咨询", label: nil, active: true),
                    .init(code: "inquiry", name: "再来一次", label: nil, active: true),
                ]))
            let noneActive = try await send(
                app, .PUT, "/api/v1/call-matters", token: supervisor,
                body: Matters(matters: [.init(code: "inquiry", name: "业务咨询", label: nil, active: false)]))
            let saved = try await send(
                app, .PUT, "/api/v1/call-matters", token: supervisor,
                body: Matters(matters: [
                    .init(code: "inquiry", name: "业务咨询", label: nil, active: true),
                    .init(code: "refund", name: "退款", label: nil, active: true),
                ]))
            let retired = try await send(
                app, .POST, "/api/v1/calls", token: agent,
                body: CallInput(phone: "13600002222", matter: "points", summary: "再问积分", handling: "answered"))
            let refund = try await send(
                app, .POST, "/api/v1/calls", token: agent,
                body: CallInput(
                    phone: "13600002222", at: "2026-03-04 10:00", matter: "refund", summary: "退款进度",
                    handling: "answered"))

            // validation
            #expect(offered.matters.first { $0.code == "inquiry" }?.label == "业务咨询")
            #expect(byAgent.status == .forbidden)
            #expect(bad.status == .unprocessableEntity)
            #expect(
                try Self.fields(bad) == ["matters[0].code", "matters[1].name", "matters[3].code"])
            #expect(try Self.fields(noneActive) == ["matters"])
            let list = try saved.content.decode(Matters.self).matters
            #expect(list.map(\.code) == ["inquiry", "refund", "points"], "a matter calls hold is kept, retired")
            #expect(list.map(\.active) == [true, true, false] && list.last?.label == "会员积分")
            #expect(retired.status == .unprocessableEntity)
            #expect(try Self.fields(retired) == ["matter"])
            #expect(refund.status == .created)
            let log = try await send(app, .GET, "/api/v1/calls", token: agent).content.decode(ListPage<CallRow>.self)
            #expect(Set(log.items.map(\.matter)) == ["会员积分", "退款"])
            let march = try #require(ReportPeriod(month: "2026-03"))
            let report = try await ReportService(db: app.db, language: .en).report(march, groupedBy: .none)
            #expect(Set(report.calls.byMatter.map(\.label)) == ["Member points", "退款"])
            #expect(Set(report.calls.byMatter.map(\.key)) == ["points", "refund"], "the report groups by the code")
            struct Logged: Decodable { let customerID: Int? }
            let caller = try #require(try points.content.decode(Logged.self).customerID)
            var page = try await PageClient.signedIn(app, supervisorUser.username, supervisorPassword)
            #expect(try await page.get("/customers/\(caller)").body.string.contains("会员积分 · 问积分"))
        }
    }

    @Test func theCallFormOffersTheListSupervisorsKeepOnTheirPage() async throws {
        try await withHuifang { app in
            // setup
            let (_, password) = try await makeUser(app, .supervisor)
            let (_, agentPassword) = try await makeUser(app, .agent)
            var supervisor = try await PageClient.signedIn(app, "supervisor1", password)
            var agent = try await PageClient.signedIn(app, "agent1", agentPassword)
            _ = try await supervisor.get("/settings/call-matters")

            // MUT
            let refused = try await supervisor.post(
                "/settings/call-matters",
                form: ["row.0.code": "Bad Code", "row.0.name": "坏代码", "row.1.code": "refund", "row.1.name": ""])
            let saved = try await supervisor.post(
                "/settings/call-matters",
                form: [
                    "row.0.code": "inquiry", "row.0.name": "业务咨询", "row.0.active": "1",
                    "row.1.code": "other", "row.1.name": "其他", "row.1.active": "0",
                    "row.2.code": "refund", "row.2.name": "退款",
                ])
            let form = try await agent.get("/calls/new").body.string
            agent.language = "en"
            let english = try await agent.get("/calls/new").body.string

            // validation
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("代码只能使用小写字母、数字和下划线") && refused.body.string.contains("必填"))
            #expect(saved.status == .seeOther)
            #expect(form.contains("<option value=\"inquiry\">业务咨询</option>"))
            #expect(form.contains("<option value=\"refund\">退款</option>"))
            let start = try #require(form.range(of: "<select name=\"matter\"")).lowerBound
            let matters = form[start..<(try #require(form[start...].range(of: "</select>")).lowerBound)]
            #expect(!matters.contains("value=\"other\"") && !matters.contains("value=\"complaint\""))
            #expect(english.contains(">Enquiry</option>") && english.contains(">退款</option>"))
            #expect(try await agent.get("/settings/call-matters").status == .forbidden)
        }
    }

    @Test func theTicketExportNamesTheCategory() async throws {
        try await withHuifang { app in
            // setup
            let (supervisor, password) = try await makeUser(app, .supervisor)
            let agent = try await makeToken(app, makeUser(app, .agent, username: "wangfang").user)
            let call = try await send(
                app, .POST, "/api/v1/calls", token: agent,
                body: CallInput(
                    phone: "13600002222", name: "周大山", matter: "complaint", summary: "店员态度差", handling: "ticket",
                    category: "attitude"))
            #expect(call.status == .created, "\(call.body.string)")
            var page = try await PageClient.signedIn(app, supervisor.username, password)

            // MUT
            let csv = try await page.get("/tickets/export.csv?status=all").body.string

            // validation
            #expect(csv.contains("服务态度") && !csv.contains("attitude"))
        }
    }

    @Test func skillsAndEventAttributesAreNamedByAdminsAndCodesOutsideTheListsAreRefused() async throws {
        try await withHuifang { app in
            // setup
            let admin = try await makeToken(app, makeUser(app, .admin).user)
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            try await UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date())
                .update(agent, .init(skills: ["medical"]))
            let vipOnly = ["skills": [["code": "vip", "name": "VIP 客户"]]]

            // MUT
            let dropsHeld = try await send(app, .PUT, "/api/v1/skills", token: admin, body: vipOnly)
            let unknownSkill = try await send(
                app, .PATCH, "/api/v1/users/\(agent.id!)", token: admin, body: ["skills": ["driving"]])
            let rule = try await send(
                app, .POST, "/api/v1/rules", token: admin,
                body: ["name": "驾驶回访", "kind": "campaign", "campaignDate": "2026-05-01", "requiredSkill": "driving"])
            let badKind = try await send(
                app, .PUT, "/api/v1/event-kinds/repair", token: admin,
                body: EventKindBody(name: "", attributes: [.init(code: "fault", name: "", label: nil, active: nil)]))
            let kind = try await send(
                app, .PUT, "/api/v1/event-kinds/repair", token: admin,
                body: EventKindBody(name: "维修", attributes: [.init(code: "fault", name: "故障", label: nil, active: nil)])
            )

            // validation
            #expect(dropsHeld.status == .unprocessableEntity && unknownSkill.status == .unprocessableEntity)
            #expect(try Self.fields(dropsHeld) == ["skills"])
            #expect(try Self.fields(unknownSkill) == ["skills"])
            #expect(rule.status == .unprocessableEntity)
            #expect(try Self.fields(rule).contains("requiredSkill"))
            #expect(try Self.fields(badKind) == ["name", "attributes[0].name"])
            #expect(kind.status == .ok)
            let kinds = try await send(app, .GET, "/api/v1/event-kinds", token: admin).content.decode(
                [EventAPIController.Kind].self)
            let repair = try #require(kinds.first { $0.code == "repair" })
            #expect(repair.attributes?.map(\.code) == ["fault"] && repair.attributes?.first?.label == "故障")
            #expect(kinds.first { $0.code == "warranty_start" }?.attributes?.first?.label == "质保截止日")
        }
    }

    struct EventKindBody: Content {
        let name: String
        let attributes: [NamedCodeDTO]
    }
}
