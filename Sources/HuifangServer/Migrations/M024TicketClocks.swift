import Fluent
import SQLKit

/// Each ticket's escalation clock — the breach its level refers to, the level reached, and when the sweep must
/// next look at it — moves out of the tickets table into a narrow one of its own (`ticket_clocks`). The sweep
/// writes only there: moving the indexed moment in the tickets table made every ticket it passed a new row
/// version with an entry in each of that table's ten indexes (50,000 breaches: 9 s on PostgreSQL).
struct M024TicketClocks: AsyncMigration {
    static let moved = ["escalation_key", "escalation_level", "next_escalation_at"]

    func prepare(on database: any Database) async throws {
        // All or nothing: a move that failed half-way can run again, and no ticket opened meanwhile misses its clock.
        try await database.transaction { database in try await move(on: database) }
    }

    private func move(on database: any Database) async throws {
        let sql = database.sql
        try await database.schema(TicketClocks.schema)
            .field("ticket_id", .int, .identifier(auto: false), .references(Ticket.schema, "id", onDelete: .cascade))
            .field("escalation_key", .string)
            .field("escalation_level", .int, .required, .sql(.default(0)))
            .field("next_escalation_at", .double)
            .create()
        try await sql.create(index: "ticket_clocks_next").on(TicketClocks.schema).column("next_escalation_at").run()
        try await sql.raw(
            """
            INSERT INTO ticket_clocks (ticket_id, escalation_key, escalation_level, next_escalation_at)
            SELECT id, escalation_key, escalation_level, next_escalation_at FROM tickets
            """
        ).run()
        try await sql.drop(index: "tickets_next_escalation").run()
        for column in Self.moved {  // one at a time: SQLite drops one column per statement
            try await database.schema(Ticket.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.transaction { database in try await moveBack(on: database) }
    }

    private func moveBack(on database: any Database) async throws {
        let sql = database.sql
        try await database.schema(Ticket.schema).field("escalation_key", .string).update()
        try await database.schema(Ticket.schema)
            .field("escalation_level", .int, .required, .sql(.default(0))).update()
        try await database.schema(Ticket.schema).field("next_escalation_at", .double).update()
        for column in Self.moved {
            try await sql.raw(
                """
                UPDATE tickets SET \(ident: column) =
                  (SELECT \(ident: column) FROM ticket_clocks WHERE ticket_clocks.ticket_id = tickets.id)
                WHERE id IN (SELECT ticket_id FROM ticket_clocks)
                """
            ).run()
        }
        try await sql.create(index: "tickets_next_escalation").on(Ticket.schema).column("next_escalation_at").run()
        try await database.schema(TicketClocks.schema).delete()
    }
}
