import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A year of past work for the demo, so the reports have something to show: follow-ups done (and
/// missed) by the four agents with survey answers scored by the real survey, tickets handled through
/// the ticket service to their ends, and inbound calls. Loaded once, into a database without records.
enum DemoHistory {
    // Long: a demo script read top to bottom: a year of follow-ups, answers and calls from one random stream.
    static func load(on app: Application) async throws {
        let db = app.db
        guard try await FollowUpRecord.query(on: db).count() == 0,
            let survey = try await SurveyRecord.query(on: db).filter(\.$name == "服务满意度回访").filter(\.$isCurrent == true)
                .first(),
            let rule = try await RuleRecord.query(on: db).filter(\.$name == "会员定期回访").first()
        else { return }
        let sql = db.sql
        let agents = try await User.query(on: db).filter(\.$role == .agent).sort(\.$username).all()
        let customers = try await Customer.query(on: db).sort(\.$id).limit(1200).all()
        guard !agents.isEmpty, customers.count >= 100 else { return }
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        let today = app.today
        let definition = try survey.definition
        var rng = SplitMix64(seed: 20_261_125)
        func roll(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        func at(_ day: LocalDate, _ hour: Int, _ minute: Int) -> Date {
            calendar.instant(local: Int64(day.dayNumber) * 86_400 + Int64(hour * 3600 + minute * 60))
        }

        struct IDRow: Decodable { let id: Int? }
        var taskID =
            (try await sql.raw("SELECT MAX(id) AS id FROM follow_up_tasks").first(decoding: IDRow.self)?.id ?? 0)
        var recordID =
            (try await sql.raw("SELECT MAX(id) AS id FROM follow_up_records").first(decoding: IDRow.self)?.id ?? 0)
        var tasks: [[any Encodable & Sendable]] = []
        var reasons: [[any Encodable & Sendable]] = []
        var records: [[any Encodable & Sendable]] = []
        var answers: [[any Encodable & Sendable]] = []
        var calls: [[any Encodable & Sendable]] = []
        let firstMonth = LocalDate(year: today.year, month: today.month, day: 1)!.adding(months: -12)
        var day = firstMonth
        while day < today {
            defer { day = day.adding(days: 1) }
            guard calendar.isWorkingDay(day) else { continue }
            // Months further back were a little worse: the figures improve towards today.
            let months = (today.dayNumber - day.dayNumber) / 30
            for _ in 0..<(14 + roll(6)) {
                taskID += 1
                let customer = customers[roll(customers.count)]
                let agent = agents[roll(agents.count)]
                let triggered = day.adding(days: -roll(3))
                let deadline = (try? calendar.addWorkingDays(3, after: day)) ?? day.adding(days: 3)
                let outcome = roll(100)
                let completed = outcome < 93 - months / 2
                let late = completed && roll(100) < 3 + months / 3
                let doneDay = late ? deadline.adding(days: 1 + roll(2)) : day.adding(days: roll(100) < 70 ? 0 : 1)
                let done = at(doneDay, [10, 11, 15, 16][roll(4)], roll(60))
                let status = completed ? "completed" : outcome < 97 ? "unreachable" : "refused"
                tasks.append([
                    taskID, customer.id!, status, 3, "phone", "", "", 3, completed ? 1 : 3, "10:00-12:00,15:00-17:00",
                    day.iso, deadline.iso,
                    at(day, 9, 0), at(deadline, 17, 0), day.iso, agent.id!, completed ? Optional(done) : nil,
                    completed ? Optional(doneDay.iso) : nil, at(day, 2, 0),
                ])
                reasons.append([
                    taskID, customer.id!, rule.id!, "DEMO-H\(taskID)", triggered.iso, day.iso, deadline.iso,
                ])
                guard completed else { continue }
                recordID += 1
                records.append([
                    recordID, taskID, customer.id!, agent.id!, agent.displayName, "agent", "phone",
                    done.addingTimeInterval(-240), done, 240,
                    "reached", true, true, false, false, "completed", "", false, "", "", survey.id!, false, done,
                ])
                // Answers in the shape the agent would give them, scored by the survey itself.
                let mood = roll(100) - months
                var given: [String: String] = [:]
                for question in definition.questions {
                    switch question.type {
                    case .satisfaction3:
                        given[question.key] = mood < 4 ? "dissatisfied" : mood < 14 ? "fair" : "satisfied"
                    case .scale5: given[question.key] = String(mood < 4 ? 2 : mood < 12 ? 3 : mood < 45 ? 4 : 5)
                    case .nps:
                        if roll(2) == 0 {
                            given[question.key] = String(
                                mood < 10 ? 5 + roll(2) : mood < 35 ? 7 + roll(2) : 9 + roll(2))
                        }
                    default: break
                    }
                }
                if let scored = try? definition.score(given) {
                    for answer in scored {
                        answers.append([
                            recordID, survey.id!, customer.id!, answer.key, answer.indicator, answer.type.rawValue,
                            answer.value, answer.score, answer.isTopTwo, answer.meetsThreshold, done,
                        ])
                    }
                }
            }
            for _ in 0..<(6 + roll(8)) {
                let customer = customers[roll(customers.count)]
                let agent = agents[roll(agents.count)]
                let hour = [9, 10, 10, 11, 11, 14, 15, 15, 16, 17, 19][roll(11)]
                let matter = ["points", "repair", "order", "complaint", "event", "invoice"][roll(6)]
                calls.append([
                    at(day, hour, roll(60)), agent.id!, agent.displayName, customer.id!, customer.mobile ?? "", matter,
                    "演示来电", "answered", false,
                ])
            }
        }
        let (taskRows, reasonRows, recordRows, answerRows, callRows) = (tasks, reasons, records, answers, calls)
        try await db.transaction { db in
            let sql = db.sql
            try await insert(
                sql, "follow_up_tasks",
                [
                    "id", "customer_id", "status", "priority", "channel", "script", "required_skill", "max_attempts",
                    "attempts",
                    "contact_windows", "due_on", "deadline_on", "due_at", "deadline_at", "planned_on",
                    "assigned_agent_id",
                    "completed_at", "completed_on", "created_at",
                ], taskRows)
            try await insert(
                sql, "follow_up_task_reasons",
                ["task_id", "customer_id", "rule_id", "occurrence_key", "triggered_on", "due_on", "deadline_on"],
                reasonRows)
            try await insert(
                sql, "follow_up_records",
                [
                    "id", "task_id", "customer_id", "agent_id", "agent_name", "source", "channel", "started_at",
                    "ended_at",
                    "duration_seconds", "outcome", "contact_made", "completed", "needs_retry", "stop_contacting",
                    "result",
                    "notes", "recording_consent", "recording_ref", "corrections", "survey_id", "ticket_proposed",
                    "created_at",
                ], recordRows)
            try await insert(
                sql, "survey_answers",
                [
                    "record_id", "survey_id", "customer_id", "question_key", "indicator", "type", "value", "score",
                    "is_top_two",
                    "meets_threshold", "answered_at",
                ], answerRows)
            try await insert(
                sql, "calls",
                [
                    "at", "agent_id", "agent_name", "customer_id", "phone", "matter", "summary", "handling",
                    "recording_consent",
                ], callRows)
            if sql.dialect.name == "postgresql" {
                for table in ["follow_up_tasks", "follow_up_records"] {
                    try await sql.raw(
                        "SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT MAX(id) FROM \(unsafeRaw: table)))"
                    ).run()
                }
            }
        }
        try await loadPastTickets(
            on: app, customers: customers.compactMap(\.id), calendar: calendar, today: today, rng: &rng)
    }

    private static func insert(
        _ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]]
    ) async throws {
        for chunk in rows.chunked(max(1, 900 / columns.count)) {
            var insert = sql.insert(into: table).columns(columns)
            for row in chunk { insert = insert.values(row.map { SQLBind($0) }) }
            try await insert.run()
        }
    }

    /// Tickets of the past months, each taken through the ticket service at the time it happened: opened,
    /// assigned, started, resolved (some late), checked with the customer — a few not satisfied the first
    /// time — and closed; suggestions adopted or declined.
    private static func loadPastTickets(
        on app: Application, customers: [Int], calendar: BusinessCalendar, today: LocalDate,
        rng: inout SplitMix64
    ) async throws {
        let actor = Actor.commandLine("demo")
        // The demo's verification follow-ups are recorded as a supervisor records them.
        let supervisor = Viewer(id: UUID(), role: .supervisor, departmentID: nil)
        let kinds: [(String, String, String)] = [
            ("complaint", "attitude", "服务人员态度生硬"), ("quality", "damage", "维修后仍有故障"),
            ("service", "delay", "上门时间一再推迟"), ("complaint", "price", "结算价格与承诺不符"),
            ("suggestion", "other", "建议增加周末服务时段"), ("service", "communication", "客服答复前后不一"),
        ]
        let handlers = ["zhaolei", "sunli"]
        let first = LocalDate(year: today.year, month: today.month, day: 1)!.adding(months: -12)
        for month in 0..<12 {
            let start = first.adding(months: month)
            for n in 0..<(10 + Int(rng.next() % 6)) {
                let kind = kinds[Int(rng.next() % UInt64(kinds.count))]
                let opened = calendar.instant(
                    local: Int64(start.adding(days: Int(rng.next() % 20)).dayNumber) * 86_400 + 10 * 3600)
                func service(hours: Double) -> TicketService {
                    TicketService(
                        db: app.db, config: app.huifang, actor: actor, now: opened.addingTimeInterval(hours * 3600))
                }
                let customer = customers[Int(rng.next() % UInt64(customers.count))]
                var ticket = try await service(hours: 0).open(
                    TicketInput(
                        kind: kind.0, category: kind.1,
                        severity: n % 7 == 0 ? "serious" : n % 3 == 0 ? "minor" : "general",
                        source: n % 2 == 0 ? "followUp" : "call",
                        customerID: customer, description: kind.2, handler: handlers[n % 2]))
                // The row's creation time is stamped by the database layer; the demo's ticket was opened back then.
                try await app.db.sql.update("tickets").set("created_at", to: SQLBind(opened)).where(
                    "id", .equal, SQLBind(ticket.id!)
                ).run()
                ticket = try await service(hours: 1).act(ticket, .start)
                if kind.0 == "suggestion" {
                    ticket = try await service(hours: 30).act(
                        ticket, n % 3 == 0 ? .decline : .adopt, note: n % 3 == 0 ? "暂不具备条件，已向客户说明。" : "已采纳，下月起实行。")
                    continue
                }
                // Most within the deadline, some days late (a later month is better).
                let hours = rng.next() % 100 < UInt64(12 + (11 - month)) ? 200.0 : 20.0
                ticket = try await service(hours: hours).act(ticket, .resolve, note: "已处理")
                if rng.next() % 100 < 15 {
                    ticket = try await service(hours: hours + 24).verify(
                        ticket, satisfied: false, words: "问题仍未解决", by: supervisor)
                    if ticket.status == .assigned { ticket = try await service(hours: hours + 25).act(ticket, .start) }
                    ticket = try await service(hours: hours + 48).act(ticket, .resolve, note: "再次处理")
                }
                let end = ticket.resolvedAt!.addingTimeInterval(26 * 3600)
                guard end < app.clock.now() else { continue }
                _ = try await TicketService(db: app.db, config: app.huifang, actor: actor, now: end).verify(
                    ticket, satisfied: true, words: "", by: supervisor)
            }
        }
    }
}
