import Fluent
import SQLKit

struct M009CreateLoginAttempts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema)
            .field("id", .int, .identifier(auto: true))
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .field("succeeded", .bool, .required)
            .create()
        let sql = database.sql
        try await sql.create(index: "login_attempts_username_at").on(LoginAttempt.schema).column("username").column(
            "at"
        ).run()
        try await sql.create(index: "login_attempts_address_at").on(LoginAttempt.schema).column("address").column("at")
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema).delete()
    }
}
