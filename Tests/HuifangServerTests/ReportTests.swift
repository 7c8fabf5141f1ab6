import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// The figures against a small fixture whose every number is worked out by hand below (October 2026,
/// Asia/Shanghai): the API, the command line's function and the page give the same numbers; a signed-off
/// month does not change when the data does.
@Suite struct ReportTests {
    struct Fixture {
        let supervisor: (user: User, password: String)
        let token: String
        let agent1: User
        let agent2: User
    }

    /// A local Shanghai time in October 2026 as an instant.
    static func at(_ day: Int, _ hour: Int, _ minute: Int = 0, month: Int = 10) -> Date {
        var components = DateComponents(
            timeZone: TimeZone(identifier: "Asia/Shanghai"), year: 2026, month: month, day: day, hour: hour,
            minute: minute)
        components.calendar = Calendar(identifier: .gregorian)
        return components.date!
    }

    func customer(_ app: Application, _ name: String, tier: String, registered: String, agent: UUID?) async throws
        -> Int
    {
        let customer = Customer()
        customer.name = name
        customer.tier = tier
        customer.registeredOn = registered
        customer.$assignedAgent.id = agent
        customer.consent = true
        customer.doNotDisturb = false
        try await customer.create(on: app.db)
        return customer.id!
    }

    /// Tasks T1–T5, records, answers, tickets K1–K5 and three calls; the figures they make are in `october`.
    // Long: one organisation's October (T1–T5, K1–K5, calls), each row as its comment says.
    func load(_ app: Application) async throws -> Fixture {
        let supervisor = try await makeUser(app, .supervisor)
        let token = try await makeToken(app, supervisor.user)
        let agent1 = try await makeUser(app, .agent, username: "agent1").user
        let agent2 = try await makeUser(app, .agent, username: "agent2").user
        let c1 = try await customer(app, "甲", tier: "普通", registered: "2025-01-01", agent: agent1.id)
        let c2 = try await customer(app, "乙", tier: "金卡", registered: "2025-01-01", agent: agent2.id)
        // not yet a customer in October
        _ = try await customer(app, "丙", tier: "普通", registered: "2026-11-15", agent: agent1.id)
        let c4 = try await customer(app, "丁", tier: "普通", registered: "2025-01-01", agent: nil)
        let rule = try await RuleRecord.query(on: app.db).first()!.id!
        let sql = app.db.sql
        func task(
            _ id: Int, _ customer: Int, _ agent: User?, _ status: String, due: String, deadline: String,
            completed: Date?, triggered: String
        ) async throws {
            try await sql.insert(into: "follow_up_tasks").columns(
                "id", "customer_id", "status", "priority", "channel", "script", "required_skill", "max_attempts",
                "attempts", "contact_windows", "due_on", "deadline_on", "due_at", "deadline_at", "planned_on",
                "assigned_agent_id", "completed_at", "completed_on", "created_at"
            )
            .values(
                SQLBind(id), SQLBind(customer), SQLBind(status), SQLBind(3), SQLBind("phone"), SQLBind(""), SQLBind(""),
                SQLBind(3), SQLBind(1),
                SQLBind(""), SQLBind(due), SQLBind(deadline), SQLBind(Date()),
                SQLBind(Self.at(Int(deadline.suffix(2))!, 17, month: Int(deadline.dropFirst(5).prefix(2))!)),
                SQLBind(due), SQLBind(agent?.id), SQLBind(completed),
                SQLBind(completed.map { _ in completedOn(completed!) }), SQLBind(Date())
            ).run()
            try await sql.insert(into: "follow_up_task_reasons").columns(
                "task_id", "customer_id", "rule_id", "occurrence_key", "triggered_on", "due_on", "deadline_on"
            )
            .values(
                SQLBind(id), SQLBind(customer), SQLBind(rule), SQLBind("F\(id)"), SQLBind(triggered), SQLBind(due),
                SQLBind(deadline)
            ).run()
        }
        func completedOn(_ date: Date) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        // T1: due 20 Oct, done 21 Oct before its deadline (22nd), triggered Mon 19th → 2 working days.
        try await task(
            101, c1, agent1, "completed", due: "2026-10-20", deadline: "2026-10-22", completed: Self.at(21, 10),
            triggered: "2026-10-19")
        // T2: due 12 Oct, never reached.
        try await task(
            102, c2, agent1, "unreachable", due: "2026-10-12", deadline: "2026-10-14", completed: nil,
            triggered: "2026-10-12")
        // T3: due 20 Oct, done Sunday 25th after its deadline (22nd), triggered 19th → 4 working days.
        try await task(
            103, c1, agent2, "completed", due: "2026-10-20", deadline: "2026-10-22", completed: Self.at(25, 11),
            triggered: "2026-10-19")
        // T4: cancelled — in no figure.
        try await task(
            104, c4, agent2, "cancelled", due: "2026-10-05", deadline: "2026-10-09", completed: nil,
            triggered: "2026-10-05")
        // T5: due in September, done 12 Oct (the day it was triggered, 0 days) before its deadline of 13 Oct.
        try await task(
            105, c2, agent2, "completed", due: "2026-09-30", deadline: "2026-10-13", completed: Self.at(12, 15),
            triggered: "2026-10-12")

        func record(_ id: Int, task: Int, customer: Int, agent: User, at: Date) async throws {
            try await sql.insert(into: "follow_up_records").columns(
                "id", "task_id", "customer_id", "agent_id", "agent_name", "source", "channel", "started_at",
                "ended_at", "duration_seconds", "outcome", "contact_made", "completed", "needs_retry",
                "stop_contacting", "result", "notes", "recording_consent", "recording_ref", "corrections",
                "ticket_proposed", "created_at"
            )
            .values(
                SQLBind(id), SQLBind(task), SQLBind(customer), SQLBind(agent.id), SQLBind(agent.displayName),
                SQLBind("agent"), SQLBind("phone"),
                SQLBind(at), SQLBind(at), SQLBind(60), SQLBind("reached"), SQLBind(true), SQLBind(true), SQLBind(false),
                SQLBind(false),
                SQLBind("completed"), SQLBind(""), SQLBind(false), SQLBind(""), SQLBind(""), SQLBind(false), SQLBind(at)
            ).run()
        }
        try await record(201, task: 101, customer: c1, agent: agent1, at: Self.at(21, 10))
        try await record(203, task: 103, customer: c1, agent: agent2, at: Self.at(25, 11))
        try await record(205, task: 105, customer: c2, agent: agent2, at: Self.at(12, 15))
        func answer(
            _ record: Int, _ customer: Int, _ indicator: String, _ type: String, _ value: String, score: Int, top: Bool,
            at: Date
        ) async throws {
            try await sql.insert(into: "survey_answers").columns(
                "record_id", "survey_id", "customer_id", "question_key", "indicator", "type", "value", "score",
                "is_top_two", "meets_threshold", "answered_at"
            )
            .values(
                SQLBind(record), SQLBind(1), SQLBind(customer), SQLBind(indicator), SQLBind(indicator), SQLBind(type),
                SQLBind(value), SQLBind(score),
                SQLBind(top), SQLBind(false), SQLBind(at)
            ).run()
        }
        try await answer(201, c1, "服务态度", "scale5", "5", score: 5, top: true, at: Self.at(21, 10))
        try await answer(201, c1, "总体满意度", "satisfaction3", "fair", score: 2, top: true, at: Self.at(21, 10))
        try await answer(201, c1, "推荐意愿", "nps", "9", score: 9, top: true, at: Self.at(21, 10))
        try await answer(203, c1, "服务态度", "scale5", "2", score: 2, top: false, at: Self.at(25, 11))
        try await answer(203, c1, "推荐意愿", "nps", "5", score: 5, top: false, at: Self.at(25, 11))

        func ticket(
            _ id: Int, _ kind: String, _ status: String, created: Date, resolved: Date?, due: Date, closed: Date?,
            satisfied: Bool?, reopened: Int,
            handler: User?
        ) async throws {
            try await sql.insert(into: "tickets").columns(
                "id", "kind", "category", "severity", "urgent", "source", "customer_id", "description", "handler_id",
                "status", "reopen_count", "policy", "first_response_due", "resolution_due", "resolved_at", "closed_at",
                "measures", "plan_owner", "compensation", "extensions", "customer_satisfied", "created_at"
            )
            .values(
                SQLBind(id), SQLBind(kind), SQLBind("attitude"), SQLBind("general"), SQLBind(false), SQLBind("call"),
                SQLBind(c1), SQLBind("…"),
                SQLBind(handler?.id), SQLBind(status), SQLBind(reopened), SQLBind("default"), SQLBind(due),
                SQLBind(due), SQLBind(resolved), SQLBind(closed),
                SQLBind(""), SQLBind(""), SQLBind(""), SQLBind(0), SQLBind(satisfied), SQLBind(created)
            ).run()
        }
        try await ticket(
            301, "complaint", "closed", created: Self.at(5, 9), resolved: Self.at(6, 9), due: Self.at(8, 9),
            closed: Self.at(7, 9), satisfied: true, reopened: 0, handler: agent1)
        try await ticket(
            302, "quality", "resolved", created: Self.at(10, 9), resolved: Self.at(20, 9), due: Self.at(15, 9),
            closed: nil, satisfied: nil, reopened: 1, handler: agent1)
        try await ticket(
            303, "service", "inProgress", created: Self.at(12, 9), resolved: nil, due: Self.at(19, 9), closed: nil,
            satisfied: nil, reopened: 0, handler: nil)
        try await ticket(
            304, "suggestion", "adopted", created: Self.at(14, 9), resolved: Self.at(15, 9), due: Self.at(20, 9),
            closed: nil, satisfied: nil, reopened: 0, handler: agent2)
        try await ticket(
            305, "complaint", "closed", created: Self.at(20, 9, month: 9), resolved: Self.at(2, 9), due: Self.at(1, 9),
            closed: Self.at(3, 9), satisfied: nil, reopened: 0, handler: agent2)
        try await sql.insert(into: "ticket_escalations").columns(
            "ticket_id", "breach_key", "deadline", "level", "target", "due_at", "escalated_at", "instance"
        )
        .values(
            SQLBind(305), SQLBind("resolution"), SQLBind("resolution"), SQLBind(1), SQLBind("supervisor"), SQLBind(0.0),
            SQLBind(0.0), SQLBind("test")
        ).run()

        for (when, agent) in [
            (Self.at(12, 10, 30), agent1), (Self.at(12, 10, 45), agent1), (Self.at(14, 15, 10), agent2),
        ] {
            try await sql.insert(into: "calls").columns(
                "at", "agent_id", "agent_name", "phone", "matter", "summary", "handling", "recording_consent"
            )
            .values(
                SQLBind(when), SQLBind(agent.id), SQLBind(agent.displayName), SQLBind(""), SQLBind("配送查询"), SQLBind(""),
                SQLBind("answered"), SQLBind(false)
            ).run()
        }
        return Fixture(supervisor: supervisor, token: token, agent1: agent1, agent2: agent2)
    }

