import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct PlanningTests {
    struct Report: Decodable {
        struct Problem: Decodable {
            let line: Int
            let field: String
            let reason: String
        }
        let created: Int
        let updated: Int
        let unchanged: Int
        let failed: Int
        let problems: [Problem]
    }
    struct Task: Decodable {
        let id: Int
        let customerName: String
        let mobile: String?
        let reasons: [String]
        let agent: String?
        let assignment: String?
    }

    @discardableResult
    func makeCustomer(
        _ app: Application, _ name: String, member: String, tier: String = "金卡", agent: UUID? = nil,
        consent: Bool = true, doNotDisturb: Bool = false
    ) async throws -> Customer {
        let customer = Customer()
        customer.name = name
        customer.mobile = "+86139" + String(format: "%08d", Int(member.dropFirst())!)
        customer.tier = tier
        customer.externalID = member
        customer.registeredOn = "2020-01-01"
        customer.$assignedAgent.id = agent
        customer.consent = consent
        customer.doNotDisturb = doNotDisturb
        try await customer.create(on: app.db)
        return customer
    }

    /// Only the 7-day discharge rule stays enabled, so each test reasons about one rule.
    func onlyDischargeRule(_ app: Application) async throws {
        for record in try await RuleRecord.query(on: app.db).all() {
            record.isEnabled = record.name == "出院七日回访"
            try await record.update(on: app.db)
        }
    }

    @Test func eventsPostedThroughTheAPIAreAllOrNothingAndIdempotentByExternalID() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            try await makeCustomer(app, "张伟", member: "M0001")
            let bad = [
                "events": [
                    EventInput(externalID: "E1", memberID: "M0001", kind: "discharge", occurredAt: "2025-09-26 10:00"),
                    EventInput(externalID: "E2", memberID: "M0001", kind: "飞行", occurredAt: "2025-09-26"),
                ]
            ]
            let refused = try await send(app, .POST, "/api/v1/events", token: token, body: bad)
            #expect(refused.status == .unprocessableEntity)
            let report = try refused.content.decode(Report.self)
            #expect(report.created == 0 && report.failed == 1)
            #expect(report.problems.first?.line == 2 && report.problems.first?.field == "kind")
            #expect(
                try await ServiceEvent.query(on: app.db).count() == 0, "nothing is written when one item is refused")

            let good = [
                "events": [
                    EventInput(
                        externalID: "E1", memberID: "M0001", kind: "discharge", occurredAt: "2025-09-26 10:00",
                        attributes: ["科室": "心内科"]),
                    EventInput(externalID: "E2", mobile: "13900000001", kind: "出院", occurredAt: "2025-09-27"),
                ]
            ]
            let created = try await send(app, .POST, "/api/v1/events", token: token, body: good)
            #expect(created.status == .created)
            #expect(try created.content.decode(Report.self).created == 2)
            let again = try await send(app, .POST, "/api/v1/events", token: token, body: good)
            #expect(try again.content.decode(Report.self).unchanged == 2)
            #expect(try await ServiceEvent.query(on: app.db).count() == 2)

            let csv =
                "事件编号,会员编号,事件类型,发生时间,产品\r\nE3,M0001,purchase,2025-10-01 09:30,轮胎\r\nE4,M9999,purchase,2025-10-01,机油\r\n"
            let imported = try await app.testing().performTest(
                request: .init(
                    method: .POST, url: .init(path: "/api/v1/events/import"),
                    headers: bearer(token), body: ByteBuffer(bytes: TextDecoding.encodeGB18030(csv)!)))
            let importReport = try imported.content.decode(Report.self)
            #expect(importReport.created == 1 && importReport.failed == 1 && importReport.problems.first?.line == 3)
            let tire = try await ServiceEvent.query(on: app.db).filter(\.$externalID == "E3").first()
            #expect(tire?.attributeValues == ["产品": "轮胎"])
        }
    }

    // Long: one planning story end to end: events posted, the day planned twice, tasks handed to agents.
    @Test func thePlannerCreatesEachTaskOnceSkipsDoNotDisturbAndGivesTasksToSkilledAgents() async throws {
        try await withHuifang { app in
            try await onlyDischargeRule(app)
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let (wang, _) = try await makeUser(app, .agent, username: "wang")
            let (li, _) = try await makeUser(app, .agent, username: "li")
            let (zhao, _) = try await makeUser(app, .agent, username: "zhao")
            for (user, skills) in [(wang, "medical"), (li, "medical,vip"), (zhao, "")] {
                user.skills = skills
                try await user.update(on: app.db)
            }
            try await makeCustomer(app, "王一", member: "M0001", agent: wang.id)
            try await makeCustomer(app, "李二", member: "M0002", doNotDisturb: true)
            try await makeCustomer(app, "赵三", member: "M0003", consent: false)
            try await makeCustomer(app, "孙四", member: "M0004")
            let events = [
                "events": (1...4).map { EventInput(memberID: "M000\($0)", kind: "discharge", occurredAt: "2025-09-26") }
            ]
            #expect(try await send(app, .POST, "/api/v1/events", token: supervisor, body: events).status == .created)

            let first = try await send(
                app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2025-10-03"])
            let summary = try first.content.decode(PlanSummary.self)
            #expect(summary.tasksCreated == 2 && summary.skippedDoNotDisturb == 1 && summary.skippedNoConsent == 1)
            #expect(summary.assigned == 2 && summary.unassigned == 0)
            let second = try await send(
                app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2025-10-03"])
            #expect(
                try second.content.decode(PlanSummary.self).tasksCreated == 0, "planning a day again creates nothing")
            #expect(try await FollowUpTask.query(on: app.db).count() == 2)

            let task = try #require(
                try await FollowUpTask.query(on: app.db).with(\.$customer).all().first { $0.customer.name == "王一" })
            #expect(task.dueOn == "2025-10-03" && task.deadlineOn == "2025-10-10")
            #expect(task.$assignedAgent.id == wang.id && task.assignmentBasis == .assignedAgent)
            let other = try #require(
                try await FollowUpTask.query(on: app.db).with(\.$customer).all().first { $0.customer.name == "孙四" })
            #expect(
                other.$assignedAgent.id == li.id && other.assignmentBasis == .leastLoaded,
                "王芳 already had a task; 赵 lacks the skill")

            let wangToken = try await makeToken(app, wang)
            let mine = try await send(app, .GET, "/api/v1/tasks/mine", token: wangToken).content.decode(
                ListPage<Task>.self
            ).items
            #expect(mine.count == 1 && mine[0].customerName == "王一" && mine[0].mobile == "13900000001")
            #expect(mine[0].reasons == ["出院七日回访"])
            #expect(mine[0].assignment?.contains("专属客服") == true)

            // Moved by hand to 赵, whose list now shows it with the reason.
            let moved = try await send(
                app, .POST, "/api/v1/tasks/reassign", token: supervisor,
                body: ReassignBody(taskIDs: [task.id!], agent: "zhao"))
            #expect(moved.status == .ok)
            let zhaoList = try await send(app, .GET, "/api/v1/tasks/mine", token: try await makeToken(app, zhao))
                .content.decode(ListPage<Task>.self).items
            #expect(zhaoList.map(\.customerName) == ["王一"] && zhaoList[0].assignment?.contains("主管改派") == true)

            // After the window, open tasks are missed.
            let late = try await send(
                app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2025-10-13"])
            #expect(try late.content.decode(PlanSummary.self).missed == 2)
            #expect(try await FollowUpTask.query(on: app.db).filter(\.$status == .missed).count() == 2)
        }
    }
    struct ReassignBody: Encodable {
        let taskIDs: [Int]
        let agent: String
    }

    @Test func anotherFeatureTriggersAFollowUpOnceAndTheCalendarsContactWindowsSetItsDueTime() async throws {
        try await withHuifang { app in
            let admin = try await makeToken(app, makeUser(app, .admin).user)
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let customer = try await makeCustomer(app, "王一", member: "M0001")
            let quiet = try await makeCustomer(app, "李二", member: "M0002", doNotDisturb: true)
            let patched = try await send(
                app, .PATCH, "/api/v1/calendar", token: admin, body: ["contactWindows": "09:30-11:30,14:00-16:00"])
            #expect(patched.status == .ok)
            let refused = try await send(app, .PATCH, "/api/v1/calendar", token: admin, body: ["contactWindows": "上午"])
            #expect(refused.status == .unprocessableEntity)

            let rule = try #require(try await RuleRecord.query(on: app.db).filter(\.$kind == "triggered").first())
            let body = TriggerBody(customerID: customer.id!, key: "T-2025-0001")
            let first = try await send(app, .POST, "/api/v1/rules/\(rule.id!)/trigger", token: supervisor, body: body)
            let again = try await send(app, .POST, "/api/v1/rules/\(rule.id!)/trigger", token: supervisor, body: body)
            let taskID = try first.content.decode([String: Int].self)["taskID"]
            let sameID = try again.content.decode([String: Int].self)["taskID"]
            #expect(taskID != nil && taskID == sameID, "the same key gives the same task")
            let task = try #require(try await FollowUpTask.find(taskID, on: app.db))
            #expect(task.priority == 1)
            let calendar = try await CalendarStore(db: app.db).business(CalendarStore(db: app.db).defaultCalendar())
            let (_, second) = calendar.localDate(of: task.deadlineAt)
            #expect(second == 16 * 3600, "the deadline is the end of the calendar's last contact window")

            let dnd = try await send(
                app, .POST, "/api/v1/rules/\(rule.id!)/trigger", token: supervisor,
                body: TriggerBody(customerID: quiet.id!, key: "T-2"))
            #expect(dnd.status == .unprocessableEntity)
            let periodic = try #require(try await RuleRecord.query(on: app.db).filter(\.$kind == "periodic").first())
            #expect(
                try await send(app, .POST, "/api/v1/rules/\(periodic.id!)/trigger", token: supervisor, body: body)
                    .status == .unprocessableEntity)
        }
    }
    struct TriggerBody: Encodable {
        let customerID: Int
        let key: String
    }

    @Test func aMissedPeriodicFollowUpIsOwedAgainWhileAMissedEventFollowUpIsNot() async throws {
        try await withHuifang { app in
            for record in try await RuleRecord.query(on: app.db).all() {
                record.isEnabled = record.name == "会员定期回访"
                try await record.update(on: app.db)
            }
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            try await makeCustomer(app, "王一", member: "M0001", tier: "白金卡")  // every month since 2020-01-01
            func plan(_ day: String) async throws -> PlanSummary {
                try await send(app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": day]).content
                    .decode(PlanSummary.self)
            }
            #expect(try await plan("2025-03-03").tasksCreated == 1)
            let later = try await plan("2025-04-01")
            #expect(later.missed == 1 && later.tasksCreated == 1, "the missed follow-up is still owed")
            #expect(try await plan("2025-04-01").tasksCreated == 0)
            let reasons = try await TaskReason.query(on: app.db).all().map(\.occurrenceKey).sorted()
            #expect(reasons.count == 2 && reasons[0] == "p2020-01-01" && reasons[1].hasPrefix("p2020-01-01~"))
        }
    }

    @Test func adminsAddEventKindsAndSupervisorsExportTheDistributionWithItsReasons() async throws {
        try await withHuifang { app in
            try await onlyDischargeRule(app)
            let (admin, adminPassword) = try await makeUser(app, .admin)
            var adminPages = try await PageClient.signedIn(app, admin.username, adminPassword)
            #expect(
                try await adminPages.post("/settings/event-kinds", form: ["code": "maintenance", "name": "保养"]).status
                    == .seeOther)
            let again = try await adminPages.post(
                "/settings/event-kinds", form: ["code": "maintenance", "name": "再保养"])
            #expect(again.status == .unprocessableEntity && again.body.string.contains("已有同样代码或名称"))
            #expect(
                try await adminPages.get("/settings").body.string.contains(
                    "<td>保养</td><td><code>maintenance</code></td>"))
            #expect(try await EventKind.query(on: app.db).filter(\.$code == "maintenance").count() == 1)

            let (supervisor, password) = try await makeUser(app, .supervisor)
            let token = try await makeToken(app, supervisor)
            let (wang, _) = try await makeUser(app, .agent, username: "wang")
            wang.skills = "medical"
            try await wang.update(on: app.db)
            try await makeCustomer(app, "王一", member: "M0001")
            _ = try await send(
                app, .POST, "/api/v1/events", token: token,
                body: EventInput(memberID: "M0001", kind: "discharge", occurredAt: "2025-09-26"))
            _ = try await send(app, .POST, "/api/v1/planner/run", token: token, body: ["asOf": "2025-10-03"])
            var pages = try await PageClient.signedIn(app, supervisor.username, password)
            let csv = try await pages.get("/tasks/export.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.body.string.components(separatedBy: "\r\n")
            #expect(lines[0].hasPrefix("\u{FEFF}客户,手机,回访原因") && lines[0].hasSuffix("客服,分配说明"))
            #expect(
                lines[1].hasPrefix("王一,13900000001,出院七日回访,1,2025-10-09 10:00,2025-10-10 17:00"),
                "due on the 3 October holiday: first slot after it")
            #expect(lines[1].contains("测试agent") && lines[1].contains("负荷最低"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "task.export").count() == 1)
        }
    }

    @Test func theEventUploadPageReportsByLineAndTheCustomerPageShowsTheTimeline() async throws {
        try await withHuifang { app in
            try await onlyDischargeRule(app)
            let (supervisor, password) = try await makeUser(app, .supervisor)
            let customer = try await makeCustomer(app, "王一", member: "M0001")
            var pages = try await PageClient.signedIn(app, supervisor.username, password)
            _ = try await pages.get("/events/import")
            // Headings are matched as customer headings are: remarks in brackets and spaces do not matter.
            let csv = "事件类型（必填）, 会员编号 ,发生时间,科室\r\n出院,M0001,2025-09-26 10:00,心内科\r\n出院,M0404,2025-09-26,骨科\r\n"
            let report = try await pages.upload(
                "/events/import", file: TextDecoding.encodeGB18030(csv)!, fileName: "出院.csv")
            #expect(report.status == .ok)
            #expect(
                report.body.string.contains("<dd id=\"created\">1</dd>")
                    && report.body.string.contains("<dd id=\"failed\">1</dd>"))
            #expect(report.body.string.contains("找不到这个客户") && report.body.string.contains("M0404"))

            _ = try await send(
                app, .POST, "/api/v1/planner/run", token: try await makeToken(app, supervisor),
                body: ["asOf": "2025-10-03"])
            let page = try await pages.get("/customers/\(customer.id!)").body.string
            let timeline = try #require(page.range(of: "id=\"timeline\"").map { String(page[$0.upperBound...]) })
            #expect(timeline.contains("出院") && timeline.contains("科室：心内科"))
            #expect(timeline.contains("回访任务：出院七日回访") && timeline.contains("待回访"))
        }
    }

    @Test func anExpiryReminderReadsTheDateAttributeInAnyCommonFormat() async throws {
        try await withHuifang { app in
            for record in try await RuleRecord.query(on: app.db).all() {
                record.isEnabled = record.name == "保险到期提醒"
                try await record.update(on: app.db)
            }
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            try await makeCustomer(app, "王一", member: "M0001")
            try await makeCustomer(app, "李二", member: "M0002")
            let events = [
                "events": [
                    EventInput(
                        memberID: "M0001", kind: "insurance_expiry", occurredAt: "2024-12-31",
                        attributes: ["expires_on": "2025/12/31"]),
                    EventInput(
                        memberID: "M0002", kind: "insurance_expiry", occurredAt: "2024-12-31",
                        attributes: ["expires_on": "2026-06-30"]),
                ]
            ]
            #expect(try await send(app, .POST, "/api/v1/events", token: supervisor, body: events).status == .created)
            #expect(
                try await ServiceEvent.query(on: app.db).all().map(\.attributes).contains(
                    "{\"expires_on\":\"2025-12-31\"}"))
            let early = try await send(
                app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2025-11-30"])
            #expect(try early.content.decode(PlanSummary.self).tasksCreated == 0)
            let due = try await send(app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2025-12-01"])
            #expect(
                try due.content.decode(PlanSummary.self).tasksCreated == 1, "30 days before 31 December, and only 王一")
            let task = try #require(try await FollowUpTask.query(on: app.db).with(\.$customer).first())
            #expect(task.customer.name == "王一" && task.deadlineOn == "2025-12-08")
        }
    }

    @Test func agentsOnLeaveGetNothingAndRecomputingMovesDeadlinesOnlyWhenAsked() async throws {
        try await withHuifang { app in
            try await onlyDischargeRule(app)
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let (wang, _) = try await makeUser(app, .agent, username: "wang")
            let (li, _) = try await makeUser(app, .agent, username: "li")
            for user in [wang, li] {
                user.skills = "medical"
                try await user.update(on: app.db)
            }
            try await makeCustomer(app, "王一", member: "M0001", agent: wang.id)
            _ = try await send(
                app, .POST, "/api/v1/events", token: supervisor,
                body: EventInput(memberID: "M0001", kind: "discharge", occurredAt: "2025-09-26"))
            let leave = try await send(
                app, .POST, "/api/v1/agents/wang/absences", token: supervisor,
                body: ["from": "2025-10-01", "to": "2025-10-05"])
            #expect(leave.status == .created)
            _ = try await send(app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2025-10-03"])
            let task = try #require(try await FollowUpTask.query(on: app.db).first())
            #expect(task.$assignedAgent.id == li.id, "the customer's own agent is on leave")
            #expect(task.deadlineOn == "2025-10-10")

            // The company declares 9 October a holiday: the stored deadline stays until a supervisor recomputes.
            let calendar = try await CalendarStore(db: app.db).defaultCalendar()
            try await CalendarStore(db: app.db).set(
                LocalDate(iso: "2025-10-09")!, kind: .holiday, name: "公司年会", in: calendar)
            #expect(try await FollowUpTask.find(task.id, on: app.db)?.deadlineOn == "2025-10-10")
            let recomputed = try await send(app, .POST, "/api/v1/tasks/recompute-deadlines", token: supervisor)
            #expect(try recomputed.content.decode([String: Int].self) == ["recomputed": 1, "changed": 1])
            #expect(
                try await FollowUpTask.find(task.id, on: app.db)?.deadlineOn == "2025-10-11",
                "11 Oct 2025 is a make-up workday")
        }
    }

    struct WorkspaceScript: Decodable {
        struct Survey: Decodable { let name: String }
        struct Part: Decodable { let priority: Int }
        let task: Part
        let script: String
        let survey: Survey?
    }

    @Test func aTaskJoinedByAMoreUrgentReasonTakesThatReasonsScriptAndSurveyWithItsPriority() async throws {
        try await withHuifang { app in
            for record in try await RuleRecord.query(on: app.db).all() {
                record.isEnabled = false
                try await record.update(on: app.db)
            }
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let (wang, _) = try await makeUser(app, .agent, username: "wang")
            try await makeCustomer(app, "王一", member: "M0001", agent: wang.id)
            let surveys = SurveyStore(db: app.db)
            var families: [Int] = []
            for name in ["购物满意度", "维修满意度"] {
                let survey = try await surveys.create(
                    SurveyInput(
                        name: name, intro: "", threshold: "lowest", ticketAction: "propose",
                        questions: [FollowUpTests.question("您满意吗？", "satisfaction3", "总体满意度")]),
                    by: .commandLine(), at: Date())
                families.append(survey.familyID!)
            }
            let routine = FollowUpRule(
                name: "购物回访", kind: .afterEvent, priority: 5, script: "购物话术", windowDays: 5, days: 1,
                eventKind: "purchase", surveyID: families[0])
            let urgent = FollowUpRule(
                name: "维修回访", kind: .afterEvent, priority: 1, script: "维修话术", windowDays: 2, days: 1,
                eventKind: "repair", surveyID: families[1])
            for rule in [routine, urgent] {
                let record = RuleRecord()
                try record.apply(rule)
                try await record.create(on: app.db)
            }
            let events = [
                "events": [
                    EventInput(memberID: "M0001", kind: "purchase", occurredAt: "2026-03-02"),
                    EventInput(memberID: "M0001", kind: "repair", occurredAt: "2026-03-03"),
                ]
            ]
            #expect(try await send(app, .POST, "/api/v1/events", token: supervisor, body: events).status == .created)
            let first = try await send(
                app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2026-03-03"])
            #expect(try first.content.decode(PlanSummary.self).tasksCreated == 1)
            let joined = try await send(
                app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2026-03-04"])
            #expect(try joined.content.decode(PlanSummary.self).merged == 1, "the repair joins the open task")

            let task = try #require(try await FollowUpTask.query(on: app.db).first())
            #expect(task.priority == 1 && task.script == "维修话术", "the call list shows the urgent reason's script")
            let workspace = try await send(
                app, .GET, "/api/v1/tasks/\(task.id!)", token: try await makeToken(app, wang)
            )
            .content.decode(WorkspaceScript.self)
            #expect(workspace.task.priority == 1)
            #expect(workspace.script == "维修话术")
            #expect(workspace.survey?.name == "维修满意度", "the survey asked is the urgent reason's")
        }
    }

    @Test func twoInstancesOnOneDatabaseRunTheScheduledDayOnce() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "huifang-two-\(UUID().uuidString).sqlite"
        ).path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withHuifang(["HUIFANG_DATABASE_URL": "sqlite:" + file, "HUIFANG_PLAN_AT": "06:00"]) { first in
            let supervisor = try await makeToken(first, makeUser(first, .supervisor).user)
            try await makeUser(first, .agent, username: "wang")
            for index in 1...30 {
                try await makeCustomer(first, "客户\(index)", member: String(format: "M%04d", index), tier: "白金卡")
            }
            _ = supervisor
            // A second, separately configured instance on the same database.
            let second = try await Application.make(.testing)
            do {
                try await configure(second, first.huifang)
                let now = ISO8601DateFormatter().date(from: "2026-03-02T01:00:00Z")!  // 09:00 in Shanghai, after 06:00
                let a = DailyPlanning(db: first.db, config: first.huifang, logger: first.logger, instance: "first")
                let b = DailyPlanning(db: second.db, config: second.huifang, logger: second.logger, instance: "second")
                async let one = a.tick(now: now)
                async let two = b.tick(now: now)
                let outcomes = try await [one, two]
                #expect(outcomes.filter { if case .ran = $0 { true } else { false } }.count == 1, "\(outcomes)")
                #expect(outcomes.contains(.busy) || outcomes.contains(.alreadyDone))
                #expect(try await a.tick(now: now.addingTimeInterval(600)) == .alreadyDone)
                #expect(try await b.tick(now: now.addingTimeInterval(600)) == .alreadyDone)
                #expect(try await PlannerRun.query(on: first.db).filter(\.$trigger == "schedule").count() == 1)
                #expect(try await FollowUpTask.query(on: first.db).count() == 30)
                #expect(
                    try await b.tick(now: ISO8601DateFormatter().date(from: "2026-03-01T21:00:00Z")!) == .notYet,
                    "05:00 in Shanghai")
            } catch {
                try? await second.asyncShutdown()
                throw error
            }
            try await second.asyncShutdown()
        }
    }

    /// A day of more tasks than one assignment statement carries (5,000) gives every due task an agent: each agent's
    /// tasks carry the loads it had before each one, 0, 1, 2, …, and a task given to the customer's own agent says so.
    @Test func aDayOfMoreTasksThanOneStatementCarriesIsDistributedWhole() async throws {
        try await withHuifang { app in
            // setup: a first day owing several thousand follow-ups among four agents with no open work
            let day = LocalDate(year: 2026, month: 3, day: 2)!
            try await Operations.makeSyntheticOrganisation(
                on: app, customers: 8_000, events: 8_000, agents: 4, asOf: day)
            _ = try await PlanningService(db: app.db, contactCapDays: 0).plan(asOf: day)
            let now = Date(timeIntervalSince1970: 1_772_409_600)

            // MUT
            let (assigned, unassigned) = try await DistributionService(db: app.db).distribute(asOf: day, now: now)

            // validation
            #expect(assigned > 5_000 && unassigned == 0, "\(assigned) assigned, \(unassigned) not")
            let tasks = try await FollowUpTask.query(on: app.db).filter(\.$dueOn <= day.iso).with(\.$customer).all()
            #expect(tasks.count == assigned && tasks.allSatisfy { $0.assignedAt == now })
            let byAgent = Dictionary(grouping: tasks) { $0.$assignedAgent.id }
            #expect(byAgent[nil] == nil && byAgent.count == 4)
            for (agent, own) in byAgent {
                let loads = own.compactMap(\.assignmentLoad).sorted()
                let counted = loads == Array(0..<own.count)
                #expect(counted, "agent \(String(describing: agent)): \(own.count) tasks, loads \(loads.prefix(5))…")
            }
            let mine = tasks.filter { $0.assignmentBasis == .assignedAgent }
            #expect(!mine.isEmpty && mine.allSatisfy { $0.$assignedAgent.id == $0.customer.$assignedAgent.id })
            #expect(tasks.allSatisfy { $0.assignmentBasis == .assignedAgent || $0.assignmentBasis == .leastLoaded })
        }
    }
}
