import Fluent

/// Creates the tier list with the default 普通/银卡/金卡/白金卡.
struct M004CreateTiers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Tier.schema)
            .id()
            .field("name", .string, .required)
            .field("position", .int, .required)
            .unique(on: "name")
            .create()
        for (position, name) in Tier.defaults.enumerated() {
            try await Tier(name: name, position: position).create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Tier.schema).delete()
    }
}
