import Fluent
import SQLKit

/// Each ticket's escalation clock, one narrow row per ticket (`ticket_clocks`): the breach its level refers to
/// (`RunningDeadline.key`), the level reached, and when the sweep must next look at it (seconds since 1970; NULL
/// when nothing can fall due). The sweep reads and moves only these rows; the ticket service writes a ticket's
/// row in the transaction that changes its clock, and pages and the API read it to show the level.
package enum TicketClocks {
    package static let schema = "ticket_clocks"

    private struct Row: Decodable {
        let ticket_id: Int
        let escalation_key: String?
        let escalation_level: Int
        let next_escalation_at: Double?
    }

    /// Reads the stored clocks of tickets into them (a ticket without one keeps level 0 and no moment); `locking`
    /// holds the rows until the caller's transaction ends (PostgreSQL; SQLite's transactions hold the write lock).
    static func load(into tickets: [Ticket], on db: any Database, locking: Bool = false) async throws {
        let sql = db.sql
        let lock: SQLQueryString = locking && sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let pairs = tickets.compactMap { ticket in ticket.id.map { ($0, ticket) } }
        let byID = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        for chunk in Array(byID.keys).chunked(500) {
            let rows = try await sql.raw(
                """
                SELECT ticket_id, escalation_key, escalation_level, next_escalation_at FROM ticket_clocks
                WHERE ticket_id IN (\(binds: Array(chunk)))
                """ + lock
            ).all(decoding: Row.self)
            for row in rows {
                byID[row.ticket_id]?.escalationKey = row.escalation_key
                byID[row.ticket_id]?.escalationLevel = row.escalation_level
                byID[row.ticket_id]?.nextEscalationAt = row.next_escalation_at
            }
        }
        for ticket in tickets where ticket.id != nil { ticket.clockLoaded = true }
    }

    /// Stores the clock `TicketService.refreshClock` gave the ticket, in the caller's transaction: its next moment,
    /// and its breach and level only when the breach changed (a level the sweep reached meanwhile stays).
    static func write(_ ticket: Ticket, on db: any Database) async throws {
        guard let id = ticket.id else { return }
        let others: SQLQueryString =
            ticket.clockKeyChanged
            ? ", escalation_key = excluded.escalation_key, escalation_level = excluded.escalation_level" : ""
        let clock = columns(of: ticket)
        try await db.sql.raw(
            """
            INSERT INTO ticket_clocks (ticket_id, \(QuotedColumns.list(clock.map(\.name))))
            VALUES (\(bind: id), \(binds: clock.map(\.value)))
            ON CONFLICT (ticket_id) DO UPDATE SET next_escalation_at = excluded.next_escalation_at
            """ + others
        ).run()
    }

    /// The stored clock's columns after the ticket's id, with the ticket's values: written here and with a new
    /// ticket (`OpenedTicketInsert`).
    static func columns(of ticket: Ticket) -> [RowInsert.Column] {
        [
            ("escalation_key", ticket.escalationKey), ("escalation_level", ticket.escalationLevel),
            ("next_escalation_at", ticket.nextEscalationAt),
        ]
    }

    /// The ticket's next moment, as stored.
    static func next(of ticketID: Int, on db: any Database) async throws -> Double? {
        let ticket = Ticket()
        ticket.id = ticketID
        try await load(into: [ticket], on: db)
        return ticket.nextEscalationAt
    }
}
