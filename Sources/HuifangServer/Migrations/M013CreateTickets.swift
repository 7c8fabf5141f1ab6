import Fluent
import SQLKit

/// Tickets and their timeline, which is append-only (triggers in SQLite and PostgreSQL): it is the ticket's archive.
struct M013CreateTickets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Ticket.schema)
            .field("id", .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("category", .string, .required)
            .field("severity", .string, .required)
            .field("urgent", .bool, .required)
            .field("source", .string, .required)
            .field("customer_id", .int, .references(Customer.schema, "id", onDelete: .setNull))
            .field("description", .string, .required)
            .field("department_id", .uuid, .references(Department.schema, .id, onDelete: .setNull))
            .field("handler_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("status", .string, .required)
            .field("reopen_count", .int, .required)
            .field("policy", .string, .required)
            .field("first_response_due", .datetime, .required)
            .field("resolution_due", .datetime, .required)
            .field("inform_due", .datetime)
            .field("verification_due", .datetime)
            .field("first_response_at", .datetime)
            .field("resolved_at", .datetime)
            .field("closed_at", .datetime)
            .field("verification_task_id", .int)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(TicketEntry.schema)
            .field("id", .int, .identifier(auto: true))
            .field("ticket_id", .int, .required, .references(Ticket.schema, "id"))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("old_status", .string)
            .field("new_status", .string)
            .field("note", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "tickets_status").on(Ticket.schema).column("status").column("resolution_due").run()
        try await sql.create(index: "tickets_customer").on(Ticket.schema).column("customer_id").run()
        try await sql.create(index: "ticket_entries_ticket").on(TicketEntry.schema).column("ticket_id").column("id").run()
        try await AppendOnly.protect(TicketEntry.schema, on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TicketEntry.schema).delete()
        try await AppendOnly.release(TicketEntry.schema, on: database)
        try await database.schema(Ticket.schema).delete()
    }
}
