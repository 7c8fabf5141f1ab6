import Fluent
import HuifangCore
import SQLKit

/// Service event kinds (configurable, seeded with the defaults) and the events themselves.
struct M011CreateEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EventKind.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .unique(on: "code")
            .create()
        for (code, name) in EventKinds.defaults {
            try await EventKind(code: code, name: name).create(on: database)
        }
        try await database.schema(ServiceEvent.schema)
            .field("id", .int, .identifier(auto: true))
            .field("customer_id", .int, .required, .references(Customer.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("occurred_at", .datetime, .required)
            .field("occurred_on", .string, .required)
            .field("attributes", .string, .required)
            .field("external_id", .string)
            .field("source", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "external_id")
            .create()
        let sql = database.sql
        try await sql.create(index: "events_customer").on(ServiceEvent.schema).column("customer_id").column(
            "occurred_on"
        ).run()
        try await sql.create(index: "events_kind").on(ServiceEvent.schema).column("kind").column("occurred_on").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ServiceEvent.schema).delete()
        try await database.schema(EventKind.schema).delete()
    }
}
