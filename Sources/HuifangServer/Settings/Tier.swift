import Fluent
import SQLKit
import Vapor

/// One customer tier (会员等级), in the organisation's order from lowest to highest.
final class Tier: Model, @unchecked Sendable {
    static let schema = "tiers"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int

    init() {}

    init(name: String, position: Int) {
        self.name = name
        self.position = position
    }

    static let defaults = ["普通", "银卡", "金卡", "白金卡"]

    /// The tiers' names in order; the first is a new customer's default. Read as one column: every customer saved
    /// reads them.
    static func names(on db: any Database) async throws -> [String] {
        try await db.sql.raw("SELECT name FROM tiers ORDER BY position").all().map {
            try $0.decode(column: "name", as: String.self)
        }
    }
}
