import Fluent
import Foundation
import SQLKit

/// One periodic job's last run on one instance. Written after every run; read by the admin's home page.
struct JobHeartbeat: Decodable, Sendable {
    static let schema = "job_heartbeats"

    /// How a run ended: it did its work, found another instance at it, or failed.
    enum Outcome: String, Sendable {
        case ok, busy, failed
    }

    let job: String
    let instance: String
    let started_at: Double
    let finished_at: Double
    let outcome: String
    let error: String
    let last_failure_at: Double?

    /// Records a run; a failure's text is kept until the next failure replaces it.
    static func record(
        job: String, instance: String, started: Date, finished: Date, outcome: Outcome, error: String = "",
        on db: any Database
    ) async throws {
        let failedAt: Double? = outcome == .failed ? finished.timeIntervalSince1970 : nil
        try await db.sql.raw(
            """
            INSERT INTO job_heartbeats (job, instance, started_at, finished_at, outcome, error, last_failure_at)
            VALUES (\(bind: job), \(bind: instance), \(bind: started.timeIntervalSince1970),
                    \(bind: finished.timeIntervalSince1970), \(bind: outcome.rawValue), \(bind: String(error.prefix(500))),
                    \(bind: failedAt))
            ON CONFLICT (job, instance) DO UPDATE SET started_at = excluded.started_at,
                finished_at = excluded.finished_at, outcome = excluded.outcome,
                error = CASE WHEN excluded.outcome = 'failed' THEN excluded.error ELSE job_heartbeats.error END,
                last_failure_at = COALESCE(excluded.last_failure_at, job_heartbeats.last_failure_at)
            """
        ).run()
    }

    static func all(on db: any Database) async throws -> [JobHeartbeat] {
        try await db.sql.raw("SELECT * FROM job_heartbeats ORDER BY job, instance").all(decoding: JobHeartbeat.self)
    }
}
