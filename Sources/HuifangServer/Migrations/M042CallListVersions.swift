import Fluent
import SQLKit

/// On SQLite, a number per agent that every change to what the agent's call list shows moves on, kept by triggers
/// inside the writing transaction whoever writes (the server, the command line, plain SQL), and one number
/// (`CallListPages.everyone`) for changes that may show in anyone's list: a customer's name or number, an agent's
/// name, a rule's name. `CallListPages` keeps a first page while both numbers stand. PostgreSQL keeps them its own
/// way (`M043CallListChanges`): one row bumped by every writer would make concurrent writers wait on its lock.
///
/// A task's update counts only when it sets a column the list shows, orders or chooses by
/// (`TaskQueries.readCallList`): a column read there is to be named by a new migration that replaces these triggers
/// and PostgreSQL's (`M043CallListChanges.shownTaskColumns`). The customer's
/// own agent, read there too, is left out: it decides whether a number is masked only for a viewer who is not the
/// task's agent, and every task of an agent's own call list is hers.
struct M042CallListVersions: AsyncMigration {
    static let table = "call_list_versions"
    static let shownTaskColumns = [
        "customer_id", "status", "priority", "channel", "script", "due_at", "deadline_at", "callback_at",
        "assigned_agent_id", "assignment_basis", "assignment_load",
    ]

    func prepare(on database: any Database) async throws {
        guard database.sql.dialect.name != "postgresql" else { return }
        try await database.transaction { database in  // no moment with the table and some of its triggers only
            let sql = database.sql
            try await sql.raw("CREATE TABLE \(unsafeRaw: Self.table) (agent BLOB PRIMARY KEY, n INTEGER NOT NULL)")
                .run()
            for (name, definition) in Self.triggers {
                try await sql.raw("CREATE TRIGGER \(unsafeRaw: name) \(unsafeRaw: definition)").run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        guard database.sql.dialect.name != "postgresql" else { return }
        try await database.transaction { database in
            let sql = database.sql
            for (name, _) in Self.triggers { try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)").run() }
            try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: Self.table)").run()
        }
    }

    /// Moves on the number of `agent`, an expression (nothing when it is null or, with `unless`, equal to that).
    private static func bump(_ agent: String, unless same: String? = nil) -> String {
        let other = same.map { " AND \(agent) IS NOT \($0)" } ?? ""
        return "INSERT INTO \(table) (agent, n) SELECT \(agent), 1 WHERE \(agent) IS NOT NULL\(other) "
            + "ON CONFLICT (agent) DO UPDATE SET n = n + 1;"
    }

    private static let everyone = bump("'\(CallListPages.everyone)'")
    private static func agentOf(_ task: String) -> String {
        "(SELECT assigned_agent_id FROM \(FollowUpTask.schema) WHERE id = \(task))"
    }
    private static func body(_ statements: String...) -> String { "BEGIN \(statements.joined(separator: " ")) END" }

    static let triggers: [(String, String)] = {
        let tasks = FollowUpTask.schema
        let reasons = TaskReason.schema
        let shown = shownTaskColumns.joined(separator: ", ")
        let (newAgent, oldAgent) = ("NEW.assigned_agent_id", "OLD.assigned_agent_id")
        return [
            ("call_list_task_insert", "AFTER INSERT ON \(tasks) " + body(bump(newAgent))),
            (
                "call_list_task_update",
                "AFTER UPDATE OF \(shown) ON \(tasks) "
                    + body(bump(newAgent), bump(oldAgent, unless: newAgent))
            ),
            ("call_list_task_delete", "AFTER DELETE ON \(tasks) " + body(bump(oldAgent))),
            ("call_list_reason_insert", "AFTER INSERT ON \(reasons) " + body(bump(agentOf("NEW.task_id")))),
            (
                "call_list_reason_update",
                "AFTER UPDATE ON \(reasons) "
                    + body(bump(agentOf("NEW.task_id")), bump(agentOf("OLD.task_id"), unless: agentOf("NEW.task_id")))
            ),
            ("call_list_reason_delete", "AFTER DELETE ON \(reasons) " + body(bump(agentOf("OLD.task_id")))),
            ("call_list_customer_update", "AFTER UPDATE OF name, mobile ON \(Customer.schema) " + body(everyone)),
            ("call_list_customer_delete", "AFTER DELETE ON \(Customer.schema) " + body(everyone)),
            ("call_list_user_update", "AFTER UPDATE OF display_name ON \(User.schema) " + body(everyone)),
            ("call_list_user_delete", "AFTER DELETE ON \(User.schema) " + body(everyone)),
            ("call_list_rule_update", "AFTER UPDATE OF name ON \(RuleRecord.schema) " + body(everyone)),
            ("call_list_rule_delete", "AFTER DELETE ON \(RuleRecord.schema) " + body(everyone)),
        ]
    }()
}
