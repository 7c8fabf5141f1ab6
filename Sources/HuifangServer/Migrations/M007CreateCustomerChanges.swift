import Fluent
import SQLKit

struct M007CreateCustomerChanges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CustomerChange.schema)
            .field("id", .int, .identifier(auto: true))
            .field("customer_id", .int, .required, .references(Customer.schema, "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("source", .string, .required)
            .field("field", .string, .required)
            .field("old_value", .string)
            .field("new_value", .string)
            .create()
        let sql = database.sql
        try await sql.create(index: "customer_changes_customer").on(CustomerChange.schema).column("customer_id").column(
            "id"
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CustomerChange.schema).delete()
    }
}
