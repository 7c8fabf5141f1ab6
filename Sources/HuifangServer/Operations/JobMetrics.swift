import CoreMetrics
import Fluent
import SQLKit

/// The periodic jobs' runs, as `PeriodicJob` records each one. Nothing is kept while no backend is bootstrapped.
enum JobMetrics {
    static let runsLabel = "huifang_job_runs_total"
    static let durationLabel = "huifang_job_duration_seconds"

    /// One run of `job`: how it ended and how long it took.
    static func record(job: String, outcome: JobHeartbeat.Outcome, duration: Duration) {
        CoreMetrics.Counter(label: runsLabel, dimensions: [("job", job), ("outcome", outcome.rawValue)]).increment()
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        CoreMetrics.Timer(label: durationLabel, dimensions: [("job", job)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(max(0, nanoseconds))
    }
}

/// What the outbox holds and how its sends went.
enum OutboxMetrics {
    static let messagesLabel = "huifang_outbox_messages"
    static let sendsLabel = "huifang_outbox_sends_total"

    /// One delivery run's results: sent, to retry, failed for good.
    static func record(_ delivery: Outbox.Delivery) {
        for (result, count) in [("sent", delivery.sent), ("retrying", delivery.retrying), ("failed", delivery.failed)]
        where count > 0 {
            CoreMetrics.Counter(label: sendsLabel, dimensions: [("result", result)]).increment(by: Int64(count))
        }
    }

    private struct Row: Decodable {
        let channel: String
        let status: String
        let count: Int
    }

    /// Sets the messages gauge from the database, by channel and status (`pending` is the queue's length);
    /// every status of email and SMS is written, 0 when there is none.
    static func update(on db: any Database) async throws {
        let rows = try await db.sql.raw(
            "SELECT channel, status, COUNT(*) AS count FROM mail_outbox GROUP BY channel, status"
        ).all(decoding: Row.self)
        var counts: [String: [String: Int]] = [:]
        for channel in ["email", "sms"] {
            for status in MailMessage.Status.allCases { counts[channel, default: [:]][status.rawValue] = 0 }
        }
        for row in rows { counts[row.channel, default: [:]][row.status] = row.count }
        for (channel, statuses) in counts {
            for (status, count) in statuses {
                CoreMetrics.Gauge(label: messagesLabel, dimensions: [("channel", channel), ("status", status)])
                    .record(count)
            }
        }
    }
}
