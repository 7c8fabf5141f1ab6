import Fluent
import SQLKit

/// Who opened each ticket (an agent sees the tickets they opened; earlier tickets take it from their
/// timeline's first line), and whether a reached customer declined the survey.
struct M018ObjectScope: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await database.schema(Ticket.schema).field("opened_by_id", .uuid).update()
        try await sql.raw(
            """
            UPDATE tickets SET opened_by_id = (SELECT e.actor_id FROM ticket_entries e
            WHERE e.ticket_id = tickets.id AND e.action = 'open' ORDER BY e.id LIMIT 1)
            """
        ).run()
        try await sql.raw("CREATE INDEX tickets_opened_by ON tickets (opened_by_id)").run()
        try await database.schema(FollowUpRecord.schema)
            .field("survey_declined", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FollowUpRecord.schema).deleteField("survey_declined").update()
        try await database.sql.raw("DROP INDEX tickets_opened_by").run()
        try await database.schema(Ticket.schema).deleteField("opened_by_id").update()
    }
}