    func figures(_ app: Application, _ token: String, _ query: String) async throws -> ReportOut {
        let response = try await send(app, .GET, "/api/v1/reports/figures?" + query, token: token)
        #expect(response.status == .ok, "\(response.body.string)")
        return try response.content.decode(ReportOut.self)
    }

    @Test func eachFigureOfAMonthAsWorkedOutByHand() async throws {
        try await withHuifang { app in
            let fixture = try await load(app)
            let report = try await figures(app, fixture.token, "from=2026-10-01&to=2026-10-31")
            func rate(_ figure: Figure) -> String {
                let r = report.overall.rates[figure.rawValue]!
                return "\(r.numerator)/\(r.denominator) \(r.text)"
            }
            #expect(rate(.completion) == "2/3 66.7%", "T1, T2, T3 due; T4 cancelled; T5 due in September")
            #expect(rate(.coverage) == "2/3 66.7%", "甲 and 乙 reached, of 甲 乙 丁 (丙 registered in November)")
            #expect(rate(.timeliness) == "2/3 66.7%", "T1 and T5 by their deadline, T3 late")
            #expect(report.overall.medianWorkingDays == 2, "0, 2 and 4 working days")
            #expect(rate(.satisfaction) == "3/5 60.0%")
            #expect(report.overall.meanScore == "3.50")
            #expect(report.overall.nps == 0 && report.overall.npsAnswers == 2)
            #expect(rate(.onTimeHandling) == "2/4 50.0%", "K1, K2, K4, K5 resolved in October; K1 and K4 in time")
            #expect(rate(.resolution) == "3/4 75.0%", "K1–K4 opened in October; K3 still open")
            #expect(rate(.firstContactResolution) == "2/4 50.0%", "K2 re-opened, K5 escalated")
            #expect(rate(.complaintSuccess) == "1/2 50.0%", "K5 closed without the customer's word")
            #expect(rate(.suggestionAdoption) == "1/1 100.0%")
            #expect(report.calls.total == 3)
            #expect(
                report.calls.grid[0][10] == 2 && report.calls.grid[2][15] == 1,
                "Monday 10:00 twice, Wednesday 15:00 once (Shanghai time)")
            #expect(
                report.problems.byKind.map { "\($0.key)=\($0.count)" }.sorted() == [
                    "complaint=1", "quality=1", "service=1", "suggestion=1",
                ])
            let indicators = Dictionary(
                uniqueKeysWithValues: report.indicators.map { ($0.key, $0.figures.rates["satisfaction"]!.text) })
            #expect(indicators == ["服务态度": "50.0%", "总体满意度": "100.0%", "推荐意愿": "50.0%"])

