import Fluent
import SQLKit

/// The last run of each periodic job on each instance (`job_heartbeats`): when it started and ended, how it
/// ended and the last error — what the admin's home page shows as the system's health.
struct M031JobHeartbeats: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(JobHeartbeat.schema)
            .field("job", .string, .required)
            .field("instance", .string, .required)
            .field("started_at", .double, .required)
            .field("finished_at", .double, .required)
            .field("outcome", .string, .required)
            .field("error", .string, .required)
            .field("last_failure_at", .double)
            .unique(on: "job", "instance")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(JobHeartbeat.schema).delete()
    }
}
