import Foundation

/// Who is asking: enough to decide which objects they may see.
public struct Viewer: Sendable, Equatable {
    public let id: UUID
    public let role: Role
    public let departmentID: UUID?

    public init(id: UUID, role: Role, departmentID: UUID?) {
        self.id = id
        self.role = role
        self.departmentID = departmentID
    }

    /// Supervisors and admins see every object.
    public var seesEverything: Bool { role == .admin || role == .supervisor }
}

/// The people a ticket belongs to, as the access rules read them.
public struct TicketOwnership: Sendable, Equatable {
    public var openedBy: UUID?
    public var departmentID: UUID?
    public var handlerID: UUID?
    /// The agents of the follow-up tasks the ticket came from or is verified by.
    public var taskAgentIDs: Set<UUID>
    /// The agent the ticket's customer is assigned to.
    public var customerAgentID: UUID?

    public init(
        openedBy: UUID? = nil, departmentID: UUID? = nil, handlerID: UUID? = nil,
        taskAgentIDs: Set<UUID> = [], customerAgentID: UUID? = nil
    ) {
        self.openedBy = openedBy
        self.departmentID = departmentID
        self.handlerID = handlerID
        self.taskAgentIDs = taskAgentIDs
        self.customerAgentID = customerAgentID
    }
}

/// The one place that says which objects each role may see (README "Security", DESIGN.md "Access by
/// object"). An object outside the viewer's scope answers as if it did not exist.
public enum ObjectScope {
    /// Tickets: supervisors and admins all; a handler their department's and those assigned to them;
    /// an agent those they opened, those on their tasks or their customers, and those assigned to them;
    /// analysts none (they read tickets in reports only).
    public static func maySee(_ ticket: TicketOwnership, _ viewer: Viewer) -> Bool {
        if viewer.seesEverything { return true }
        switch viewer.role {
        case .handler:
            return ticket.handlerID == viewer.id
                || (viewer.departmentID != nil && ticket.departmentID == viewer.departmentID)
        case .agent:
            return ticket.handlerID == viewer.id || ticket.openedBy == viewer.id
                || ticket.taskAgentIDs.contains(viewer.id) || ticket.customerAgentID == viewer.id
        case .admin, .supervisor, .analyst:
            return false
        }
    }

    /// Recording that a complaint's customer is satisfied (or not) belongs to the verification
    /// follow-up: the agent holding the verification task, or a supervisor or admin — never the ticket's
    /// handler, whose handling the verification judges.
    public static func mayVerify(verificationAgentID: UUID?, handlerID: UUID? = nil, _ viewer: Viewer) -> Bool {
        guard handlerID != viewer.id else { return false }
        return viewer.seesEverything || (verificationAgentID != nil && verificationAgentID == viewer.id)
    }

    /// Follow-up tasks and their records: an agent their own; supervisors and admins all.
    public static func maySeeTask(agentID: UUID?, _ viewer: Viewer) -> Bool {
        viewer.seesEverything || (viewer.role == .agent && agentID == viewer.id)
    }

    /// Contact details unmasked: supervisors, admins and handlers; an agent for customers assigned to them.
    public static func seesContactDetails(customerAgentID: UUID?, _ viewer: Viewer) -> Bool {
        canSeeContactDetails(role: viewer.role, isAssignedAgent: customerAgentID == viewer.id)
    }

    /// May look customers up by part of a phone number (substring search): only the roles that see every
    /// number in full. Everyone else finds a customer by the whole number, and that search is audited.
    public static func maySearchPartialNumbers(_ viewer: Viewer) -> Bool {
        viewer.role.seesAllContactDetails
    }

    /// Choosing a customer's agent is a supervisor's (or admin's) act: an agent making a customer theirs
    /// would unmask them.
    public static func mayAssignCustomers(_ viewer: Viewer) -> Bool { viewer.seesEverything }

    /// Event attributes (a hospital's department, a car model) one customer at a time: not for analysts,
    /// who read them in aggregate.
    public static func seesEventAttributes(_ viewer: Viewer) -> Bool { viewer.role != .analyst }
}
