import Fluent
import Vapor

/// A part of the organisation: the customer-service centre, or a business
/// department that handles the tickets routed to it.
public final class Department: Model, @unchecked Sendable {
    public static let schema = "departments"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @OptionalField(key: "head_user_id") public var headUserID: UUID?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, name: String, headUserID: UUID? = nil) {
        self.id = id
        self.name = name
        self.headUserID = headUserID
    }
}