            // The trend counts each month in one query per figure and agrees with the months one by one.
            let trend = try await ReportService(db: app.db, language: .zh).trend(
                ReportPeriod.months(endingWith: LocalDate(year: 2026, month: 10, day: 1)!, count: 2),
                figures: [.completion, .satisfaction, .onTimeHandling])
            #expect(
                trend[.completion]?.map { "\($0.month) \($0.rate.numerator)/\($0.rate.denominator)" } == [
                    "2026-09 1/1", "2026-10 2/3",
                ], "T5 was due in September")
            #expect(trend[.satisfaction]?.map(\.rate.text) == ["—", "60.0%"])
            #expect(trend[.onTimeHandling]?.map(\.rate.text) == ["—", "50.0%"])

            let byAgent = try await figures(app, fixture.token, "from=2026-10-01&to=2026-10-31&groupBy=agent")
            #expect(
                byAgent.overall == report.overall,
                "the organisation's figures added up from the agents' are the ones counted directly")
            let byDepartment = try await figures(app, fixture.token, "from=2026-10-01&to=2026-10-31&groupBy=department")
            #expect(byDepartment.overall == report.overall)
            let groups = Dictionary(uniqueKeysWithValues: byAgent.groups.map { ($0.key, $0.figures) })
            #expect(
                groups["agent1"]?.rates["completion"]?.text == "50.0%"
                    && groups["agent2"]?.rates["completion"]?.text == "100.0%")
            #expect(
                groups["agent1"]?.rates["coverage"].map { "\($0.numerator)/\($0.denominator)" } == "1/1",
                "the customers assigned to agent1: 甲 (丙 not yet)")
            #expect(groups["agent1"]?.calls == 2 && groups["agent2"]?.calls == 1)
            #expect(groups["agent2"]?.rates["resolution"]?.text == "100.0%", "K4 handled by agent2")
        }
    }

    @Test func aPeriodWithNothingShowsDashesNeverZeroOrNaN() async throws {
        try await withHuifang { app in
            let fixture = try await load(app)
            let report = try await figures(app, fixture.token, "from=2030-11-01&to=2030-11-30")
            for figure in Figure.allCases where figure != .coverage {
                #expect(
                    report.overall.rates[figure.rawValue]?.text == "—"
                        && report.overall.rates[figure.rawValue]?.perMille == nil, "\(figure)")
            }
            #expect(report.overall.rates["coverage"]?.text == "0.0%", "customers exist, none reached")
            #expect(
                report.overall.medianWorkingDays == nil && report.overall.meanScore == nil && report.overall.nps == nil)
            let csv = ReportCSV.figures(
                try await ReportService(db: app.db, language: .zh).report(
                    ReportPeriod(month: "2030-11")!, groupedBy: .none), language: .zh)
            #expect(!csv.contains("NaN") && csv.contains(",completion,0,0,—"))
        }
    }

    @Test func badQueriesNameTheirFields() async throws {
        try await withHuifang { app in
            let fixture = try await load(app)
            let response = try await send(
                app, .GET, "/api/v1/reports/figures?from=2026-13-01&to=2026-10-01&groupBy=colour", token: fixture.token)
            #expect(response.status == .unprocessableEntity)
            let body = response.body.string
            #expect(body.contains("\"from\"") && body.contains("\"groupBy\""))
            let reversed = try await send(
                app, .GET, "/api/v1/reports/figures?from=2026-10-31&to=2026-10-01", token: fixture.token)
            #expect(reversed.status == .unprocessableEntity && reversed.body.string.contains("\"to\""))
        }
    }

    @Test func theCommandLineTheAPIAndThePageGiveTheSameNumbers() async throws {
        try await withHuifang { app in
            let fixture = try await load(app)
            let api = try await figures(app, fixture.token, "from=2026-10-01&to=2026-10-31&groupBy=agent")
            let cli = try JSONDecoder().decode(
                ReportOut.self,
                from: Data(
                    try await Operations.report(
                        on: app, from: "2026-10-01", to: "2026-10-31", groupBy: "agent", format: "json"
                    ).utf8))
            #expect(cli == api)
            let csv = try await Operations.report(
                on: app, from: "2026-10-01", to: "2026-10-31", groupBy: "agent", format: "csv")
            #expect(csv.contains(",全部,completion,2,3,66.7%") && csv.contains("agent1,测试agent,completion,1,2,50.0%"))
            var page = try await PageClient.signedIn(app, fixture.supervisor.user.username, fixture.supervisor.password)
            let html = try await page.get("/reports?month=2026-10&groupBy=agent").body.string
            for figure in Figure.allCases {
                let rate = api.overall.rates[figure.rawValue]!
                #expect(html.contains("data-figure=\"\(figure.rawValue)\""), "\(figure)")
                #expect(
                    html.contains("<td class=\"num value\" data-label=\"本期\">\(rate.text)</td>")
                        || figure == .coverage && html.contains(rate.text))
            }
            #expect(html.contains("id=\"heatmap\"") && html.contains("data-count=\"2\""))
            let rows = try await page.get(
                "/reports/rows?figure=completion&from=2026-10-01&to=2026-10-31&groupBy=agent&key=agent1"
            ).body.string
            #expect(rows.contains("/tasks/101") && rows.contains("/tasks/102") && !rows.contains("/tasks/103"))
            let audit = try await AuditEntry.query(on: app.db).filter(
                \.$action ~~ ["report.view", "report.rows", "report.export"]
            ).count()
            #expect(audit >= 4, "viewing, drilling and exporting are audited")
        }
    }

    @Test func aSignedOffMonthKeepsItsFiguresWhenTheDataChanges() async throws {
        try await withHuifang { app in
            let fixture = try await load(app)
            let before = try await figures(app, fixture.token, "month=2026-10&groupBy=agent")
            let signed = try await send(
                app, .POST, "/api/v1/reports/signoffs", token: fixture.token, body: ["month": "2026-10", "note": "已核对"])
            #expect(signed.status == .created)
            let again = try await send(
                app, .POST, "/api/v1/reports/signoffs", token: fixture.token, body: ["month": "2026-10"])
            #expect(again.status == .conflict)
            // Data changes afterwards: T2 reached after all, a ticket re-opened.
            let sql = app.db.sql
            try await sql.raw(
                "UPDATE follow_up_tasks SET status = 'completed', completed_at = deadline_at, completed_on = '2026-10-13' WHERE id = 102"
            ).run()
            try await sql.raw("UPDATE tickets SET reopen_count = 2 WHERE id = 301").run()
            let after = try await figures(app, fixture.token, "month=2026-10&groupBy=agent")
            #expect(after.overall == before.overall && after.groups == before.groups)
            #expect(after.signedOff?.by == "测试supervisor")
            let cards = try await send(app, .GET, "/api/v1/reports/scorecards?month=2026-10", token: fixture.token)
                .content.decode(ReportAPIController.ScorecardsOut.self)
            #expect(cards.signedOff != nil)
            #expect(
                cards.scorecards.first { $0.agent == "agent1" }?.lines.first { $0.figure == .completion }?.rate
                    == Rate(1, of: 2),
                "agent1's scorecard as signed, not with T2 reached afterwards")
            // The same days asked as a period (not the month) are computed afresh.
            let fresh = try await figures(app, fixture.token, "from=2026-10-01&to=2026-10-30")
            #expect(fresh.overall.rates["completion"]?.text == "100.0%")
            let list = try await send(app, .GET, "/api/v1/reports/signoffs", token: fixture.token)
            #expect(list.body.string.contains("\"month\":\"2026-10\"") && list.body.string.contains("已核对"))
            let running = try await send(
                app, .POST, "/api/v1/reports/signoffs", token: fixture.token, body: ["month": "2099-01"])
            #expect(running.status == .unprocessableEntity, "a month not over cannot be signed")
        }
    }

    @Test func scorecardsCompareEachAgentWithTheTargets() async throws {
        try await withHuifang { app in
            let fixture = try await load(app)
            let saved = try await send(
                app, .PUT, "/api/v1/reports/targets", token: fixture.token,
                body: [
                    ReportAPIController.TargetOut(
                        figure: "completion", minimumPerMille: 950, pointsPerStep: 2, stepPerMille: 50),
                    ReportAPIController.TargetOut(
                        figure: "satisfaction", minimumPerMille: nil, pointsPerStep: nil, stepPerMille: nil),
                ])
            #expect(saved.status == .ok)
            let handler = try await makeUser(app, .handler, username: "handler1").user
            try await app.db.sql.update("tickets").set("handler_id", to: SQLBind(handler.id)).where(
                "id", .equal, SQLBind(303)
            ).run()
            let response = try await send(app, .GET, "/api/v1/reports/scorecards?month=2026-10", token: fixture.token)
            let cards = try response.content.decode(ReportAPIController.ScorecardsOut.self).scorecards
            #expect(cards.map(\.agent) == ["agent1", "agent2"], "a ticket's handler has no agent's scorecard")
            let agent1 = try #require(cards.first { $0.agent == "agent1" })
            let completion = try #require(agent1.lines.first { $0.figure == .completion })
            #expect(
                completion.met == false && completion.deduction == 18,
                "50 % against 95 %: 45 points is 9 steps of 5, 2 points each")
            #expect(
                agent1.lines.first { $0.figure == .satisfaction }?.minimumPerMille == nil,
                "the satisfaction target was removed")
            let bad = try await send(
                app, .PUT, "/api/v1/reports/targets", token: fixture.token,
                body: [
                    ReportAPIController.TargetOut(
                        figure: "completion", minimumPerMille: 1200, pointsPerStep: 1, stepPerMille: 50),
                    ReportAPIController.TargetOut(
                        figure: "colour", minimumPerMille: 10, pointsPerStep: 1, stepPerMille: 50),
                ])
            #expect(
                bad.status == .unprocessableEntity && bad.body.string.contains("completion.minimumPerMille")
                    && bad.body.string.contains("[1].figure"))
            #expect(
                try await FigureTargetRecord.find("completion", on: app.db)?.pointsPerStep == 2,
                "nothing of a refused change is saved")
            let agent = try await makeToken(app, fixture.agent1)
            #expect(
                try await send(app, .GET, "/api/v1/reports/figures?month=2026-10", token: agent).status == .forbidden,
                "agents do not read the organisation's reports")
        }
    }

    // Long: one story end to end: plan set, month drawn and redrawn, reviews refused then scored, acknowledged.
    @Test func spotChecksAreDrawnFromASeedScoredAndAcknowledged() async throws {
        try await withHuifang { app in
            let fixture = try await load(app)
            let sql = app.db.sql
            // 40 more of agent1's October records beside the fixture's one: 41 for agent1, 2 for agent2.
            for n in 0..<40 {
                let at = Self.at(2 + n % 28, 10, n)
                try await sql.raw(
                    """
                    INSERT INTO follow_up_records (id, task_id, customer_id, agent_id, agent_name, source, channel, started_at, ended_at, duration_seconds,
                      outcome, contact_made, completed, needs_retry, stop_contacting, result, notes, recording_consent, recording_ref, corrections,
                      ticket_proposed, created_at)
                    SELECT \(bind: 1000 + n), 101, customer_id, agent_id, agent_name, source, channel, \(bind: at), \(bind: at), 60, outcome, contact_made,
                      completed, needs_retry, stop_contacting, result, notes, recording_consent, recording_ref, corrections, ticket_proposed, created_at
                    FROM follow_up_records WHERE id = 201
                    """
                ).run()
            }
            let plan = SpotCheckPlan(sharePerMille: 100, minimum: 2, checkpoints: SpotCheckPlan.standard.checkpoints)
            #expect(
                try await send(app, .PUT, "/api/v1/spot-checks/plan", token: fixture.token, body: plan).status == .ok)
            func draw(_ seed: String) async throws -> (status: HTTPStatus, records: [Int]) {
                let response = try await send(
                    app, .POST, "/api/v1/spot-checks/draw", token: fixture.token,
                    body: ["month": "2026-10", "seed": seed])
                let checks = try await SpotCheck.query(on: app.db).filter(\.$month == "2026-10").all()
                return (response.status, checks.map(\.recordID).sorted())
            }
            let first = try await draw("20261101")
            #expect(
                first.status == .created && first.records.count == 5 + 2,
                "10 % of 41 is 4.1, so 5; agent2 has 2, the minimum")
            #expect(try await draw("20261101").status == .conflict, "a month is drawn once")
            try await SpotCheck.query(on: app.db).delete()
            #expect(try await draw("20261101").records == first.records, "the same seed draws the same records")
            try await SpotCheck.query(on: app.db).delete()
            #expect(try await draw("other seed").records != first.records)
            #expect(
                try await send(
                    app, .POST, "/api/v1/spot-checks/draw", token: fixture.token,
                    body: ["month": "2026-10", "seed": ""]
                ).status == .unprocessableEntity)

            let check = try #require(
                try await SpotCheck.query(on: app.db).filter(\.$agentID == fixture.agent1.id).first())
            var results = Dictionary(uniqueKeysWithValues: plan.checkpoints.map { ($0.key, true) })
            results["closing"] = nil
            let unjudged = try await send(
                app, .POST, "/api/v1/spot-checks/\(check.id!)/review", token: fixture.token,
                body: SpotCheckAPIController.ReviewInput(results: results, comment: nil))
            #expect(unjudged.status == .unprocessableEntity && unjudged.body.string.contains("results.closing"))
            results["closing"] = false
            let uncommented = try await send(
                app, .POST, "/api/v1/spot-checks/\(check.id!)/review", token: fixture.token,
                body: SpotCheckAPIController.ReviewInput(results: results, comment: " "))
            #expect(uncommented.status == .unprocessableEntity && uncommented.body.string.contains("comment"))
            let reviewed = try await send(
                app, .POST, "/api/v1/spot-checks/\(check.id!)/review", token: fixture.token,
                body: SpotCheckAPIController.ReviewInput(results: results, comment: "结束语不完整"))
            #expect(try reviewed.content.decode(SpotCheckOut.self).score == 80)
            #expect(
                try await Notification.query(on: app.db).filter(\.$user.$id == fixture.agent1.id!).filter(
                    \.$kind == "spotCheck"
                ).count() == 1)

            let agent1 = try await makeToken(app, fixture.agent1)
            let agent2 = try await makeToken(app, fixture.agent2)
            #expect(
                try await send(
                    app, .POST, "/api/v1/spot-checks/\(check.id!)/acknowledge", token: agent2, body: ["reply": "?"]
                ).status == .notFound,
                "another agent cannot see it")
            let acknowledged = try await send(
                app, .POST, "/api/v1/spot-checks/\(check.id!)/acknowledge", token: agent1, body: ["reply": "已改进"])
            #expect(try acknowledged.content.decode(SpotCheckOut.self).status == "acknowledged")
            #expect(
                try await send(
                    app, .POST, "/api/v1/spot-checks/\(check.id!)/review", token: fixture.token,
                    body: SpotCheckAPIController.ReviewInput(results: results, comment: "改分")
                ).status == .conflict)
            let mine = try await send(app, .GET, "/api/v1/spot-checks/mine", token: agent1)
            #expect(try mine.content.decode([SpotCheckOut].self).map(\.agentReply) == ["已改进"])

            let cards = try await send(app, .GET, "/api/v1/reports/scorecards?month=2026-10", token: fixture.token)
            let card = try #require(
                try cards.content.decode(ReportAPIController.ScorecardsOut.self).scorecards.first {
                    $0.agent == "agent1"
                })
            #expect(
                card.spotChecks.reviewed == 1 && card.spotChecks.rate.text == "80.0%", "pending checks are not counted")
        }
    }
}
