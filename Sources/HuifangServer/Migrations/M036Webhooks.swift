import Fluent
import SQLKit

/// Webhooks (issue 17): the endpoints an admin registers and the log of every delivery to them, which is also
/// their queue (claimed by one instance at a time, retried with the outbox's back-off).
struct M036Webhooks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookEndpoint.schema)
            .field("id", .int, .identifier(auto: true))
            .field("url", .string, .required)
            .field("secret", .string, .required)
            .field("events", .string, .required)
            .field("role", .string, .required)
            .field("created_at", .double, .required)
            .create()
        try await database.schema(WebhookDelivery.schema)
            .field("id", .int, .identifier(auto: true))
            .field("endpoint_id", .int, .required, .references(WebhookEndpoint.schema, "id", onDelete: .cascade))
            .field("event_id", .string, .required)
            .field("event_type", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("created_at", .double, .required)
            .field("next_attempt_at", .double, .required)
            .field("claimed_by", .string)
            .field("claimed_until", .double)
            .field("sent_at", .double)
            .field("response_status", .int)
            .field("response_body", .string)
            .field("last_error", .string)
            .field("redelivery_of", .int)
            .create()
        try await SQLiteAutoincrement.apply(on: database)
        let sql = database.sql
        try await sql.create(index: "webhook_deliveries_due").on(WebhookDelivery.schema)
            .column("status").column("next_attempt_at").run()
        try await sql.create(index: "webhook_deliveries_endpoint").on(WebhookDelivery.schema)
            .column("endpoint_id").column("id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebhookDelivery.schema).delete()
        try await database.schema(WebhookEndpoint.schema).delete()
    }
}
