import Fluent
import SQLKit

struct M005CreateCustomers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Customer.schema)
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("mobile", .string)
            .field("email", .string)
            .field("gender", .string)
            .field("birthday", .string)
            .field("registered_on", .string)
            .field("tier", .string, .required)
            .field("external_id", .string)
            .field("assigned_agent_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("consent", .bool, .required)
            .field("do_not_disturb", .bool, .required)
            .field("notes", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "external_id")
            .create()
        let sql = database.sql
        try await sql.create(index: "customers_mobile").on(Customer.schema).column("mobile").run()
        try await sql.create(index: "customers_tier_id").on(Customer.schema).column("tier").column("id").run()
        try await sql.create(index: "customers_agent_id").on(Customer.schema).column("assigned_agent_id").column("id")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Customer.schema).delete()
    }
}
