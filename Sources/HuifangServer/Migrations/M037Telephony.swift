import Fluent
import SQLKit

/// The phone system (issue 17): each call as its events report it, the agents' extensions, and the links from a
/// pop-up and from a logged inbound call to the call.
struct M037Telephony: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PhoneCall.schema)
            .field("id", .int, .identifier(auto: true))
            .field("call_ref", .string, .required)
            .field("direction", .string, .required)
            .field("caller", .string, .required)
            .field("called", .string, .required)
            .field("phone_extension", .string)
            .field("agent_id", .uuid)
            .field("customer_id", .int)
            .field("rang_at", .double)
            .field("answered_at", .double)
            .field("ended_at", .double)
            .field("duration_seconds", .int)
            .field("recording_ref", .string)
            .unique(on: "call_ref")
            .create()
        try await SQLiteAutoincrement.apply(on: database)
        try await database.schema(User.schema).field("phone_extension", .string).update()
        try await database.sql.raw(
            "CREATE UNIQUE INDEX users_phone_extension ON users (phone_extension) WHERE phone_extension IS NOT NULL"
        ).run()
        try await database.schema(Notification.schema).field("phone_call_id", .int).update()
        try await database.schema(InboundCall.schema).field("phone_call_id", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InboundCall.schema).deleteField("phone_call_id").update()
        try await database.schema(Notification.schema).deleteField("phone_call_id").update()
        try await database.sql.raw("DROP INDEX users_phone_extension").run()
        try await database.schema(User.schema).deleteField("phone_extension").update()
        try await database.schema(PhoneCall.schema).delete()
    }
}
