import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Gives every due, unassigned open task to an agent on shift (see `Distributor`), and moves tasks between agents.
package struct DistributionService {
    let db: any Database

    package init(db: any Database) { self.db = db }

    private struct LoadRow: Decodable {
        let assigned_agent_id: UUID
        let count: Int
    }
    private struct DueRow: Decodable {
        let id: Int
        let required_skill: String
        let preferred: UUID?
    }

    /// Agents as they stand on `day`: skills, open load, whether on leave, and their hours on shift (their roster's,
    /// or the calendar's full day for an agent without one).
    func agents(on day: LocalDate) async throws -> [AgentCapacity] {
        let users = try await User.query(on: db).filter(\.$role == .agent).filter(\.$isActive == true).all()
        let rosters = try await RosterStore(db: db).rosters(of: users.compactMap(\.id))
        let fullDay = WeeklyRoster.fullDay(weeklyHours: try await CalendarStore(db: db).defaultCalendar().weeklyRanges)
        let away = Set(
            try await AgentAbsence.query(on: db).filter(\.$firstDay <= day.iso).filter(\.$lastDay >= day.iso).all().map(
                \.$user.id))
        let sql = db.sql
        let loads = try await sql.raw(
            """
            SELECT assigned_agent_id, COUNT(*) AS count FROM follow_up_tasks
            WHERE status = 'open' AND assigned_agent_id IS NOT NULL GROUP BY assigned_agent_id
            """
        ).all(decoding: LoadRow.self)
        let load = Dictionary(loads.map { ($0.assigned_agent_id, $0.count) }, uniquingKeysWith: +)
        return users.map { user in
            AgentCapacity(
                id: user.id!, name: user.displayName, skills: user.skillSet, openLoad: load[user.id!] ?? 0,
                isAbsent: away.contains(user.id!),
                shiftSeconds: WeeklyRoster.seconds(rosters[user.id!], on: day, fullDay: fullDay))
        }
    }

    /// Assigns the tasks due by `day`, most urgent first. Returns how many were assigned and how many no agent could take.
    package func distribute(asOf day: LocalDate, now: Date) async throws -> (assigned: Int, unassigned: Int) {
        let sql = db.sql
        let due = try await sql.raw(
            """
            SELECT t.id, t.required_skill, c.assigned_agent_id AS preferred FROM follow_up_tasks t JOIN customers c ON c.id = t.customer_id
            WHERE t.status = 'open' AND t.assigned_agent_id IS NULL AND t.due_on <= \(bind: day.iso)
            ORDER BY t.priority, t.due_at, t.id
            """
        ).all(decoding: DueRow.self)
        guard !due.isEmpty else { return (0, 0) }
        let tasks = due.map {
            UnassignedTask(id: $0.id, preferredAgent: $0.preferred, requiredSkill: $0.required_skill)
        }
        let (assignments, unassigned) = Distributor().distribute(tasks, among: try await agents(on: day))
        try await record(assignments, at: now)
        return (assignments.count, unassigned.count)
    }

    /// Moves open tasks to another agent by hand; their explanation says so.
    func reassign(_ taskIDs: [Int], to agent: User, at now: Date) async throws -> Int {
        let sql = db.sql
        struct Count: Decodable { let count: Int }
        let load =
            try await sql.raw(
                "SELECT COUNT(*) AS count FROM follow_up_tasks WHERE status = 'open' AND assigned_agent_id = \(bind: agent.id!)"
            )
            .first(decoding: Count.self)?.count ?? 0
        let open = try await FollowUpTask.query(on: db).filter(\.$id ~~ taskIDs).filter(\.$status == .open).all()
        let assignments = open.enumerated().map { index, task in
            Assignment(taskID: task.id!, agentID: agent.id!, basis: .manual, loadBefore: load + index)
        }
        try await record(assignments, at: now)
        return assignments.count
    }

    /// Writes assignments in a few statements rather than one per task: each joins the task table to a list of
    /// (task, agent, load, basis) rows, so a statement costs the same per task however many it carries, and the
    /// statement-level roll-up triggers run once per 5,000 tasks rather than once per 200 (SQLite binds at most
    /// 32,766 values a statement).
    private func record(_ assignments: [Assignment], at now: Date) async throws {
        try await db.bulkTransaction { db in
            let sql = db.sql
            for chunk in assignments.chunked(5000) {
                let rows = chunk.map { assignment in
                    SQLQueryString(
                        """
                        (\(bind: assignment.taskID), \(bind: assignment.agentID), \(bind: assignment.loadBefore), \
                        \(bind: assignment.basis.rawValue))
                        """)
                }
                try await sql.raw(
                    """
                    UPDATE follow_up_tasks SET assigned_agent_id = v.column2, assignment_load = v.column3,
                    assignment_basis = v.column4, assigned_at = \(bind: now)
                    FROM (VALUES \(rows.joined(separator: ", "))) AS v WHERE follow_up_tasks.id = v.column1
                    """
                ).run()
            }
        }
    }
}
