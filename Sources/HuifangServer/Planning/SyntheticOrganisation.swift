import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

extension Operations {
    /// Adds a synthetic organisation, the same for the same figures: `customers` of every tier, `events` over
    /// the two years before `asOf`, and `agents` (every fifth with the medical skill). The plan benchmark
    /// (`HuifangBenchmarks`) and the job tests fill their databases with it.
    // Long: one organisation (agents, customers, events) from one random stream, so it is the same each time.
    package static func makeSyntheticOrganisation(
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
        // Each customer's consent history starts with their flags, as a writer of customers must leave it.
        try await sql.raw(
            """
            INSERT INTO customer_consents (customer_id, at, consent, do_not_disturb, how)
            SELECT id, \(bind: app.clock.now()), consent, do_not_disturb, \(bind: ConsentSource.demo.rawValue)
            FROM customers WHERE NOT EXISTS (SELECT 1 FROM customer_consents h WHERE h.customer_id = customers.id)
            ORDER BY id
            """
        ).run()
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
}

extension HuifangConfig {
    /// Midnight of a local day in the organisation's zone.
    package func instant(of day: LocalDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }
}
