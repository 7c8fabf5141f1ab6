import Fluent
import Foundation
import HuifangCore
import HuifangServer
import SQLKit
import Vapor

extension Operations {
    /// Fills an empty database with `tickets` open tickets over `departments` departments, of which
    /// `dueShare` have a deadline that has just passed, and times the sweeps: the first escalates every
    /// due breach (notifications written, emails queued), the second finds nothing new.
    // Long: a benchmark script read top to bottom: departments, tickets and clocks made in SQL, two sweeps timed.
    public static func escalationBenchmark(on app: Application, tickets: Int, dueShare: Double, departments: Int)
        async throws -> String
    {
        let db = app.db
        let sql = db.sql
        struct Count: Decodable { let count: Int }
        let existing =
            try await sql.raw("SELECT COUNT(*) AS count FROM tickets").first(decoding: Count.self)?.count ?? 0
        guard existing == 0 else {
            throw OperationError("the benchmark needs a database without tickets (this one has \(existing))")
        }
        var lines: [String] = []
        let fillStart = Date()
        // Monday 2 March 2026, 10:00 in Shanghai: a working day, inside working hours.
        var config = app.huifang
        let now = config.instant(of: LocalDate(year: 2026, month: 3, day: 2)!).addingTimeInterval(10 * 3600)
        config.smtp = SMTPSettings(url: "smtp://127.0.0.1:9", from: "huifang@localhost")

        var departmentIDs: [UUID] = []
        for index in 0..<departments {
            let head = User(username: "head\(index)", displayName: "负责人\(index)", passwordHash: "!", role: .handler)
            head.email = "head\(index)@example.com"
            try await head.create(on: db)
            let department = Department()
            department.name = "部门\(index)"
            department.headUserID = head.id
            try await department.create(on: db)
            departmentIDs.append(department.id!)
        }
        for index in 0..<3 {
            let supervisor = User(
                username: "boss\(index)", displayName: "主管\(index)", passwordHash: "!", role: .supervisor)
            supervisor.email = "boss\(index)@example.com"
            try await supervisor.create(on: db)
        }
        let settings = try await TicketSettingsRecord.load(on: db).settings
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        var rng = SplitMix64(seed: 20_261_126)
        let dueEvery = dueShare > 0 ? max(1, Int((1 / dueShare).rounded())) : Int.max
        var due = 0
        struct Created: Decodable {
            let id: Int
            let description: String
        }
        var nextOf: [String: (key: String, next: Double)] = [:]
        for start in stride(from: 0, to: tickets, by: 50_000) {
            let end = min(tickets, start + 50_000)
            var rows: [[any SQLExpression]] = []
            rows.reserveCapacity(end - start)
            for index in start..<end {
                let isDue = rng.next() % UInt64(dueEvery) == 0
                if isDue { due += 1 }
                // Due ones passed their first-response deadline up to 50 minutes ago; the rest are due within three weeks.
                let firstDue =
                    isDue
                    ? now.addingTimeInterval(-Double(60 + rng.next() % 3000))
                    : now.addingTimeInterval(Double(3600 + rng.next() % 1_800_000))
                let running = RunningDeadline(.firstResponse, firstDue)
                let next = try settings.ladder.moment(of: 1, for: running, calendar: calendar)!.timeIntervalSince1970
                let kind = TicketKind.allCases[Int(rng.next() % 5)]
                rows.append([
                    SQLBind(kind.rawValue), SQLBind("other"), SQLBind("general"), SQLBind(false), SQLBind("api"),
                    SQLBind("工单\(index)"),
                    SQLBind(departmentIDs.isEmpty ? nil : departmentIDs[index % departmentIDs.count]),
                    SQLBind("assigned"), SQLBind(0), SQLBind("一般问题"), SQLBind(firstDue),
                    SQLBind(firstDue.addingTimeInterval(3 * 86_400)),
                    SQLBind(""), SQLBind(""), SQLBind(""), SQLBind(0), SQLBind(now),
                ])
                nextOf["工单\(index)"] = (running.key, next)
            }
            let batch = rows
            let moments = nextOf
            try await db.transaction { db in
                let sql = db.sql
                for chunk in batch.chunked(1000) {
                    let insert = sql.insert(into: "tickets").columns(
                        "kind", "category", "severity", "urgent", "source", "description", "department_id", "status",
                        "reopen_count", "policy",
                        "first_response_due", "resolution_due", "measures", "plan_owner", "compensation", "extensions",
                        "created_at")
                    for row in chunk { insert.values(row) }
                    // Each ticket's clock (breach and next moment) goes to its row, found by the ticket's description.
                    let created = try await insert.returning("id", "description").all(decoding: Created.self)
                    let clocks = sql.insert(into: TicketClocks.schema)
                        .columns("ticket_id", "escalation_key", "escalation_level", "next_escalation_at")
                    for ticket in created {
                        let clock = moments[ticket.description]
                        clocks.values(SQLBind(ticket.id), SQLBind(clock?.key), SQLBind(0), SQLBind(clock?.next))
                    }
                    try await clocks.run()
                }
            }
            nextOf.removeAll(keepingCapacity: true)
        }
        lines.append(
            "generated \(tickets) open tickets (\(due) past their first-response deadline) over \(departments) departments in \(String(format: "%.1f", Date().timeIntervalSince(fillStart))) s"
        )

        for label in ["first sweep", "second sweep (nothing new)"] {
            let summary = try await EscalationSweep(db: db, config: config).run(now: now)
            let queued = try await MailMessage.query(on: db).count()
            let messages = try await HuifangServer.Notification.query(on: db).count()
            lines.append(
                "\(label): \(String(format: "%.2f", summary.seconds)) s — \(summary.examined) tickets examined, \(summary.escalations) escalations notified to \(summary.notifications) people; in all \(messages) in-app notifications (digests) and \(queued) emails queued"
            )
            lines.append(
                "  phases: "
                    + summary.timings.sorted { $0.key < $1.key }.map {
                        "\($0.key) \(String(format: "%.2f", $0.value)) s"
                    }.joined(separator: ", "))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        lines.append("peak memory (max RSS): \(usage.ru_maxrss / 1024) MiB")
        return lines.joined(separator: "\n")
    }
}
