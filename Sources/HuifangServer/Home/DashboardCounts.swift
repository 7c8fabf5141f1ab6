import Fluent
import Foundation
import HuifangCore
import SQLKit

/// The counts behind the home pages' numbers, each the count of a list a user can open: the call list's due
/// tasks, the ticket lists' open and overdue tickets (the same list key), the records of today.
struct DashboardCounts {
    let db: any Database
    let day: DashboardDay

    /// Open tasks on the call list now: due today or before, and not waiting for a later callback.
    func dueNow(agent: UUID?) async throws -> Int {
        let query = FollowUpTask.query(on: db).filter(\.$status == .open).filter(\.$dueOn <= day.today.iso)
            .group(.or) { $0.filter(\.$callbackAt == nil).filter(\.$callbackAt <= day.now) }
        if let agent { query.filter(\.$assignedAgent.$id == agent) } else { query.filter(\.$assignedAgent.$id != nil) }
        return try await query.count()
    }

    /// Callbacks the customer asked for whose time has come.
    func callbacksDue(agent: UUID?) async throws -> Int {
        let query = FollowUpTask.query(on: db).filter(\.$status == .open).filter(\.$callbackAt <= day.now)
        if let agent { query.filter(\.$assignedAgent.$id == agent) }
        return try await query.count()
    }

    /// Tasks completed since midnight.
    func completedToday(agent: UUID?) async throws -> Int {
        let query = FollowUpRecord.query(on: db).filter(\.$completed == true).filter(\.$endedAt >= day.midnight)
        if let agent { query.filter(\.$agentID == agent) }
        return try await query.count()
    }

    private struct AgentCount: Decodable {
        let agent: UUID?
        let count: Int
    }

    /// Attempts and completions since midnight, per agent.
    func todayByAgent() async throws -> [UUID: (attempts: Int, completed: Int)] {
        let attempts = try await db.sql.raw(
            """
            SELECT agent_id AS agent, COUNT(*) AS count FROM follow_up_records
            WHERE ended_at >= \(bind: day.midnight) GROUP BY agent_id
            """
        ).all(decoding: AgentCount.self)
        let completed = try await db.sql.raw(
            """
            SELECT agent_id AS agent, COUNT(*) AS count FROM follow_up_records
            WHERE ended_at >= \(bind: day.midnight) AND completed = \(bind: true) GROUP BY agent_id
            """
        ).all(decoding: AgentCount.self)
        var found: [UUID: (attempts: Int, completed: Int)] = [:]
        for row in attempts { if let agent = row.agent { found[agent, default: (0, 0)].attempts = row.count } }
        for row in completed { if let agent = row.agent { found[agent, default: (0, 0)].completed = row.count } }
        return found
    }

    /// Open tickets, the handler's or everyone's.
    func openTickets(handler: UUID?) async throws -> Int {
        let query = Ticket.query(on: db).filter(\.$listRank > TicketListKey.finished)
        if let handler { query.filter(\.$handler.$id == handler) }
        return try await query.count()
    }

    /// Tickets whose running deadline has passed (the lists' `overdue` filter).
    func overdueTickets(handler: UUID?) async throws -> Int {
        let query = Ticket.query(on: db).filter(\.$listRank == TicketListKey.running)
            .filter(\.$listUrgency >= TicketListKey.overdueFloor(at: day.now))
        if let handler { query.filter(\.$handler.$id == handler) }
        return try await query.count()
    }

    /// New tickets nobody has taken yet, in a department or everywhere.
    func newTickets(department: UUID?) async throws -> Int {
        let query = Ticket.query(on: db).filter(\.$status == .new)
        if let department { query.filter(\.$department.$id == department) }
        return try await query.count()
    }

    private struct Count: Decodable { let count: Int }

    /// Open tickets the escalation ladder has raised at least once.
    func escalatedTickets() async throws -> Int {
        try await db.sql.raw(
            """
            SELECT COUNT(*) AS count FROM ticket_clocks JOIN tickets ON tickets.id = ticket_clocks.ticket_id
            WHERE ticket_clocks.escalation_level > 0 AND tickets.list_rank > \(bind: TicketListKey.finished)
            """
        ).first(decoding: Count.self)?.count ?? 0
    }
}
