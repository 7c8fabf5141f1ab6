import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Targets, signed-off months, spot checks, whether a closed ticket's customer was satisfied, and the
/// indexes the figures read by (each figure's rows are found by the day or instant of the period).
struct M016CreateReports: AsyncMigration {
    // Long: one migration: targets, sign-offs, spot checks in dependency order, then the figures' indexes.
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await database.schema(Ticket.schema).field("customer_satisfied", .bool).update()
        try await database.schema(FigureTargetRecord.schema)
            .field("figure", .string, .identifier(auto: false))
            .field("minimum_per_mille", .int, .required)
            .field("points_per_step", .int, .required)
            .field("step_per_mille", .int, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime)
            .create()
        for target in FigureTargetRecord.defaults {
            try await FigureTargetRecord(target, by: "system").create(on: database)
        }
        try await database.schema(ReportSignOff.schema)
            .field("id", .int, .identifier(auto: true))
            .field("month", .string, .required)
            .field("report", .string, .required)
            .field("scorecards", .string, .required)
            .field("signed_by", .string, .required)
            .field("signed_by_name", .string, .required)
            .field("signed_at", .datetime, .required)
            .field("note", .string, .required)
            .unique(on: "month")
            .create()
        try await database.schema(SpotCheckSettingsRecord.schema)
            .field("id", .int, .identifier(auto: false))
            .field("definition", .string, .required)
            .field("updated_at", .datetime)
            .create()
        let settings = SpotCheckSettingsRecord()
        settings.id = 1
        try settings.apply(SpotCheckPlan.standard)
        try await settings.create(on: database)
        try await database.schema(SpotCheck.schema)
            .field("id", .int, .identifier(auto: true))
            .field("month", .string, .required)
            .field("record_id", .int, .required, .references(FollowUpRecord.schema, "id", onDelete: .cascade))
            .field("agent_id", .uuid)
            .field("agent_name", .string, .required)
            .field("seed", .string, .required)
            .field("plan", .string, .required)
            .field("status", .string, .required)
            .field("results", .string, .required)
            .field("score", .int)
            .field("max_score", .int, .required)
            .field("failed", .bool, .required)
            .field("comment", .string, .required)
            .field("reviewer_id", .uuid)
            .field("reviewer_name", .string, .required)
            .field("reviewed_at", .datetime)
            .field("acknowledged_at", .datetime)
            .field("agent_reply", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "record_id")
            .create()
        try await sql.create(index: "spot_checks_month").on(SpotCheck.schema).column("month").column("agent_id").run()

        // Covering the columns each figure reads, so a month's rows are counted from the index alone.
        try await sql.create(index: "tasks_due_on").on(FollowUpTask.schema).column("due_on").column("status").run()
        try await sql.create(index: "tasks_completed_on").on(FollowUpTask.schema)
            .column("completed_on").column("status").column("completed_at").column("deadline_at").run()
        try await sql.create(index: "task_reasons_trigger").on(TaskReason.schema).column("task_id").column(
            "triggered_on"
        ).run()
        try await sql.create(index: "records_ended").on(FollowUpRecord.schema).column("ended_at").column("completed")
            .column("customer_id").run()
        try await sql.create(index: "answers_answered").on(SurveyAnswer.schema)
            .column("answered_at").column("is_top_two").column("type").column("score").column("indicator").run()
        try await sql.create(index: "tickets_created").on(Ticket.schema).column("created_at").run()
        try await sql.create(index: "tickets_resolved").on(Ticket.schema).column("resolved_at").run()
        try await sql.create(index: "tickets_closed").on(Ticket.schema).column("closed_at").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        for index in [
            "tasks_due_on", "tasks_completed_on", "task_reasons_trigger", "records_ended", "answers_answered",
            "tickets_created", "tickets_resolved", "tickets_closed",
        ] {
            try await sql.drop(index: index).run()
        }
        for schema in [
            SpotCheck.schema, SpotCheckSettingsRecord.schema, ReportSignOff.schema, FigureTargetRecord.schema,
        ] {
            try await database.schema(schema).delete()
        }
        try await database.schema(Ticket.schema).deleteField("customer_satisfied").update()
    }
}
