import Fluent
import HuifangCore
import SQLKit
import Vapor

extension User {
    /// The user as the object rules (`ObjectScope`) read them.
    var viewer: Viewer { Viewer(id: id!, role: role, departmentID: $department.id) }
}

extension Request {
    /// The signed-in user as a `Viewer`.
    var viewer: Viewer {
        get throws { try auth.require(User.self).viewer }
    }
}

/// Ticket access by object: the facts `ObjectScope` needs, read for one ticket or as a SQL condition
/// for lists, so that a page, the API and a list agree on which tickets a viewer has.
enum TicketAccess {
    static func ownership(of ticket: Ticket, on db: any Database) async throws -> TicketOwnership {
        let taskIDs = [ticket.taskID, ticket.verificationTaskID].compactMap { $0 }
        let agents =
            taskIDs.isEmpty
            ? []
            : try await FollowUpTask.query(on: db).filter(\.$id ~~ taskIDs).all()
                .compactMap { $0.$assignedAgent.id }
        var customerAgent: UUID?
        if let id = ticket.$customer.id { customerAgent = try await Customer.find(id, on: db)?.$assignedAgent.id }
        return TicketOwnership(
            openedBy: ticket.openedByID, departmentID: ticket.$department.id,
            handlerID: ticket.$handler.id, taskAgentIDs: Set(agents), customerAgentID: customerAgent)
    }

    /// Whether the viewer may see (and so act on) the ticket.
    static func maySee(_ ticket: Ticket, _ viewer: Viewer, on db: any Database) async throws -> Bool {
        if viewer.seesEverything { return true }
        if viewer.role == .analyst { return false }
        return ObjectScope.maySee(try await ownership(of: ticket, on: db), viewer)
    }

    /// Narrows a ticket query to what the viewer may see; the same rule as `ObjectScope.maySee`.
    static func restrict(_ query: QueryBuilder<Ticket>, to viewer: Viewer) {
        guard let alternatives = alternatives(for: viewer) else { return }
        query.group(.or) { group in
            for alternative in alternatives { alternative(group) }
        }
    }

    /// The viewer's tickets as alternatives, any one of which lets them see a ticket (nil: every ticket).
    /// Each is one indexed condition, so a list can read each alternative's page by key and merge them.
    static func alternatives(for viewer: Viewer) -> [TicketCondition]? {
        guard !viewer.seesEverything else { return nil }
        let me = viewer.id
        switch viewer.role {
        case .handler:
            var found: [TicketCondition] = [{ $0.filter(\.$handler.$id == me) }]
            if let department = viewer.departmentID { found.append { $0.filter(\.$department.$id == department) } }
            return found
        case .agent:
            let myCustomers: SQLQueryString = "SELECT id FROM customers WHERE assigned_agent_id = \(bind: me)"
            // The agents of a ticket's tasks are kept on the ticket by the database (M025TicketTaskAgents).
            return [
                { $0.filter(\.$handler.$id == me) },
                { $0.filter(\.$openedByID == me) },
                { $0.filter(.sql(embed: "tickets.task_agent_id = \(bind: me)")) },
                { $0.filter(.sql(embed: "tickets.verification_agent_id = \(bind: me)")) },
                { $0.filter(.sql(embed: "tickets.customer_id IN (\(myCustomers))")) },
            ]
        case .admin, .supervisor, .analyst:
            return [{ $0.filter(\.$id == -1) }]  // analysts read tickets in reports only
        }
    }
}

/// One condition on a ticket query.
typealias TicketCondition = @Sendable (QueryBuilder<Ticket>) -> Void

/// Task access by object: a task outside the viewer's scope answers 404, as if it did not exist.
enum TaskAccess {
    static func maySee(_ task: FollowUpTask, _ viewer: Viewer) -> Bool {
        ObjectScope.maySeeTask(agentID: task.$assignedAgent.id, viewer)
    }

    /// The ids of the tasks assigned to a user, as a subquery.
    static func ownTaskIDs(of user: UUID) -> SQLQueryString {
        "SELECT id FROM follow_up_tasks WHERE assigned_agent_id = \(bind: user)"
    }

    /// Narrows a task query to what the viewer may see; the same rule as `ObjectScope.maySeeTask`.
    static func restrict(_ query: QueryBuilder<FollowUpTask>, to viewer: Viewer) {
        guard !viewer.seesEverything else { return }
        if viewer.role == .agent { query.filter(\.$assignedAgent.$id == viewer.id) } else { query.filter(\.$id == -1) }
    }

    /// Narrows a record query to the records of the tasks the viewer may see.
    static func restrict(_ query: QueryBuilder<FollowUpRecord>, to viewer: Viewer) {
        guard !viewer.seesEverything else { return }
        if viewer.role == .agent {
            query.filter(.sql(embed: "follow_up_records.task_id IN (\(ownTaskIDs(of: viewer.id)))"))
        } else {
            query.filter(\.$id == -1)
        }
    }
}
