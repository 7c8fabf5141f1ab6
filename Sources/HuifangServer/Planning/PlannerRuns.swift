import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// The planner's run records (`planner_runs`): started, then finished, failed or abandoned — never left open.
struct PlannerRuns {
    let db: any Database
    let logger: Logger

    private struct ID: Decodable { let id: Int }

    /// Records a run as running.
    func start(
        day: LocalDate, trigger: String, run: String, instance: String,
        at now: Date
    ) async throws -> PlannerRun {
        let record = PlannerRun()
        record.day = day.iso
        record.trigger = trigger
        record.instance = instance
        record.runID = run
        record.status = .running
        record.startedAt = now
        try await record.create(on: db)
        return record
    }

    /// Records a run as finished with its summary; throws `JobConflict.lost` when the run was marked
    /// abandoned meanwhile (its lease lapsed while it worked).
    func finish(_ record: PlannerRun, summary: PlanSummary, at now: Date) async throws {
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        let updated = try await sql.raw(
            """
            UPDATE planner_runs SET status = 'finished', finished_at = \(bind: now), summary = \(bind: json)
            WHERE id = \(bind: record.id!) AND status = 'running' RETURNING id
            """
        ).first(decoding: ID.self)
        guard updated != nil else { throw JobConflict(job: "planner", kind: .lost) }
    }

    /// Ends a running run as `status` with the time and why; `false` when it had already ended.
    @discardableResult
    func end(_ record: PlannerRun, as status: PlannerRun.Status, reason: String, at now: Date) async throws -> Bool {
        try await end(id: record.id!, as: status, reason: reason, at: now)
    }

    /// Marks `abandoned` every running run whose lease is gone (`LeaseRules.isDead`): its process died or
    /// it stopped renewing. Returns how many.
    @discardableResult
    func reapDead(now: Date) async throws -> Int {
        let running = try await PlannerRun.query(on: db).filter(\.$status == .running).all()
        guard !running.isEmpty else { return 0 }
        let lease = try await JobLease.current(of: "planner", on: db)?.lease
        var reaped = 0
        for run in running where LeaseRules.isDead(run: run.runID, lease: lease, at: now) {
            let reason = "lease lapsed: the run stopped renewing it (its process died or hung)"
            guard try await end(id: run.id!, as: .abandoned, reason: reason, at: now) else { continue }
            logger.warning("planner run \(run.id!) of \(run.day) (\(run.trigger), \(run.instance)): \(reason)")
            reaped += 1
        }
        return reaped
    }

    /// Why a run failed, in words for the record.
    static func reason(for error: any Error) -> String {
        switch error {
        case let conflict as JobConflict where conflict.kind == .lost: "lease lost: another run took the job"
        case is CancellationError: "stopped: its lease was lost or the server is shutting down"
        default: String(String(describing: error).prefix(500))
        }
    }

    private func end(id: Int, as status: PlannerRun.Status, reason: String, at now: Date) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE planner_runs SET status = \(bind: status.rawValue), finished_at = \(bind: now),
            reason = \(bind: reason) WHERE id = \(bind: id) AND status = 'running' RETURNING id
            """
        ).first(decoding: ID.self) != nil
    }

    private var sql: any SQLDatabase { db.sql }
}
