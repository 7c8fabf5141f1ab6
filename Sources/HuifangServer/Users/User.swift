import Fluent
import HuifangCore
import Vapor

/// A person who signs in to Huifang, with one role.
public final class User: Model, Authenticatable, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") public var role: Role
    @OptionalParent(key: "department_id") public var department: Department?
    @Field(key: "is_active") public var isActive: Bool
    /// Comma-separated skills (e.g. `medical,vip`) that rules may require.
    @Field(key: "skills") public var skills: String
    /// Where escalations and urgent complaints are emailed (optional).
    @OptionalField(key: "email") public var email: String?
    /// The extension of the agent's desk phone: the phone system's events name it, and its pop-ups reach this user.
    @OptionalField(key: "phone_extension") public var phoneExtension: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public init(
        id: UUID? = nil, username: String, displayName: String, passwordHash: String, role: Role,
        departmentID: UUID? = nil, isActive: Bool = true
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role
        self.$department.id = departmentID
        self.isActive = isActive
        self.skills = ""
    }

    /// A new instance holding the same values, as stored: each request signed in by a kept token
    /// (`KeptAccess`) gets one of its own. Every field is copied (`aCopiedUserHoldsEveryStoredValue`).
    func copy() -> User {
        let copy = User(
            id: id, username: username, displayName: displayName, passwordHash: passwordHash, role: role,
            departmentID: $department.id, isActive: isActive)
        copy.skills = skills
        copy.email = email
        copy.phoneExtension = phoneExtension
        copy.createdAt = createdAt
        copy.updatedAt = updatedAt
        copy.$id.exists = $id.exists
        return copy
    }

    public var skillSet: Set<String> {
        Set(skills.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }
}
