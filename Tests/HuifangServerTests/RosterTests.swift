import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Agents' weekly rosters (排班): kept by supervisors through the API and the form, audited, seen by an agent only
/// as their own, and obeyed by the distribution.
@Suite struct RosterTests {
    typealias Day = RosterDTO.Day

    /// 早班 Monday to Friday, rest at the weekend, as a body for `PUT`.
    static let weekdays: [String: Day] = [
        "mon": Day(shift: "early"), "tue": Day(shift: "early"), "wed": Day(shift: "early"),
        "thu": Day(shift: "early"), "fri": Day(shift: "early"), "sat": Day(shift: "off"), "sun": Day(shift: "off"),
    ]

    struct Roster: Decodable {
        struct Today: Decodable {
            let shift: String
            let label: String
        }
        let agent: String
        let hasRoster: Bool
        let days: [String: Day]?
        let today: Today
    }

    @Test func supervisorsKeepARosterThroughTheAPIAgentsSeeOnlyTheirOwnAndEveryChangeIsAudited() async throws {
        try await withHuifang { app in
            app.clock = .fixed(shanghai("2026-03-02 08:00"))  // a Monday
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let (wang, _) = try await makeUser(app, .agent, username: "wang")
            let (li, _) = try await makeUser(app, .agent, username: "li")
            let wangToken = try await makeToken(app, wang)

            var week = Self.weekdays
            week["tue"] = Day(shift: "custom", start: "08:30", end: "12:00")
            let saved = try await send(
                app, .PUT, "/api/v1/agents/wang/roster", token: supervisor, body: RosterInput(days: week))
            #expect(saved.status == .ok)
            let roster = try saved.content.decode(Roster.self)
            #expect(roster.hasRoster && roster.days?["tue"] == Day(shift: "custom", start: "08:30", end: "12:00"))
            #expect(roster.days?["mon"] == Day(shift: "early", start: "09:00", end: "15:00"))
            #expect(roster.today.shift == "early" && roster.today.label == "早班 09:00–15:00")

            // A custom shift ending before it starts, and a day left out: each named as the body holds it.
            var wrong = Self.weekdays
            wrong["wed"] = Day(shift: "custom", start: "18:00", end: "10:00")
            wrong["sun"] = nil
            let refused = try await send(
                app, .PUT, "/api/v1/agents/wang/roster", token: supervisor, body: RosterInput(days: wrong))
            #expect(refused.status == .unprocessableEntity)
            let fields = try refused.content.decode(EscalationTests.Problems.self).error.fields.map(\.field)
            #expect(fields == ["days.wed.end", "days.sun.shift"])
            #expect(refused.body.string.contains("下班时间须晚于上班时间"))
            let empty = try await send(
                app, .PUT, "/api/v1/agents/wang/roster", token: supervisor, body: RosterInput(days: nil))
            #expect(try empty.content.decode(EscalationTests.Problems.self).error.fields.map(\.field) == ["days"])

            // An agent reads their own roster and nobody else's.
            let mine = try await send(app, .GET, "/api/v1/roster/mine", token: wangToken).content.decode(Roster.self)
            #expect(mine.agent == "wang" && mine.today.label == "早班 09:00–15:00")
            #expect(try await send(app, .GET, "/api/v1/agents/li/roster", token: wangToken).status == .forbidden)
            let liMine = try await send(app, .GET, "/api/v1/roster/mine", token: try await makeToken(app, li))
                .content.decode(Roster.self)
            #expect(!liMine.hasRoster && liMine.days == nil && liMine.today.shift == "fullDay")
            #expect(try await send(app, .GET, "/api/v1/agents/nobody/roster", token: supervisor).status == .notFound)

            let cleared = try await send(app, .DELETE, "/api/v1/agents/wang/roster", token: supervisor)
            #expect(try cleared.content.decode(Roster.self).hasRoster == false)
            let audit = try await AuditEntry.query(on: app.db).filter(
                \.$action ~~ ["agent.roster", "agent.roster.clear"]
            )
            .sort(\.$at).all()
            #expect(audit.map(\.action) == ["agent.roster", "agent.roster.clear"])
            #expect(audit.allSatisfy { $0.subjectID == "wang" })
            #expect(audit[0].detail?.hasPrefix("mon=early tue=custom(08:30-12:00) wed=early") == true)
        }
    }

