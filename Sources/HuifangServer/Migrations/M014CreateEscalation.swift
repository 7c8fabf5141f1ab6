import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Ticket settings (policies, escalation ladder, categories), escalations claimed once each,
/// in-app notifications, the mail outbox, the knowledge base, inbound calls, users' email,
/// and the triggered rule behind promised callbacks.
struct M014CreateEscalation: AsyncMigration {
    // Long: one migration: ticket settings, escalations, notifications, outbox, calls, in dependency order.
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema).field("email", .string).update()

        let callbackRule = RuleRecord()
        try callbackRule.apply(DefaultRules.callback)
        try await callbackRule.create(on: database)
        let verificationRule = try await RuleRecord.query(on: database).filter(\.$kind == RuleKind.triggered.rawValue)
            .filter(\.$name == "投诉处理后回访").first()

        try await database.schema(TicketSettingsRecord.schema)
            .field("id", .int, .identifier(auto: false))
            .field("definition", .string, .required)
            .field("verification_rule_id", .int)
            .field("callback_rule_id", .int)
            .field("updated_at", .datetime)
            .create()
        let settings = TicketSettingsRecord()
        settings.id = 1
        try settings.apply(.defaults)
        settings.verificationRuleID = verificationRule?.id
        settings.callbackRuleID = callbackRule.id
        try await settings.create(on: database)

        try await database.schema(TicketEscalation.schema)
            .field("id", .int, .identifier(auto: true))
            .field("ticket_id", .int, .required, .references(Ticket.schema, "id", onDelete: .cascade))
            .field("breach_key", .string, .required)
            .field("deadline", .string, .required)
            .field("level", .int, .required)
            .field("target", .string, .required)
            .field("due_at", .double, .required)
            .field("escalated_at", .double, .required)
            .field("instance", .string, .required)
            .unique(on: "ticket_id", "breach_key", "level")
            .create()

        try await database.schema(Notification.schema)
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("ticket_id", .int, .references(Ticket.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("text", .string, .required)
            .field("at", .double, .required)
            .field("read_at", .double)
            .create()

        try await database.schema(MailMessage.schema)
            .field("id", .int, .identifier(auto: true))
            .field("to_address", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .field("created_at", .double, .required)
            .field("next_attempt_at", .double, .required)
            .field("claimed_by", .string)
            .field("claimed_until", .double)
            .field("sent_at", .double)
            .create()

        try await database.schema(KnowledgeArticle.schema)
            .field("id", .int, .identifier(auto: true))
            .field("question", .string, .required)
            .field("answer", .string, .required)
            .field("keywords", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime)
            .create()

        try await database.schema(InboundCall.schema)
            .field("id", .int, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("agent_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("agent_name", .string, .required)
            .field("customer_id", .int, .references(Customer.schema, "id", onDelete: .setNull))
            .field("phone", .string, .required)
            .field("matter", .string, .required)
            .field("summary", .string, .required)
            .field("handling", .string, .required)
            .field("article_id", .int, .references(KnowledgeArticle.schema, "id", onDelete: .setNull))
            .field("promised_by", .datetime)
            .field("callback_task_id", .int)
            .field("ticket_id", .int)
            .field("recording_consent", .bool, .required)
            .create()

        let sql = database.sql
        try await sql.create(index: "notifications_user").on(Notification.schema).column("user_id").column("read_at")
            .run()
        try await sql.create(index: "mail_outbox_due").on(MailMessage.schema).column("status").column("next_attempt_at")
            .run()
        try await sql.create(index: "calls_at").on(InboundCall.schema).column("at").run()
        try await sql.create(index: "calls_customer").on(InboundCall.schema).column("customer_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [
            InboundCall.schema, KnowledgeArticle.schema, MailMessage.schema, Notification.schema,
            TicketEscalation.schema,
            TicketSettingsRecord.schema,
        ] {
            try await database.schema(schema).delete()
        }
        try await RuleRecord.query(on: database).filter(\.$name == DefaultRules.callback.name).delete()
        try await database.schema(User.schema).deleteField("email").update()
    }
}
