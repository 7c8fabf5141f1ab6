import Fluent
import Foundation
import HuifangCore
import HuifangServer
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

    /// Plans `day` and distributes its tasks: the plan's summary, the seconds each took, the tasks assigned and not.
    private static func timeDay(_ app: Application, _ day: LocalDate) async throws -> (
        PlanSummary, Double, Double, Int, Int
    ) {
        let planStart = Date()
        let summary = try await PlanningService(db: app.db, contactCapDays: app.huifang.contactCapDays).plan(asOf: day)
        let planSeconds = Date().timeIntervalSince(planStart)
        let distributeStart = Date()
        let (assigned, unassigned) = try await DistributionService(db: app.db).distribute(asOf: day, now: Date())
        return (summary, planSeconds, Date().timeIntervalSince(distributeStart), assigned, unassigned)
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
            let (timed, memory) = try await PeakMemory.during { try await timeDay(app, day) }
            let (summary, planSeconds, distributeSeconds, assigned, unassigned) = timed
            lines.append(
                "\(label) \(day.iso): plan \(String(format: "%.2f", planSeconds)) s + distribute \(String(format: "%.2f", distributeSeconds)) s = \(String(format: "%.2f", planSeconds + distributeSeconds)) s — \(summary.customersScanned) customers, \(summary.tasksCreated) tasks, \(summary.reasonsAdded) reasons, \(summary.merged) merged, \(summary.skippedDoNotDisturb) DND, \(summary.skippedNoConsent) no consent, \(summary.capped) capped, \(summary.missed) missed; \(assigned) assigned, \(unassigned) unassigned"
            )
            lines.append(phases(summary))
            if let memory { lines.append("  memory during the day: \(memory.summary)") }
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
        lines.append("peak memory of the whole run (max RSS): \(usage.ru_maxrss / 1024) MiB")
        return lines.joined(separator: "\n")
    }
}
