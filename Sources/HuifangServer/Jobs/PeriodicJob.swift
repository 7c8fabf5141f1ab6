import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A job the server runs again and again while it runs: the planner's tick, the escalation sweep, the outbox's
/// delivery and housekeeping. One type for all of them: a loop started at boot and cancelled at shutdown,
/// the application's clock read at each run, and a failed run logged without stopping the next one. Work that
/// must not run twice at once takes its lease inside (`LeasedRun`); finding it taken by another instance or by
/// a run asked for by hand (`JobConflict.busy`) is normal and not logged.
struct PeriodicJob: LifecycleHandler {
    let name: String
    let every: Duration
    /// Whether the first run waits one interval (housekeeping) instead of starting at boot.
    var waitsFirst = false
    let work: @Sendable (DomainServices) async throws -> Void
    private let running = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(
        _ name: String, every: Duration, waitsFirst: Bool = false,
        work: @escaping @Sendable (DomainServices) async throws -> Void
    ) {
        self.name = name
        self.every = every
        self.waitsFirst = waitsFirst
        self.work = work
    }

    func didBootAsync(_ application: Application) async throws {
        let logger = application.logger
        // A run gets the services of the application's database, configuration and clock (read at each run).
        let services: @Sendable () -> DomainServices = { application.domain(as: .job) }
        let (name, every, waitsFirst, work) = (self.name, self.every, self.waitsFirst, self.work)
        let task = Task {
            if waitsFirst { try? await Task.sleep(for: every) }
            while !Task.isCancelled {
                let domain = services()
                let started = domain.now
                let clock = ContinuousClock()
                let began = clock.now
                var outcome = JobHeartbeat.Outcome.ok
                var text = ""
                do {
                    try await work(domain)
                } catch let conflict as JobConflict where conflict.kind == .busy {
                    // Another instance, or a run asked for by hand, is doing it now.
                    outcome = .busy
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("\(name) failed: \(String(reflecting: error))")
                    (outcome, text) = (.failed, String(describing: error))
                }
                JobMetrics.record(job: name, outcome: outcome, duration: clock.now - began)
                try? await JobHeartbeat.record(
                    job: name, instance: JobLease.process, started: started, finished: services().now,
                    outcome: outcome, error: text, on: domain.db)
                try? await Task.sleep(for: every)
            }
        }
        running.withLockedValue { $0 = task }
    }

    func shutdownAsync(_ application: Application) async {
        let task = running.withLockedValue { $0 }
        task?.cancel()
        await task?.value
    }
}

extension PeriodicJob {
    /// The jobs the configuration turns on (each a new loop: a job value belongs to one application).
    static func all(_ config: HuifangConfig) -> [PeriodicJob] {
        var jobs: [PeriodicJob] = []
        if config.planAt != nil { jobs.append(planner) }
        if let every = config.escalateEvery { jobs.append(escalation(every: every)) }
        if let every = config.deliverEvery { jobs.append(delivery(every: every)) }
        jobs.append(housekeeping)
        jobs.append(retention)
        return jobs
    }

    /// Looks every minute whether the day's planning is due (`HUIFANG_PLAN_AT`) and runs it under its lease.
    static var planner: PeriodicJob {
        PeriodicJob("daily planning", every: .seconds(60)) { domain in
            _ = try await domain.planning.tick(now: domain.now)
        }
    }

    /// Sweeps for breaches every `HUIFANG_ESCALATE_EVERY` seconds; one instance sweeps at a time (a lease), and
    /// the unique claims make a second harmless anyway.
    static func escalation(every seconds: Int) -> PeriodicJob {
        PeriodicJob("escalation sweep", every: .seconds(seconds)) { domain in
            let summary = try await domain.escalation.runLeased(terms: domain.config.jobLease, now: domain.now)
            if summary.escalations > 0 {
                domain.context.logger.info(
                    "escalation sweep: \(summary.escalations) escalations, \(summary.notifications) notifications")
            }
        }
    }

    /// Sends what the outbox holds (email and SMS) every `HUIFANG_DELIVER_EVERY` seconds; each message is claimed
    /// before it is sent, so several instances never send one twice.
    static func delivery(every seconds: Int) -> PeriodicJob {
        PeriodicJob("outbox delivery", every: .seconds(seconds)) { domain in
            let delivery = try await domain.outbox.deliver(now: domain.now)
            OutboxMetrics.record(delivery)
            if delivery.sent + delivery.failed + delivery.retrying > 0 {
                domain.context.logger.info(
                    "outbox: \(delivery.sent) sent, \(delivery.retrying) to retry, \(delivery.failed) failed")
            }
        }
    }

    /// Looks every ten minutes whether the day's retention purge is due and runs it under its lease.
    static var retention: PeriodicJob {
        PeriodicJob("retention", every: .seconds(600), waitsFirst: true) { domain in
            _ = try await domain.retentionJob.tick()
        }
    }

    /// Purges ended sessions and old sign-in attempts every ten minutes.
    static var housekeeping: PeriodicJob {
        PeriodicJob("housekeeping", every: .seconds(600), waitsFirst: true) { domain in
            let purged = try await Housekeeping(db: domain.db, config: domain.config).run(now: domain.now)
            domain.context.logger.debug(
                "housekeeping purged \(purged.sessions) sessions, \(purged.attempts) sign-in attempts")
        }
    }
}
