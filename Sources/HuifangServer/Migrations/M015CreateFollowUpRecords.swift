import Fluent
import Foundation
import SQLKit

/// Follow-up records (回访记录) with their survey answers, versioned surveys, the customer's
/// signed survey links, message templates, and SMS beside email in the outbox.
struct M015CreateFollowUpRecords: AsyncMigration {
    // Long: one migration: surveys, records, answers, links, templates, in dependency order, then indexes.
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await database.schema(SurveyRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("family_id", .int)
            .field("version", .int, .required)
            .field("name", .string, .required)
            .field("definition", .string, .required)
            .field("is_current", .bool, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(FollowUpRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("task_id", .int, .required, .references(FollowUpTask.schema, "id", onDelete: .cascade))
            .field("customer_id", .int, .required, .references(Customer.schema, "id", onDelete: .cascade))
            .field("agent_id", .uuid)
            .field("agent_name", .string, .required)
            .field("source", .string, .required)
            .field("channel", .string, .required)
            .field("started_at", .datetime, .required)
            .field("ended_at", .datetime, .required)
            .field("duration_seconds", .int, .required)
            .field("outcome", .string, .required)
            .field("contact_made", .bool, .required)
            .field("completed", .bool, .required)
            .field("needs_retry", .bool, .required)
            .field("stop_contacting", .bool, .required)
            .field("result", .string, .required)
            .field("next_attempt_at", .datetime)
            .field("notes", .string, .required)
            .field("recording_consent", .bool, .required)
            .field("recording_ref", .string, .required)
            .field("corrections", .string, .required)
            .field("survey_id", .int)
            .field("ticket_id", .int)
            .field("ticket_proposed", .bool, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(SurveyAnswer.schema)
            .field("id", .int, .identifier(auto: true))
            .field("record_id", .int, .required, .references(FollowUpRecord.schema, "id", onDelete: .cascade))
            .field("survey_id", .int, .required)
            .field("customer_id", .int, .required)
            .field("question_key", .string, .required)
            .field("indicator", .string, .required)
            .field("type", .string, .required)
            .field("value", .string, .required)
            .field("score", .int)
            .field("is_top_two", .bool)
            .field("meets_threshold", .bool, .required)
            .field("answered_at", .datetime, .required)
            .create()
        try await database.schema(SurveyLink.schema)
            .field("id", .int, .identifier(auto: true))
            .field("task_id", .int, .required, .references(FollowUpTask.schema, "id", onDelete: .cascade))
            .field("survey_id", .int, .required)
            .field("customer_id", .int, .required)
            .field("channel", .string, .required)
            .field("expires_at", .double, .required)
            .field("used_at", .double)
            .field("message_id", .int)
            .field("created_by", .string, .required)
            .field("created_at", .double, .required)
            .create()
        try await database.schema(MessageTemplate.schema)
            .field("id", .int, .identifier(auto: true))
            .field("key", .string, .required)
            .field("name", .string, .required)
            .field("channel", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "key")
            .create()
        for template in MessageTemplate.defaults {
            try await template.create(on: database)
        }
        // The key survey links are signed with, made here once so every instance on the database shares it.
        try await sql.raw("CREATE TABLE signing_keys (name VARCHAR(64) PRIMARY KEY, secret VARCHAR(128) NOT NULL)")
            .run()
        try await sql.insert(into: "signing_keys").columns("name", "secret")
            .values(SQLBind("survey-link"), SQLBind([UInt8].random(count: 32).base64String())).run()

        try await database.schema(MailMessage.schema).field("channel", .string, .required, .sql(.default("email")))
            .update()
        try await database.schema(MailMessage.schema).field("customer_id", .int).update()
        try await database.schema(MailMessage.schema).field("task_id", .int).update()
        try await database.schema(MailMessage.schema).field("transport", .string).update()
        try await database.schema(Ticket.schema).field("task_id", .int).update()

        try await sql.create(index: "records_task").on(FollowUpRecord.schema).column("task_id").run()
        try await sql.create(index: "records_customer").on(FollowUpRecord.schema).column("customer_id").run()
        try await sql.create(index: "records_created").on(FollowUpRecord.schema).column("created_at").run()
        try await sql.create(index: "answers_survey").on(SurveyAnswer.schema).column("survey_id").column("answered_at")
            .run()
        try await sql.create(index: "answers_record").on(SurveyAnswer.schema).column("record_id").run()
        try await sql.create(index: "links_task").on(SurveyLink.schema).column("task_id").run()
        try await sql.create(index: "surveys_family").on(SurveyRecord.schema).column("family_id").column("is_current")
            .run()
        try await sql.create(index: "tickets_task").on(Ticket.schema).column("task_id").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("DROP TABLE signing_keys").run()
        for schema in [
            SurveyAnswer.schema, FollowUpRecord.schema, SurveyLink.schema, MessageTemplate.schema, SurveyRecord.schema,
        ] {
            try await database.schema(schema).delete()
        }
        for field: FieldKey in ["channel", "customer_id", "task_id", "transport"] {
            try await database.schema(MailMessage.schema).deleteField(field).update()
        }
        try await database.schema(Ticket.schema).deleteField("task_id").update()
    }
}
