import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

extension Operations {
    /// Fills the database with a synthetic organisation (customers, events, agents; the default rules are
    /// already there), then times one planning day and the distribution. Prints what it measured.
    public static func planBenchmark(
        on app: Application, customers: Int, events: Int, agents: Int, asOf: LocalDate, reuse: Bool = false
    ) async throws -> String {
        let db = app.db
        let sql = db.sql
        var lines: [String] = []
        let fillStart = Date()
        struct Count: Decodable { let count: Int }
        let existing =
            try await sql.raw("SELECT COUNT(*) AS count FROM customers").first(decoding: Count.self)?.count ?? 0
        if reuse, existing > 0 {
            // Measure again on the data of an earlier run: only its tasks go.
            try await sql.raw("DELETE FROM follow_up_task_reasons").run()
            try await sql.raw("DELETE FROM follow_up_tasks").run()
            lines.append("reusing \(existing) customers; earlier tasks removed")
            return lines.joined(separator: "\n") + "\n" + (try await timePlanning(app, asOf: asOf))
        }
        guard existing == 0 else {
            throw OperationError(
                "the benchmark needs an empty database (this one has \(existing) customers); --reuse measures again on it"
            )
        }
        try await makeSyntheticOrganisation(on: app, customers: customers, events: events, agents: agents, asOf: asOf)
        lines.append(
            "generated \(customers) customers, \(events) events, \(agents) agents in \(String(format: "%.1f", Date().timeIntervalSince(fillStart))) s"
        )
        return lines.joined(separator: "\n") + "\n" + (try await timePlanning(app, asOf: asOf))
    }

    /// Adds a synthetic organisation, the same for the same figures: `customers` of every tier, `events` over
    /// the two years before `asOf`, and `agents` (every fifth with the medical skill).
    static func makeSyntheticOrganisation(
        on app: Application, customers: Int, events: Int, agents: Int,
        asOf: LocalDate
    ) async throws {
        let db = app.db
        let sql = db.sql
        var agentIDs: [UUID] = []
        for index in 0..<agents {
            let user = User(username: "bench\(index)", displayName: "客服\(index)", passwordHash: "!", role: .agent)
            user.skills = index % 5 == 0 ? "medical" : ""
            try await user.create(on: db)
            agentIDs.append(user.id!)
        }
        var rng = SplitMix64(seed: 20_261_125)
        let tiers = ["普通", "普通", "普通", "银卡", "银卡", "金卡", "白金卡"]
        for start in stride(from: 0, to: customers, by: 50_000) {
            let end = min(customers, start + 50_000)
            var rows: [[any SQLExpression]] = []
            rows.reserveCapacity(end - start)
            for index in start..<end {
                let registered = asOf.adding(days: -(30 + Int(rng.next() % 3000)))
                let birthday = LocalDate(
                    year: 1950 + Int(rng.next() % 55), month: 1 + Int(rng.next() % 12), day: 1 + Int(rng.next() % 28))!
                let agent: UUID? =
                    rng.next() % 10 == 0 && !agentIDs.isEmpty ? agentIDs[Int(rng.next() % UInt64(agentIDs.count))] : nil
                rows.append([
                    SQLBind("客户\(index)"), SQLBind("+86139" + String(format: "%08d", index)),
                    SQLBind(tiers[Int(rng.next() % 7)]),
                    SQLBind(birthday.iso), SQLBind(registered.iso), SQLBind(agent), SQLBind(rng.next() % 50 != 0),
                    SQLBind(rng.next() % 40 == 0),
                ])
            }
            let batch = rows
            try await db.transaction { db in
                let sql = db.sql
                for chunk in batch.chunked(1000) {
                    let insert = sql.insert(into: Customer.schema).columns(
                        "name", "mobile", "tier", "birthday", "registered_on", "assigned_agent_id", "consent",
                        "do_not_disturb")
                    for row in chunk { insert.values(row) }
                    try await insert.run()
                }
            }
        }
        let kinds: [(String, Int)] = [
            ("purchase", 50), ("repair", 15), ("discharge", 10), ("warranty_start", 10), ("insurance_expiry", 10),
            ("inquiry", 5),
        ]
        for start in stride(from: 0, to: events, by: 50_000) {
            let end = min(events, start + 50_000)
            var rows: [[any SQLExpression]] = []
            rows.reserveCapacity(end - start)
            for _ in start..<end {
                let customer = 1 + Int(rng.next() % UInt64(max(customers, 1)))
                var roll = Int(rng.next() % 100)
                var kind = "purchase"
                for (name, share) in kinds {
                    if roll < share {
                        kind = name
                        break
                    }
                    roll -= share
                }
                let day = asOf.adding(days: -Int(rng.next() % 730))
                var attributes: [String: String] = [:]
                if kind == "insurance_expiry" { attributes["expires_on"] = day.adding(days: 365).iso }
                if kind == "warranty_start" { attributes["warranty_until"] = day.adding(months: 24).iso }
                if kind == "discharge" { attributes["科室"] = ["心内科", "骨科", "消化内科"][Int(rng.next() % 3)] }
                rows.append([
                    SQLBind(customer), SQLBind(kind), SQLBind(app.huifang.instant(of: day)), SQLBind(day.iso),
                    SQLBind(ServiceEvent.encode(attributes)), SQLBind("bench"), SQLBind(Date()),
                ])
            }
            let batch = rows
            try await db.transaction { db in
                let sql = db.sql
                for chunk in batch.chunked(1000) {
                    let insert = sql.insert(into: ServiceEvent.schema).columns(
                        "customer_id", "kind", "occurred_at", "occurred_on", "attributes", "source", "created_at")
                    for row in chunk { insert.values(row) }
                    try await insert.run()
                }
            }
        }
        try await sql.raw(
            "UPDATE customers SET last_event_on = (SELECT MAX(occurred_on) FROM events WHERE events.customer_id = customers.id)"
        ).run()
    }

