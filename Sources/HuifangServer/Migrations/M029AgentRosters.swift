import Fluent
import SQLKit

/// Agents' weekly rosters (排班): one row per agent and weekday, seven for an agent with a roster, none for an
/// agent without one (who works every day, as before rosters existed).
struct M029AgentRosters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AgentShift.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("weekday", .int, .required)
            .field("kind", .string, .required)
            .field("start_second", .int)
            .field("end_second", .int)
            .unique(on: "user_id", "weekday")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AgentShift.schema).delete()
    }
}
