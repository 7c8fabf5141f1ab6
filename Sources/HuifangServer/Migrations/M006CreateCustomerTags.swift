import Fluent
import SQLKit

struct M006CreateCustomerTags: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CustomerTag.schema)
            .field("id", .int, .identifier(auto: true))
            .field("customer_id", .int, .required, .references(Customer.schema, "id", onDelete: .cascade))
            .field("tag", .string, .required)
            .unique(on: "customer_id", "tag")
            .create()
        let sql = database.sql
        try await sql.create(index: "customer_tags_tag").on(CustomerTag.schema).column("tag").column("customer_id")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CustomerTag.schema).delete()
    }
}
