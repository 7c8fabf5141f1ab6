import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Follow-up rules (seeded with the defaults), tasks and their reasons, agents' skills and
/// absences, contact windows on calendars, and what the planner needs to run once per day.
struct M012CreatePlanning: AsyncMigration {
    // Long: one migration: rules (seeded), tasks, reasons, skills, absences, runs, in dependency order.
    func prepare(on database: any Database) async throws {
        try await database.schema(RuleRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("is_enabled", .bool, .required)
            .field("priority", .int, .required)
            .field("definition", .string, .required)
            .field("updated_at", .datetime)
            .create()
        for rule in DefaultRules.all {
            let record = RuleRecord()
            try record.apply(rule)
            try await record.create(on: database)
        }

        try await database.schema(FollowUpTask.schema)
            .field("id", .int, .identifier(auto: true))
            .field("customer_id", .int, .required, .references(Customer.schema, "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("priority", .int, .required)
            .field("channel", .string, .required)
            .field("script", .string, .required)
            .field("required_skill", .string, .required)
            .field("max_attempts", .int, .required)
            .field("attempts", .int, .required)
            .field("contact_windows", .string, .required)
            .field("due_on", .string, .required)
            .field("deadline_on", .string, .required)
            .field("due_at", .datetime, .required)
            .field("deadline_at", .datetime, .required)
            .field("planned_on", .string, .required)
            .field("assigned_agent_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("assignment_basis", .string)
            .field("assignment_load", .int)
            .field("assigned_at", .datetime)
            .field("callback_at", .datetime)
            .field("completed_at", .datetime)
            .field("completed_on", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema(TaskReason.schema)
            .field("id", .int, .identifier(auto: true))
            .field("task_id", .int, .required, .references(FollowUpTask.schema, "id", onDelete: .cascade))
            .field("customer_id", .int, .required)
            .field("rule_id", .int, .required)
            .field("occurrence_key", .string, .required)
            .field("triggered_on", .string, .required)
            .field("due_on", .string, .required)
            .field("deadline_on", .string, .required)
            .unique(on: "customer_id", "rule_id", "occurrence_key")
            .create()
        let sql = database.sql
        try await sql.create(index: "tasks_customer").on(FollowUpTask.schema).column("customer_id").column("status")
            .run()
        try await sql.create(index: "tasks_status_due").on(FollowUpTask.schema).column("status").column("due_on").run()
        try await sql.create(index: "tasks_agent").on(FollowUpTask.schema).column("assigned_agent_id").column("status")
            .run()
        try await sql.create(index: "task_reasons_task").on(TaskReason.schema).column("task_id").run()

        // Kept with the customer so the planner reads churn from the customer row, not from every event.
        try await database.schema(Customer.schema).field("last_event_on", .string).update()
        try await database.schema(User.schema).field("skills", .string, .required, .sql(.default(""))).update()
        try await database.schema(AgentAbsence.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("first_day", .string, .required)
            .field("last_day", .string, .required)
            .field("note", .string, .required)
            .create()
        try await database.schema(WorkCalendar.schema)
            .field("contact_windows", .string, .required, .sql(.default("10:00-12:00,15:00-17:00")))
            .update()
        try await database.schema(WorkCalendar.schema)
            .field("contact_all_days", .bool, .required, .sql(.default(false)))
            .update()

        try await database.schema(PlannerRun.schema)
            .field("id", .int, .identifier(auto: true))
            .field("day", .string, .required)
            .field("trigger", .string, .required)
            .field("instance", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("summary", .string)
            .create()
        // One scheduled run per day, whatever the number of instances.
        try await sql.raw(
            "CREATE UNIQUE INDEX planner_runs_scheduled_day ON planner_runs (day) WHERE \(ident: "trigger") = 'schedule'"
        ).run()
        try await sql.raw(
            """
            CREATE TABLE job_leases (name VARCHAR(64) PRIMARY KEY, holder VARCHAR(128) NOT NULL, expires_at DOUBLE PRECISION NOT NULL)
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("DROP TABLE job_leases").run()
        try await database.schema(PlannerRun.schema).delete()
        try await database.schema(AgentAbsence.schema).delete()
        try await database.schema(TaskReason.schema).delete()
        try await database.schema(FollowUpTask.schema).delete()
        try await database.schema(RuleRecord.schema).delete()
    }
}