    private static func timePlanning(_ app: Application, asOf: LocalDate) async throws -> String {
        let db = app.db
        var lines: [String] = []

        func phases(_ summary: PlanSummary) -> String {
            "  phases: "
                + summary.timings.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value)) s" }
                .joined(separator: ", ")
        }
        // The first day catches up every follow-up owed since registration; the next is an ordinary day.
        for (label, day) in [("first day (catching up)", asOf), ("next day", asOf.adding(days: 1))] {
            let planStart = Date()
            let summary = try await PlanningService(db: db, contactCapDays: app.huifang.contactCapDays).plan(asOf: day)
            let planSeconds = Date().timeIntervalSince(planStart)
            let distributeStart = Date()
            let (assigned, unassigned) = try await DistributionService(db: db).distribute(asOf: day, now: Date())
            let distributeSeconds = Date().timeIntervalSince(distributeStart)
            lines.append(
                "\(label) \(day.iso): plan \(String(format: "%.2f", planSeconds)) s + distribute \(String(format: "%.2f", distributeSeconds)) s = \(String(format: "%.2f", planSeconds + distributeSeconds)) s — \(summary.customersScanned) customers, \(summary.tasksCreated) tasks, \(summary.reasonsAdded) reasons, \(summary.merged) merged, \(summary.skippedDoNotDisturb) DND, \(summary.skippedNoConsent) no consent, \(summary.capped) capped, \(summary.missed) missed; \(assigned) assigned, \(unassigned) unassigned"
            )
            lines.append(phases(summary))
        }
        let replanStart = Date()
        let again = try await PlanningService(db: db, contactCapDays: app.huifang.contactCapDays).plan(
            asOf: asOf.adding(days: 1))
        lines.append(
            "the next day planned again: \(String(format: "%.2f", Date().timeIntervalSince(replanStart))) s — \(again.tasksCreated) tasks created"
        )
        lines.append(phases(again))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        lines.append("peak memory (max RSS): \(usage.ru_maxrss / 1024) MiB")
        return lines.joined(separator: "\n")
    }
}

extension HuifangConfig {
    /// Midnight of a local day in the organisation's zone.
    func instant(of day: LocalDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }
}