    @Test func distributionGivesWorkOnlyToAgentsOnShiftInProportionToTheirHours() async throws {
        try await withHuifang { app in
            for record in try await RuleRecord.query(on: app.db).all() {
                record.isEnabled = record.name == "出院七日回访"
                try await record.update(on: app.db)
            }
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            var agents: [String: User] = [:]
            for (name, display) in [("wang", "王芳"), ("li", "李娜"), ("zhao", "赵敏"), ("sun", "孙丽")] {
                let (agent, _) = try await makeUser(app, .agent, username: name)
                agent.displayName = display
                agent.skills = "medical"
                try await agent.update(on: app.db)
                agents[name] = agent
            }
            // Monday 2 March 2026: 王 早班 (6 h), 李 晚班 (8 h), 赵 rests; 孙 has no roster, a full 7.5-hour day.
            var late = Self.weekdays
            late["mon"] = Day(shift: "late")
            var off = Self.weekdays
            off["mon"] = Day(shift: "off")
            for (name, week) in [("wang", Self.weekdays), ("li", late), ("zhao", off)] {
                let saved = try await send(
                    app, .PUT, "/api/v1/agents/\(name)/roster", token: supervisor, body: RosterInput(days: week))
                #expect(saved.status == .ok)
            }
            // 43 discharges on 23 Feb, each due on 2 March; one is 赵's own customer.
            for number in 1...43 {
                try await PlanningTests().makeCustomer(
                    app, "客户\(number)", member: String(format: "M%04d", number),
                    agent: number == 1 ? agents["zhao"]!.id : nil)
            }
            let events = [
                "events": (1...43).map {
                    EventInput(memberID: String(format: "M%04d", $0), kind: "discharge", occurredAt: "2026-02-23")
                }
            ]
            #expect(try await send(app, .POST, "/api/v1/events", token: supervisor, body: events).status == .created)
            let run = try await send(app, .POST, "/api/v1/planner/run", token: supervisor, body: ["asOf": "2026-03-02"])
            let summary = try run.content.decode(PlanSummary.self)
            #expect(summary.tasksCreated == 43 && summary.assigned == 43)

            let tasks = try await FollowUpTask.query(on: app.db).all()
            let counts = Dictionary(grouping: tasks, by: { $0.$assignedAgent.id }).mapValues(\.count)
            #expect(counts[agents["wang"]!.id] == 12)
            #expect(counts[agents["li"]!.id] == 16)
            #expect(counts[agents["sun"]!.id] == 15, "an agent without a roster works the calendar's full day")
            #expect(counts[agents["zhao"]!.id] == nil, "赵 is off on Mondays, even for her own customer")

            // The distribution page shows each agent's shift today; the call list shows the agent's own.
            app.clock = .fixed(shanghai("2026-03-02 08:00"))
            let load = try await send(app, .GET, "/api/v1/agents/load", token: supervisor).content.decode(
                [AgentLoad].self)
            #expect(load.map(\.name) == ["孙丽", "李娜", "王芳", "赵敏"])
            #expect(load.map(\.shift) == ["全天（未排班）", "晚班 13:00–21:00", "早班 09:00–15:00", "休息"])
            #expect(load.map(\.onShift) == [true, true, true, false])
        }
    }

    @Test func theFormNamesEachWrongFieldNextToItAndTheCallListShowsTheShift() async throws {
        try await withHuifang { app in
            app.clock = .fixed(shanghai("2026-03-03 08:00"))  // a Tuesday
            let (supervisor, password) = try await makeUser(app, .supervisor)
            let (wang, wangPassword) = try await makeUser(app, .agent, username: "wang")
            var page = try await PageClient.signedIn(app, supervisor.username, password)
            let blank = try await page.get("/rosters/wang")
            #expect(blank.status == .ok && blank.body.string.contains("name=\"tue_shift\""))

            var form: [String: String] = [:]
            for code in WeeklyRoster.dayCodes { form[code + "_shift"] = "early" }
            form["tue_shift"] = "custom"
            form["tue_start"] = "14:00"
            form["tue_end"] = "13:00"
            let refused = try await page.post("/rosters/wang", form: form)
            #expect(refused.status == .unprocessableEntity)
            let html = refused.body.string
            #expect(html.contains("下班时间须晚于上班时间"))
            #expect(html.contains("value=\"14:00\""), "what was entered is shown again")
            #expect(try await RosterStore(db: app.db).rosters().isEmpty, "nothing is saved")

            form["tue_start"] = "12:00"
            form["tue_end"] = "20:00"
            let saved = try await page.post("/rosters/wang", form: form)
            #expect(saved.status == .seeOther)
            let list = try await page.get("/rosters")
            #expect(list.body.string.contains("今日班次：自定义 12:00–20:00"))

            var agent = try await PageClient.signedIn(app, wang.username, wangPassword)
            let mine = try await agent.get("/tasks/mine")
            #expect(mine.body.string.contains("今日班次：自定义 12:00–20:00"))
            #expect(try await agent.get("/rosters").status == .forbidden, "an agent does not edit rosters")
        }
    }
}
