import Fluent
import Foundation
import HuifangCore
import Vapor

/// Planning and distribution as one job: on demand, or once a day at the configured time. Each run holds
/// the `planner` lease (see `LeasedRun`): one run at a time across every process and instance.
struct DailyPlanning {
    let db: any Database
    let config: HuifangConfig
    let logger: Logger
    /// Names this process in run records and escalation claims (a lease names its run, not the process).
    static let instance = JobLease.process
    var instance = DailyPlanning.instance
    var clock: @Sendable () -> Date = { Date() }

    enum Outcome: Equatable {
        case notYet
        case alreadyDone
        case busy
        case ran(PlanSummary)
    }

    private var job: LeasedRun { LeasedRun(db: db, job: "planner", terms: config.jobLease, clock: clock) }

    /// Plans and distributes `day` now, whatever the schedule. Idempotent: a second run adds nothing.
    /// Throws `JobConflict` (409) while another run holds the planner.
    func runNow(day: LocalDate, trigger: String = "manual", now: Date) async throws -> PlanSummary {
        // A day of the working calendar (1900 to 2199), from the API and the command line alike: the planner counts
        // working days, birthdays and months around it.
        guard BusinessCalendar.dates.contains(day) else {
            throw NamedFieldError(field: "asOf", key: "problem.invalidDate")
        }
        return try await job.perform { lease in try await run(day: day, trigger: trigger, now: now, lease: lease) }
    }

    /// The scheduler's tick: marks dead runs, and runs the day once after the configured time, on one instance only.
    func tick(now: Date) async throws -> Outcome {
        guard let planAt = config.planAt else { return .notYet }
        try await PlannerRuns(db: db, logger: logger).reapDead(now: clock())
        var clock = Calendar(identifier: .gregorian)
        clock.timeZone = config.timeZone
        let parts = clock.dateComponents([.hour, .minute], from: now)
        let day = config.today(now: now)
        guard parts.hour! * 3600 + parts.minute! * 60 >= planAt else { return .notYet }
        if try await isDone(day) { return .alreadyDone }
        do {
            let summary = try await job.perform { lease -> PlanSummary? in
                // Checked again under the lease: another instance may have finished in between.
                if try await isDone(day) { return nil }
                return try await run(day: day, trigger: "schedule", now: now, lease: lease)
            }
            return summary.map(Outcome.ran) ?? .alreadyDone
        } catch let conflict as JobConflict where conflict.kind == .busy {
            return .busy
        }
    }

    private func isDone(_ day: LocalDate) async throws -> Bool {
        try await PlannerRun.query(on: db).filter(\.$day == day.iso).filter(\.$trigger == "schedule")
            .filter(\.$status == .finished).count() > 0
    }

    private func run(day: LocalDate, trigger: String, now: Date, lease: JobLease) async throws -> PlanSummary {
        let runs = PlannerRuns(db: db, logger: logger)
        // This run holds the lease, so every other unfinished run is dead: it is marked before this one starts
        // (a crashed scheduled run of the day no longer blocks the day's one scheduled run).
        try await runs.reapDead(now: clock())
        let record = try await runs.start(day: day, trigger: trigger, run: lease.run, instance: instance, at: now)
        do {
            let started = Date()
            var summary = try await PlanningService(db: db, contactCapDays: config.contactCapDays).plan(asOf: day)
            try Task.checkCancellation()
            let (assigned, unassigned) = try await DistributionService(db: db).distribute(asOf: day, now: now)
            summary.assigned = assigned
            summary.unassigned = unassigned
            summary.seconds = Date().timeIntervalSince(started)
            // A run that lost its lease does not call itself finished: the run that took over owns the day.
            guard try await lease.isHeld(now: clock()) else { throw JobConflict(job: "planner", kind: .lost) }
            try await runs.finish(record, summary: summary, at: clock())
            logger.info(
                """
                planner \(trigger) \(day.iso): \(summary.tasksCreated) tasks created, \(summary.assigned) assigned, \
                \(summary.missed) missed
                """)
            return summary
        } catch {
            _ = try? await runs.end(record, as: .failed, reason: PlannerRuns.reason(for: error), at: clock())
            throw error
        }
    }
}
