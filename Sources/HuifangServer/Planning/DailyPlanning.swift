import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A named lease in the database: whoever holds it may run the job; it expires on its own if the
/// holder dies. Several instances on one PostgreSQL agree through it.
struct JobLease {
    let db: any Database
    let name: String
    let holder: String

    private struct Row: Decodable { let holder: String }

    /// Takes the lease for `seconds` unless someone else holds it unexpired.
    func acquire(for seconds: Double, now: Date = Date()) async throws -> Bool {
        let sql = db as! any SQLDatabase
        let expires = now.timeIntervalSince1970 + seconds
        let row = try await sql.raw("""
            INSERT INTO job_leases (name, holder, expires_at) VALUES (\(bind: name), \(bind: holder), \(bind: expires))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE job_leases.expires_at < \(bind: now.timeIntervalSince1970) OR job_leases.holder = excluded.holder
            RETURNING holder
            """).first(decoding: Row.self)
        return row?.holder == holder
    }

    func release() async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM job_leases WHERE name = \(bind: name) AND holder = \(bind: holder)").run()
    }
}

/// Planning and distribution as one job: on demand, or once a day at the configured time.
struct DailyPlanning {
    let db: any Database
    let config: HuifangConfig
    let logger: Logger
    /// Names this process in leases and run records.
    static let instance = "\(ProcessInfo.processInfo.hostName)#\(ProcessInfo.processInfo.processIdentifier)#\(UUID().uuidString.prefix(8))"
    var instance = DailyPlanning.instance

    enum Outcome: Equatable {
        case notYet
        case alreadyDone
        case busy
        case ran(PlanSummary)
    }

    /// Another planner run holds the lease.
    struct Busy: AbortError {
        var status: HTTPResponseStatus { .conflict }
        var reason: String { "another planner run is in progress; try again when it ends" }
    }

    private var lease: JobLease { JobLease(db: db, name: "planner", holder: instance) }

    /// Plans and distributes `day` now, whatever the schedule. Idempotent: a second run adds nothing.
    func runNow(day: LocalDate, trigger: String = "manual", now: Date = Date()) async throws -> PlanSummary {
        guard try await lease.acquire(for: 3600, now: now) else { throw Busy() }
        do {
            let summary = try await run(day: day, trigger: trigger, now: now)
            try await lease.release()
            return summary
        } catch {
            try? await lease.release()
            throw error
        }
    }

    /// The scheduler's tick: runs the day once, after the configured time, on one instance only.
    func tick(now: Date = Date()) async throws -> Outcome {
        guard let planAt = config.planAt else { return .notYet }
        var clock = Calendar(identifier: .gregorian)
        clock.timeZone = config.timeZone
        let parts = clock.dateComponents([.hour, .minute], from: now)
        let day = config.today(now: now)
        guard parts.hour! * 3600 + parts.minute! * 60 >= planAt else { return .notYet }
        if try await isDone(day) { return .alreadyDone }
        guard try await lease.acquire(for: 3600, now: now) else { return .busy }
        do {
            // Checked again under the lease: another instance may have finished in between.
            if try await isDone(day) {
                try await lease.release()
                return .alreadyDone
            }
            let summary = try await run(day: day, trigger: "schedule", now: now)
            try await lease.release()
            return .ran(summary)
        } catch {
            try? await lease.release()
            throw error
        }
    }

    private func isDone(_ day: LocalDate) async throws -> Bool {
        try await PlannerRun.query(on: db).filter(\.$day == day.iso).filter(\.$trigger == "schedule").filter(\.$finishedAt != nil).count() > 0
    }

    private func run(day: LocalDate, trigger: String, now: Date) async throws -> PlanSummary {
        let record = PlannerRun()
        record.day = day.iso
        record.trigger = trigger
        record.instance = instance
        record.startedAt = now
        if trigger == "schedule" {
            // A crashed run of the day left its row unfinished; this run takes it over.
            try await PlannerRun.query(on: db).filter(\.$day == day.iso).filter(\.$trigger == "schedule").filter(\.$finishedAt == nil).delete()
        }
        try await record.create(on: db)
        let started = Date()
        var summary = try await PlanningService(db: db, contactCapDays: config.contactCapDays).plan(asOf: day)
        let (assigned, unassigned) = try await DistributionService(db: db).distribute(asOf: day, now: now)
        summary.assigned = assigned
        summary.unassigned = unassigned
        summary.seconds = Date().timeIntervalSince(started)
        record.finishedAt = Date()
        record.summary = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        try await record.update(on: db)
        logger.info("planner \(trigger) \(day.iso): \(summary.tasksCreated) tasks created, \(summary.assigned) assigned, \(summary.missed) missed")
        return summary
    }
}

/// Ticks the daily planning once a minute while the server runs.
struct PlanningScheduler: LifecycleHandler {
    private let task = TaskHolder()

    final class TaskHolder: @unchecked Sendable {
        var task: Task<Void, Never>?
    }

    func didBootAsync(_ application: Application) async throws {
        guard application.huifang.planAt != nil else { return }
        let planning = DailyPlanning(db: application.db, config: application.huifang, logger: application.logger)
        let logger = application.logger
        task.task = Task {
            while !Task.isCancelled {
                do {
                    _ = try await planning.tick()
                } catch {
                    logger.error("daily planning failed: \(String(reflecting: error))")
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task.task?.cancel()
    }
}
