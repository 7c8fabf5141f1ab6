import Fluent
import SQLKit

/// When the sweep must next look at each ticket moves out of the tickets table into a narrow one of its own
/// (`ticket_clocks`). Moving that indexed moment made every ticket the sweep passed a new row version with an
/// entry in each of the tickets table's ten indexes: 50,000 breaches took 9 s to move on PostgreSQL. On
/// PostgreSQL the tickets table also leaves a tenth of each new page free, so that the sweep's change of the
/// escalation level stays on the page and touches no index (a "HOT" update).
struct M024TicketClocks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(TicketClocks.schema)
            .field("ticket_id", .int, .identifier(auto: false), .references(Ticket.schema, "id", onDelete: .cascade))
            .field("next_escalation_at", .double)
            .create()
        try await sql.create(index: "ticket_clocks_next").on(TicketClocks.schema).column("next_escalation_at").run()
        try await sql.raw("""
            INSERT INTO ticket_clocks (ticket_id, next_escalation_at) SELECT id, next_escalation_at FROM tickets
            """).run()
        try await sql.drop(index: "tickets_next_escalation").run()
        try await database.schema(Ticket.schema).deleteField("next_escalation_at").update()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE tickets SET (fillfactor = 90)").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(Ticket.schema).field("next_escalation_at", .double).update()
        try await sql.raw("""
            UPDATE tickets SET next_escalation_at =
              (SELECT next_escalation_at FROM ticket_clocks WHERE ticket_clocks.ticket_id = tickets.id)
            """).run()
        try await sql.create(index: "tickets_next_escalation").on(Ticket.schema).column("next_escalation_at").run()
        try await database.schema(TicketClocks.schema).delete()
    }
}
