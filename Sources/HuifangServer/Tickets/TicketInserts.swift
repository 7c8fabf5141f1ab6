import Fluent
import Foundation
import HuifangCore
import SQLKit

// A new ticket and a timeline line are the rows written most often (every ticket opened, every step taken). They are
// written as one statement each (`RowInsert`), not through Fluent's `create(on:)`: its query builder makes two more
// model instances, collects every field into a dictionary and builds the statement anew each time — with the token
// check, most of the CPU of `POST /api/v1/tickets`. The rows are the same as `create(on:)` writes: `RowInsertTests`
// compares them column by column and checks that every field of the models is written.

extension Ticket: RowInserted {
    var idProperty: IDProperty<Ticket, Int> { $id }
    func stampCreation(_ moment: Date) { (createdAt, updatedAt) = (moment, moment) }

    /// Every field but the id, as `insert(on:)` writes it.
    var insertedRow: [RowInsert.Column] {
        [
            ("kind", kind), ("category", category), ("severity", severity), ("urgent", urgent),
            ("source", source), ("customer_id", $customer.id), ("description", description),
            ("department_id", $department.id), ("handler_id", $handler.id), ("status", status),
            ("reopen_count", reopenCount), ("policy", policy), ("first_response_due", firstResponseDue),
            ("resolution_due", resolutionDue), ("inform_due", informDue), ("verification_due", verificationDue),
            ("first_response_at", firstResponseAt), ("resolved_at", resolvedAt), ("closed_at", closedAt),
            ("verification_task_id", verificationTaskID), ("task_id", taskID), ("measures", measures),
            ("plan_owner", planOwner), ("plan_due", planDue), ("compensation", compensation),
            ("informed_at", informedAt), ("paused_at", pausedAt), ("extensions", extensions), ("call_id", callID),
            ("customer_satisfied", customerSatisfied), ("opened_by_id", openedByID), ("paused_left", pausedLeft),
            ("list_rank", listRank), ("list_urgency", listUrgency), ("created_at", createdAt),
            ("updated_at", updatedAt),
        ]
    }
}

extension TicketEntry: RowInserted {
    var idProperty: IDProperty<TicketEntry, Int> { $id }

    /// Every field but the id, as `insert(on:)` writes it.
    var insertedRow: [RowInsert.Column] { [("ticket_id", $ticket.id)] + lineColumns }

    /// Every field but the id and the ticket's.
    var lineColumns: [RowInsert.Column] {
        [
            ("at", at), ("actor_id", actorID), ("actor_name", actorName),
            ("action", action), ("old_status", oldStatus), ("new_status", newStatus), ("note", note),
        ]
    }
}

/// A new ticket, its escalation clock and its opening line. On PostgreSQL they are one statement, three inserts
/// joined by `WITH`, each row as `insert(on:)` and `TicketClocks.write` write it: opening a ticket takes one round
/// trip to the database for them, not three. SQLite, in the process, has no round trips to save (and no inserts in
/// `WITH`): it writes them one by one, in a transaction (the caller's, if it runs in one). Either way the models are
/// left as `insert(on:)` leaves them: holding their ids, known to exist. Run it inside a transaction where more is
/// written with them.
struct OpenedTicketInsert {
    let ticket: Ticket
    let line: TicketEntry

    private struct Inserted: Decodable {
        let ticket_id: Int
        let line_id: Int
    }

    func run(on db: any Database) async throws {
        precondition(!ticket.$id.exists && !line.$id.exists, "the ticket is stored already")
        guard db.sql.dialect.name == "postgresql" else {
            let (ticket, line) = (ticket, line)
            return try await db.transaction { db in
                try await ticket.insert(on: db)
                try await TicketClocks.write(ticket, on: db)
                line.$ticket.id = ticket.id!
                try await line.insert(on: db)
            }
        }
        ticket.stampCreation(Date())
        let row = ticket.insertedRow
        let (clock, lineRow) = (TicketClocks.columns(of: ticket), line.lineColumns)
        let statement: SQLQueryString = """
            WITH t AS (
              INSERT INTO tickets (\(QuotedColumns.list(row.map(\.name)))) VALUES (\(binds: row.map(Self.plain)))
              RETURNING id),
            c AS (
              INSERT INTO ticket_clocks (ticket_id, \(QuotedColumns.list(clock.map(\.name))))
              VALUES ((SELECT id FROM t), \(binds: clock.map(\.value)))),
            e AS (
              INSERT INTO ticket_entries (ticket_id, \(QuotedColumns.list(lineRow.map(\.name))))
              VALUES ((SELECT id FROM t), \(binds: lineRow.map(\.value))) RETURNING id)
            SELECT (SELECT id FROM t) AS ticket_id, (SELECT id FROM e) AS line_id
            """
        guard let ids = try await db.sql.raw(statement).first(decoding: Inserted.self) else {
            throw RowInsertError.noID(table: Ticket.schema)
        }
        try ticket.output(from: InsertedOutput(row + [("id", ids.ticket_id)]))
        line.$ticket.id = ids.ticket_id
        try line.output(from: InsertedOutput(line.insertedRow + [("id", ids.line_id)]))
    }

    /// A column's value as PostgreSQL is sent it: the kinds of value as their text, which is how `Codable` writes
    /// them, but a plain PostgreSQL value, which lets `PreparingPostgresSQL` keep the statement prepared.
    static func plain(_ column: RowInsert.Column) -> any Encodable & Sendable {
        switch column.value {
        case let kind as TicketKind: kind.rawValue
        case let severity as Severity: severity.rawValue
        case let status as TicketStatus: status.rawValue
        default: column.value
        }
    }
}
