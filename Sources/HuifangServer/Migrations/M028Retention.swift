import Fluent
import SQLKit

/// Retention (PIPL: kept no longer than needed): the admin's rules (`retention_settings`, one row) and the daily
/// job's runs (`retention_runs`: when, on which instance, what was purged).
struct M028Retention: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("retention_settings")
            .field("id", .int, .identifier(auto: false))
            .field("inactive_customer_years", .int)
            .field("message_body_days", .int, .required)
            .field("notification_days", .int, .required)
            .field("audit_detail_years", .int, .required)
            .field("updated_at", .datetime)
            .field("updated_by", .string)
            .create()
        try await database.schema(RetentionRun.schema)
            .field("id", .int, .identifier(auto: true))
            .field("day", .string, .required)
            .field("trigger", .string, .required)
            .field("instance", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("report", .string)
            .create()
        try await database.sql.raw("CREATE INDEX retention_runs_day ON retention_runs (day, trigger)").run()
        try await SQLiteAutoincrement.apply(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RetentionRun.schema).delete()
        try await database.schema("retention_settings").delete()
    }
}
