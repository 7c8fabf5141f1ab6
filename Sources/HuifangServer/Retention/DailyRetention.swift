import Fluent
import Foundation
import HuifangCore
import Vapor

/// The retention purge as a job: once a day (after the planner's hour, or at 03:00 when planning is off) on one
/// instance, or on demand. Each run holds the `retention` lease (see `LeasedRun`) and is recorded with its report
/// in `retention_runs`; a run that dies is simply done again — every purge step is idempotent.
struct DailyRetention {
    let domain: DomainServices
    var clock: @Sendable () -> Date = { Date() }

    static let defaultHour = 3 * 3600

    enum Outcome: Equatable {
        case notYet
        case alreadyDone
        case busy
        case ran(RetentionReport)
    }

    private var context: ServiceContext { domain.context }
    private var job: LeasedRun {
        LeasedRun(db: context.db, job: "retention", terms: context.config.jobLease, clock: clock)
    }

    /// Purges now, whatever the schedule; `JobConflict` (409) while another run holds the job.
    func runNow(trigger: String = "manual") async throws -> RetentionReport {
        try await job.perform { lease in try await run(trigger: trigger, lease: lease) }
    }

    /// The scheduler's tick: the day's run once its hour has come, on one instance only.
    func tick() async throws -> Outcome {
        let now = context.now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = context.config.timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: now)
        guard parts.hour! * 3600 + parts.minute! * 60 >= context.config.planAt ?? Self.defaultHour else {
            return .notYet
        }
        let day = context.config.today(now: now).iso
        if try await isDone(day) { return .alreadyDone }
        do {
            let report = try await job.perform { lease -> RetentionReport? in
                if try await isDone(day) { return nil }  // another instance finished meanwhile
                return try await run(trigger: "schedule", lease: lease)
            }
            return report.map(Outcome.ran) ?? .alreadyDone
        } catch let conflict as JobConflict where conflict.kind == .busy {
            return .busy
        }
    }

    private func isDone(_ day: String) async throws -> Bool {
        try await RetentionRun.query(on: context.db).filter(\.$day == day).filter(\.$trigger == "schedule")
            .filter(\.$finishedAt != nil).count() > 0
    }

    private func run(trigger: String, lease: JobLease) async throws -> RetentionReport {
        let last = try await RetentionRun.query(on: context.db).filter(\.$finishedAt != nil).sort(\.$id, .descending)
            .first()
        let record = RetentionRun()
        record.day = context.config.today(now: context.now).iso
        record.trigger = trigger
        record.instance = DailyPlanning.instance
        record.startedAt = clock()
        try await record.create(on: context.db)
        let report = try await domain.retention.purge(since: last?.startedAt)
        guard try await lease.isHeld(now: clock()) else { throw JobConflict(job: "retention", kind: .lost) }
        record.finishedAt = clock()
        record.report = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await record.update(on: context.db)
        context.logger.info(
            """
            retention \(trigger): \(report.erasedCustomers.count) customers erased, \(report.messageBodies) message \
            bodies, \(report.notifications) notifications, \(report.auditEntries) audit details purged
            """)
        return report
    }
}

extension Operations {
    /// `huifang retention`: the purge now, as the command line, under the job's lease.
    public static func purge(on app: Application, json: Bool) async throws -> String {
        let language = app.huifang.defaultLanguage
        let report: RetentionReport
        do {
            report = try await app.domain(as: .commandLine(), language: language).retentionJob.runNow()
        } catch let conflict as JobConflict {
            throw OperationError(conflict.message(in: language, app.huifang))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(report), as: UTF8.self)
        }
        return Catalogue.text(
            "retention.ran", language,
            [
                String(report.erasedCustomers.count), String(report.messageBodies), String(report.notifications),
                String(report.auditEntries),
            ])
    }
}
