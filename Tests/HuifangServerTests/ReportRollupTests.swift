import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// The figures added up from the roll-ups are those of counting the rows: follow-ups written through the
/// planner, the distribution and the record service — answered, declined, retried, refused, moved to
/// another agent, missed, a customer erased with everything they had — then every figure of every grouping
/// compared, over a month, a day and a quarter, in the organisation's zone and in one half an hour off UTC.
@Suite struct ReportRollupTests {
    struct Office {
        let agents: [User]
        let rules: [RuleRecord]
        let customers: [Customer]
    }

    func office(_ app: Application) async throws -> Office {
        var departments: [UUID] = []
        for name in ["售后部", "会员部"] {
            let department = Department()
            department.name = name
            try await department.create(on: app.db)
            departments.append(department.id!)
        }
        var agents: [User] = []
        for (index, department) in [departments[0], departments[0], departments[1], nil].enumerated() {
            agents.append(try await makeUser(app, .agent, username: "agent\(index)", department: department).user)
        }
        let survey = try await SurveyStore(db: app.db).create(
            SurveyInput(
                name: "回访满意度", intro: "", threshold: "lowest", ticketAction: "propose",
                questions: [
                    FollowUpTests.question("总体是否满意？", "satisfaction3", "总体满意度"),
                    FollowUpTests.question("服务态度打几分？", "scale5", "服务态度"),
                    FollowUpTests.question("愿意推荐吗？", "nps", "推荐意愿"),
                ]), by: .commandLine(), at: Date())
        var rules: [RuleRecord] = []
        let named: [(String, Int?)] = [("维修后回访", survey.familyID), ("投诉后回访", survey.familyID), ("关怀回访", nil)]
        for (name, surveyID) in named {
            let rule = RuleRecord()
            try rule.apply(
                FollowUpRule(
                    name: name, kind: .triggered, priority: 2, windowDays: 3, maxAttempts: 2,
                    surveyID: surveyID))
            try await rule.create(on: app.db)
            rules.append(rule)
        }
        var customers: [Customer] = []
        for index in 0..<8 {
            customers.append(
                try await CustomerStore(db: app.db, now: Date()).create(
                    CustomerRecord(
                        name: "客户\(index)", mobile: try PhoneNumber(parsing: "1380013800\(index)"), tier: "普通",
                        assignedAgentID: agents[index % 3].id), by: .commandLine()))
        }
        return Office(agents: agents, rules: rules, customers: customers)
    }

    /// A varied month (and its edges) of follow-ups, written as the application writes them.
    // Long: the fixture of one varied month written through the application, case by case as its comments say.
    func work(_ app: Application, _ office: Office) async throws {
        let planning = PlanningService(db: app.db, contactCapDays: 0)
        let distribution = DistributionService(db: app.db)
        func task(_ rule: Int, _ customer: Int, _ day: String, agent: Int?) async throws -> Int {
            let id = try await planning.trigger(
                ruleID: office.rules[rule].id!,
                customerID: office.customers[customer].id!,
                key: "\(rule)-\(customer)-\(day)", asOf: LocalDate(iso: day)!)
            if let agent { _ = try await distribution.reassign([id], to: office.agents[agent], at: Date()) }
            return id
        }
        func record(_ id: Int, _ at: String, _ input: RecordInput, by agent: Int?) async throws {
            let task = try await FollowUpTask.find(id, on: app.db)!
            _ = try await RecordService(db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai(at))
                .record(input, on: task, by: agent.map { office.agents[$0] })
        }
        let reached = ["q1": "satisfied", "q2": "5", "q3": "9"]
        let unhappy = ["q1": "dissatisfied", "q2": "2", "q3": "4"]
        let fair = ["q1": "fair", "q2": "4", "q3": "7"]

        let t1 = try await task(0, 0, "2026-09-29", agent: 0)  // due in September, done in October
        try await record(t1, "2026-10-01 02:40", RecordInput(outcome: "reached", answers: reached), by: 0)
        let t2 = try await task(1, 1, "2026-10-08", agent: 1)
        try await record(t2, "2026-10-08 10:00", RecordInput(outcome: "noAnswer"), by: 1)
        _ = try await distribution.reassign([t2], to: office.agents[2], at: Date())  // its record goes with it
        try await record(t2, "2026-10-09 15:30", RecordInput(outcome: "reached", answers: unhappy), by: 2)
        let t3 = try await task(0, 2, "2026-10-12", agent: 2)
        try await record(t3, "2026-10-20 16:00", RecordInput(outcome: "reached", surveyDeclined: true), by: 2)  // late
        let t4 = try await task(2, 3, "2026-10-14", agent: nil)  // nobody's
        try await record(t4, "2026-10-14 11:00", RecordInput(outcome: "reached"), by: 3)
        let t5 = try await task(1, 4, "2026-10-15", agent: 3)
        try await record(t5, "2026-10-15 10:00", RecordInput(outcome: "busy"), by: 3)
        try await record(t5, "2026-10-16 10:00", RecordInput(outcome: "noAnswer"), by: 3)  // unreachable
        let t6 = try await task(0, 5, "2026-10-20", agent: 0)
        _ = try await task(2, 5, "2026-10-21", agent: 0)  // ends with the next one's doNotCall
        try await record(t6, "2026-10-20 09:30", RecordInput(outcome: "doNotCall"), by: 0)
        let t8 = try await task(1, 6, "2026-10-22", agent: 1)
        let extra = TaskReason()  // a second reason: the task counts for both rules, its trigger day is the earlier
        extra.$task.id = t8
        extra.customerID = office.customers[6].id!
        extra.ruleID = office.rules[2].id!
        extra.occurrenceKey = "extra"
        extra.triggeredOn = "2026-10-19"
        extra.dueOn = "2026-10-22"
        extra.deadlineOn = "2026-10-26"
        try await extra.create(on: app.db)
        // The month's last minutes.
        try await record(t8, "2026-10-31 23:40", RecordInput(outcome: "reached", answers: fair), by: 1)
        let t9 = try await task(0, 7, "2026-10-27", agent: 2)
        try await record(t9, "2026-11-01 02:10", RecordInput(outcome: "reached", answers: reached), by: 2)
        // Done tasks are not moved by the application; an operator's plain SQL moves its record and answers too.
        try await app.db.sql.raw(
            """
            UPDATE follow_up_tasks SET assigned_agent_id = \(bind: office.agents[3].id!) WHERE id = \(bind: t9)
            """
        ).run()
        _ = try await task(2, 7, "2026-10-29", agent: 2)  // never done: missed
        _ = try await planning.markMissed(before: shanghai("2026-11-05 00:00"), owedRules: [office.rules[2].id!])
        let t11 = try await task(0, 1, "2026-11-02", agent: 1)
        try await record(t11, "2026-11-02 10:00", RecordInput(outcome: "reached", answers: fair), by: 1)
        // A customer deleted by an operator's plain SQL: their tasks, records and answers go, and so do their
        // figures (the application erases instead, which keeps them).
        let gone = try await task(1, 3, "2026-10-23", agent: 0)
        try await record(gone, "2026-10-23 10:00", RecordInput(outcome: "reached", answers: unhappy), by: 0)
        try await app.db.sql.raw("DELETE FROM customers WHERE id = \(bind: office.customers[3].id!)").run()
    }

