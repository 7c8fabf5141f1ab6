import Fluent
import SQLKit

/// When the escalation sweep must next look at each ticket (seconds since 1970; NULL when nothing can fall due),
/// one narrow row per ticket (`ticket_clocks`). The sweep reads them by that moment and moves them on without
/// touching the tickets' indexes; the ticket service writes a ticket's row whenever it sets its clock.
enum TicketClocks {
    static let schema = "ticket_clocks"

    /// Stores the moment `TicketService.refreshClock` gave the ticket, in the caller's transaction.
    static func write(_ ticket: Ticket, on db: any Database) async throws {
        guard let id = ticket.id else { return }
        try await (db as! any SQLDatabase).raw("""
            INSERT INTO ticket_clocks (ticket_id, next_escalation_at) VALUES (\(bind: id), \(bind: ticket.nextEscalationAt))
            ON CONFLICT (ticket_id) DO UPDATE SET next_escalation_at = excluded.next_escalation_at
            """).run()
    }

    /// The ticket's next moment, as stored.
    static func next(of ticketID: Int, on db: any Database) async throws -> Double? {
        struct Row: Decodable { let next_escalation_at: Double? }
        return try await (db as! any SQLDatabase).raw("""
            SELECT next_escalation_at FROM ticket_clocks WHERE ticket_id = \(bind: ticketID)
            """).first(decoding: Row.self)?.next_escalation_at
    }
}
