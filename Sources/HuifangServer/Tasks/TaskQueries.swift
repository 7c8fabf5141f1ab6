import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A task as lists, the API and the CSV export show it.
struct TaskView: Content {
    let id: Int
    let customerID: Int
    let customerName: String
    /// Full for the task's own agent and for roles that see contact details; masked otherwise.
    let mobile: String?
    let status: String
    let priority: Int
    let channel: String
    let reasons: [String]
    let script: String
    let dueAt: String
    let deadlineAt: String
    let callbackAt: String?
    let agent: String?
    /// "分配给 王芳：专属客服，当时 12 个未完成任务"
    let assignment: String?
}

struct TaskFilter {
    var agentID: UUID?
    var status: FollowUpTask.Status? = .open
    var dueBy: LocalDate?
    /// Call-list order: scheduled callbacks first, then priority, then due time.
    var callListOrder = false
    var limit = 500
}

/// Reads task lists with their customers, reasons and agents in three queries.
struct TaskQueries {
    let db: any Database
    let config: HuifangConfig
    let language: Language

    private struct Row: Decodable {
        let id: Int
        let customer_id: Int
        let name: String
        let mobile: String?
        let customer_agent: UUID?
        let status: String
        let priority: Int
        let channel: String
        let script: String
        let due_at: Date
        let deadline_at: Date
        let callback_at: Date?
        let assigned_agent_id: UUID?
        let assignment_basis: String?
        let assignment_load: Int?
    }
    private struct ReasonRow: Decodable {
        let task_id: Int
        let name: String
    }

    func list(_ filter: TaskFilter, viewer: User) async throws -> [TaskView] {
        let sql = db as! any SQLDatabase
        var conditions: [SQLQueryString] = []
        if let status = filter.status { conditions.append("t.status = \(bind: status.rawValue)") }
        if let agent = filter.agentID { conditions.append("t.assigned_agent_id = \(bind: agent)") }
        if let due = filter.dueBy { conditions.append("t.due_on <= \(bind: due.iso)") }
        var query: SQLQueryString = """
            SELECT t.id, t.customer_id, c.name, c.mobile, c.assigned_agent_id AS customer_agent, t.status, t.priority, t.channel, t.script,
                   t.due_at, t.deadline_at, t.callback_at, t.assigned_agent_id, t.assignment_basis, t.assignment_load
            FROM follow_up_tasks t JOIN customers c ON c.id = t.customer_id
            """
        if let first = conditions.first {
            query = query + " WHERE " + conditions.dropFirst().reduce(first) { $0 + " AND " + $1 }
        }
        query = query + (filter.callListOrder
            // Callbacks and retries now due first, then the rest; retries waiting for a later window last.
            ? " ORDER BY CASE WHEN t.callback_at IS NULL THEN 1 WHEN t.callback_at <= \(bind: Date()) THEN 0 ELSE 2 END, t.callback_at, t.priority, t.due_at, t.id"
            : " ORDER BY t.priority, t.due_at, t.id")
        query = query + " LIMIT \(unsafeRaw: String(filter.limit))"
        let rows = try await sql.raw(query).all(decoding: Row.self)
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        var reasons: [Int: [String]] = [:]
        for chunk in ids.chunked(500) {
            for row in try await sql.raw("""
                SELECT r.task_id, COALESCE(u.name, '') AS name FROM follow_up_task_reasons r LEFT JOIN rules u ON u.id = r.rule_id
                WHERE r.task_id IN (\(binds: Array(chunk))) ORDER BY r.id
                """).all(decoding: ReasonRow.self) {
                reasons[row.task_id, default: []].append(row.name)
            }
        }
        let agentIDs = Set(rows.compactMap(\.assigned_agent_id))
        let agents = agentIDs.isEmpty ? [:] : Dictionary(
            try await User.query(on: db).filter(\.$id ~~ Array(agentIDs)).all().map { ($0.id!, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        return rows.map { row in
            let sees = canSeeContactDetails(role: viewer.role, isAssignedAgent: row.assigned_agent_id == viewer.id || row.customer_agent == viewer.id)
            let phone = row.mobile.map(PhoneNumber.init(normalised:))
            let agent = row.assigned_agent_id.flatMap { agents[$0] }
            var assignment: String?
            if let agent, let basis = row.assignment_basis {
                assignment = Catalogue.text("basis." + basis, language, [agent, String(row.assignment_load ?? 0)])
            }
            return TaskView(id: row.id, customerID: row.customer_id, customerName: row.name, mobile: sees ? phone?.display : phone?.masked,
                            status: row.status, priority: row.priority, channel: row.channel, reasons: reasons[row.id] ?? [], script: row.script,
                            dueAt: config.formatDateTime(row.due_at), deadlineAt: config.formatDateTime(row.deadline_at),
                            callbackAt: row.callback_at.map { config.formatDateTime($0) }, agent: agent, assignment: assignment)
        }
    }

    /// The list as a CSV file (through `CSVWriter`: UTF-8 with a byte-order mark, formulas neutralised).
    static func csv(_ tasks: [TaskView], language: Language, includeAgent: Bool = false) -> String {
        func t(_ key: String) -> String { Catalogue.text(key, language) }
        var heading = ["tasks.customer", "tasks.mobile", "tasks.reasons", "tasks.priority", "tasks.due", "tasks.deadline",
                       "tasks.callback", "rules.channel", "rules.script"]
        if includeAgent { heading += ["tasks.agent", "tasks.assignment"] }
        var rows: [[CSVCell]] = [heading.map { .text(t($0)) }]
        for task in tasks {
            var row: [CSVCell] = [
                .text(task.customerName), .text(task.mobile ?? ""), .text(task.reasons.joined(separator: "；")),
                .number(task.priority), .text(task.dueAt), .text(task.deadlineAt), .text(task.callbackAt ?? ""),
                .text(t("channel." + task.channel)), .text(task.script),
            ]
            if includeAgent { row += [.text(task.agent ?? ""), .text(task.assignment ?? "")] }
            rows.append(row)
        }
        return CSVWriter.document(rows)
    }
}