    func compare(_ app: Application) async throws {
        func days(_ from: String, _ to: String) -> ReportPeriod {
            ReportPeriod(from: LocalDate(iso: from)!, to: LocalDate(iso: to)!)
        }
        let periods = [
            ReportPeriod(month: "2026-10")!, days("2026-10-20", "2026-10-20"),
            days("2026-09-01", "2026-11-30"),
        ]
        for period in periods {
            for grouping in ReportGrouping.allCases {
                let rollups = try await ReportService(db: app.db, language: .zh).report(period, groupedBy: grouping)
                let rows = try await ReportService(db: app.db, language: .zh, counting: .rows)
                    .report(period, groupedBy: grouping)
                #expect(rollups == rows, "\(period.from.iso)–\(period.to.iso) by \(grouping.rawValue)")
            }
        }
    }

    /// What the roll-up tables hold, without the rows that add up to nothing.
    func tables(_ app: Application) async throws -> [String] {
        let sql = app.db.sql
        var lines: [String] = []
        for (table, sums) in [
            ("report_task_days", RollupFacts.taskSums), ("report_lag_days", ["n"]),
            ("report_answer_hours", RollupFacts.answerSums),
        ] {
            let columns = sums.map { "CAST(\($0) AS TEXT)" }.joined(separator: " || ',' || ")
            struct Line: Decodable { let line: String }
            let keys =
                table == "report_task_days"
                ? "day"
                : table == "report_lag_days" ? "day || ',' || trig" : "CAST(hour AS TEXT)"
            lines += try await sql.raw(
                """
                SELECT '\(unsafeRaw: table),' || dim || ',' || k || ',' || \(unsafeRaw: keys) || ':'
                  || \(unsafeRaw: columns) AS line
                FROM \(unsafeRaw: table) WHERE \(unsafeRaw: sums.map { "\($0) <> 0" }.joined(separator: " OR "))
                """
            ).all(decoding: Line.self).map(\.line)
        }
        return lines.sorted()
    }

    @Test(arguments: ["Asia/Shanghai", "Asia/Kolkata"])
    func everyFigureFromTheRollupsEqualsCountingTheRows(zone: String) async throws {
        try await withHuifang { app in
            // setup
            let office = try await office(app)
            try await CalendarStore(db: app.db).updateSettings(
                timeZone: zone, weeklyHours: nil, by: .commandLine(), at: Date())
            try await work(app, office)
            // MUT, validation: the same report both ways, and a real one
            try await compare(app)
            let october = try await ReportService(db: app.db, language: .zh)
                .report(ReportPeriod(month: "2026-10")!, groupedBy: .rule)
            #expect(october.groups.count == 3 && october.overall.rate(.completion).denominator > 0)
            #expect(october.overall.rate(.satisfaction).denominator > 0 && october.overall.surveysDeclined == 1)
            // The triggers' running totals are what counting everything again gives.
            let kept = try await tables(app)
            let sql = app.db.sql
            try await RollupFacts(sql).rebuild(on: sql)
            #expect(try await tables(app) == kept)
            #expect(!kept.isEmpty)
        }
    }
}
