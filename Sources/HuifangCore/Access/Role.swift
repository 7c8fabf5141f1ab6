/// What a user of Huifang does, and so what they may see and change.
///
/// See DESIGN.md "Who uses it". Each route group names the roles it admits.
public enum Role: String, CaseIterable, Codable, Sendable {
    case admin
    case supervisor
    case agent
    case handler
    case analyst

    /// Roles that see customers' mobile numbers and e-mail addresses unmasked.
    /// Agents see them only for customers assigned to them; analysts never.
    public var seesAllContactDetails: Bool {
        switch self {
        case .admin, .supervisor, .handler: true
        case .agent, .analyst: false
        }
    }

    /// The catalogue key of the role's display name.
    public var catalogueKey: String { "role.\(rawValue)" }
}

/// Whether a user may see one customer's contact details unmasked.
public func canSeeContactDetails(role: Role, isAssignedAgent: Bool) -> Bool {
    role.seesAllContactDetails || (role == .agent && isAssignedAgent)
}
