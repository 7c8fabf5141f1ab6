import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Lists page by key with their order computed by the database: each ticket stores where it stands in
/// ticket lists (`TicketListKey`: rank and urgency, from the running deadline or, while paused, the
/// working time left when the clock stopped), and every list filter has an index that ends in the
/// list's order, so a page of any filter is read straight off an index.
struct M021ListKeys: AsyncMigration {
    static let ticketIndexes: [(name: String, prefix: String?)] = [
        ("tickets_list", nil), ("tickets_list_status", "status"), ("tickets_list_kind", "kind"),
        ("tickets_list_department", "department_id"), ("tickets_list_handler", "handler_id"),
        ("tickets_list_customer", "customer_id"), ("tickets_list_opened_by", "opened_by_id"),
        ("tickets_list_task", "task_id"), ("tickets_list_verification", "verification_task_id"),
    ]
    static let newestFirstIndexes: [(table: String, name: String, prefix: String?)] = [
        (InboundCall.schema, "calls_list", nil), (InboundCall.schema, "calls_list_handling", "handling"),
        (InboundCall.schema, "calls_list_agent", "agent_id"), (AuditEntry.schema, "audit_log_list", nil),
        (AuditEntry.schema, "audit_log_list_action", "action"),
        (AuditEntry.schema, "audit_log_list_actor", "actor_name"),
    ]
    /// Each is a prefix of a new one.
    static let replaced = [
        "tickets_customer", "tickets_opened_by", "tickets_task", "tasks_agent", "calls_at",
        "audit_log_at", "audit_log_action_at", "audit_log_actor_at",
    ]

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        // One column a statement: SQLite adds one at a time.
        try await database.schema(Ticket.schema).field("list_rank", .int, .required, .sql(.default(0))).update()
        try await database.schema(Ticket.schema).field("list_urgency", .double, .required, .sql(.default(0))).update()
        try await database.schema(Ticket.schema).field("paused_left", .int64).update()
        try await Self.backfill(on: database)
        for index in Self.replaced { try await sql.drop(index: index).run() }
        for (name, prefix) in Self.ticketIndexes {
            let index = sql.create(index: name).on(Ticket.schema)
            if let prefix { index.column(prefix) }
            try await index.column("list_rank").column("list_urgency").column("id").run()
        }
        // Tasks: the board (priority, due, id) and the agent's call list (callbacks, then priority and due).
        try await sql.create(index: "tasks_list_status").on(FollowUpTask.schema)
            .column("status").column("priority").column("due_at").column("id").run()
        try await sql.create(index: "tasks_list_agent").on(FollowUpTask.schema)
            .column("assigned_agent_id").column("status").column("priority").column("due_at").column("id").run()
        try await sql.create(index: "tasks_call_list").on(FollowUpTask.schema)
            .column("assigned_agent_id").column("status").column("callback_at").column("priority")
            .column("due_at").column("id").run()
        // Calls and the audit log: newest first, (at, id).
        for (table, name, prefix) in Self.newestFirstIndexes {
            let index = sql.create(index: name).on(table)
            if let prefix { index.column(prefix) }
            try await index.column("at").column("id").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        let names =
            Self.ticketIndexes.map(\.name) + ["tasks_list_status", "tasks_list_agent", "tasks_call_list"]
            + Self.newestFirstIndexes.map(\.name)
        for name in names {
            try await sql.drop(index: name).run()
        }
        try await sql.create(index: "tickets_customer").on(Ticket.schema).column("customer_id").run()
        try await sql.create(index: "tickets_opened_by").on(Ticket.schema).column("opened_by_id").run()
        try await sql.create(index: "tickets_task").on(Ticket.schema).column("task_id").run()
        try await sql.create(index: "tasks_agent").on(FollowUpTask.schema)
            .column("assigned_agent_id").column("status").run()
        try await sql.create(index: "calls_at").on(InboundCall.schema).column("at").run()
        try await sql.create(index: "audit_log_at").on(AuditEntry.schema).column("at").run()
        try await sql.create(index: "audit_log_action_at").on(AuditEntry.schema).column("action").column("at").run()
        try await sql.create(index: "audit_log_actor_at").on(AuditEntry.schema).column("actor_name").column("at").run()
        for field in ["list_rank", "list_urgency", "paused_left"] {
            try await database.schema(Ticket.schema).deleteField(.string(field)).update()
        }
    }

    /// Writes every ticket's list key: running and stopped clocks in one statement (the same rule as
    /// `TicketClock.running` and `TicketListKey.make`), then each paused ticket's working time left,
    /// counted on the business calendar.
    static func backfill(on database: any Database) async throws {
        let sql = database.sql
        let epoch: (String) -> String = { column in
            sql.dialect.name == "postgresql" ? "EXTRACT(EPOCH FROM \(column))" : column
        }
        let finished = "status IN ('closed', 'adopted', 'declined')"
        let running =
            "paused_at IS NULL AND (status IN ('new', 'assigned', 'inProgress') "
            + "OR (status = 'resolved' AND inform_due IS NOT NULL) "
            + "OR (status = 'informed' AND verification_due IS NOT NULL))"
        let due = """
            CASE WHEN status = 'resolved' THEN \(epoch("inform_due"))
            WHEN status = 'informed' THEN \(epoch("verification_due"))
            WHEN first_response_at IS NULL THEN \(epoch("first_response_due")) ELSE \(epoch("resolution_due")) END
            """
        try await sql.raw(
            """
            UPDATE tickets SET
            list_rank = CASE WHEN \(unsafeRaw: finished) THEN 0 WHEN \(unsafeRaw: running) THEN 3
                WHEN paused_at IS NOT NULL THEN 2 ELSE 1 END,
            list_urgency = CASE WHEN \(unsafeRaw: finished) THEN 0
                WHEN \(unsafeRaw: running) THEN -(\(unsafeRaw: due)) ELSE 0 END
            """
        ).run()
        let paused = try await Ticket.query(on: database).filter(\.$pausedAt != nil)
            .filter(\.$status !~ [.closed, .adopted, .declined]).all()
        guard !paused.isEmpty else { return }
        let calendar = try await CalendarStore(db: database).defaultBusiness()
        for ticket in paused {
            try ticket.keepWorkingTimeLeft(at: ticket.pausedAt!, calendar: calendar)
            try await sql.update(Ticket.schema).set("paused_left", to: SQLBind(ticket.pausedLeft))
                .set("list_rank", to: SQLBind(ticket.listRank)).set("list_urgency", to: SQLBind(ticket.listUrgency))
                .where("id", .equal, SQLBind(ticket.id!)).run()
        }
    }
}
