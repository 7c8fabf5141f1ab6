import Fluent
import Foundation
import SQLKit

// A new ticket and a timeline line are the rows written most often (every ticket opened, every step taken). They are
// written as one statement each, not through Fluent's `create(on:)`: its query builder makes two more model
// instances, collects every field into a dictionary and builds the statement anew each time — a tenth of the CPU of
// `POST /api/v1/tickets`. The rows are the same as `create(on:)` writes: `TicketInsertTests` compares them column by
// column and checks that every field of the models is written.

extension Ticket {
    /// The columns `insert(on:)` writes (`TicketInsertTests` checks them against the model's fields).
    static let insertedColumns = [
        "kind", "category", "severity", "urgent", "source", "customer_id", "description", "department_id", "handler_id",
        "status", "reopen_count", "policy", "first_response_due", "resolution_due", "inform_due", "verification_due",
        "first_response_at", "resolved_at", "closed_at", "verification_task_id", "task_id", "measures", "plan_owner",
        "plan_due", "compensation", "informed_at", "paused_at", "extensions", "call_id", "customer_satisfied",
        "opened_by_id", "paused_left", "list_rank", "list_urgency", "created_at", "updated_at",
    ]

    /// Writes this new ticket as `create(on:)` would: both timestamps set to the moment of writing, the id the
    /// database gave it kept, the model then known to exist.
    func insert(on db: any Database) async throws {
        let stamp = Date()
        (createdAt, updatedAt) = (stamp, stamp)
        let first: SQLQueryString = """
            \(bind: kind.rawValue), \(bind: category), \(bind: severity.rawValue), \(bind: urgent), \(bind: source),
            \(bind: $customer.id), \(bind: description), \(bind: $department.id), \(bind: $handler.id),
            \(bind: status.rawValue), \(bind: reopenCount), \(bind: policy), \(bind: firstResponseDue),
            \(bind: resolutionDue), \(bind: informDue), \(bind: verificationDue), \(bind: firstResponseAt),
            \(bind: resolvedAt), \(bind: closedAt), \(bind: verificationTaskID), \(bind: taskID),
            """
        let second: SQLQueryString = """
            \(bind: measures), \(bind: planOwner), \(bind: planDue), \(bind: compensation), \(bind: informedAt),
            \(bind: pausedAt), \(bind: extensions), \(bind: callID), \(bind: customerSatisfied), \(bind: openedByID),
            \(bind: pausedLeft), \(bind: listRank), \(bind: listUrgency), \(bind: stamp), \(bind: stamp)
            """
        let columns = SQLQueryString(Self.insertedColumns.joined(separator: ", "))
        id = try await InsertedID.write(
            "INSERT INTO tickets (" + columns + ") VALUES (" + first + " " + second + ")", on: db)
        $id.exists = true
    }
}

extension TicketEntry {
    /// The columns `insert(on:)` writes (`TicketInsertTests` checks them against the model's fields).
    static let insertedColumns = [
        "ticket_id", "at", "actor_id", "actor_name", "action", "old_status", "new_status", "note",
    ]

    /// Writes this new timeline line as `create(on:)` would, keeping the id the database gave it.
    func insert(on db: any Database) async throws {
        let values: SQLQueryString = """
            \(bind: $ticket.id), \(bind: at), \(bind: actorID), \(bind: actorName), \(bind: action),
            \(bind: oldStatus), \(bind: newStatus), \(bind: note)
            """
        let columns = SQLQueryString(Self.insertedColumns.joined(separator: ", "))
        id = try await InsertedID.write(
            "INSERT INTO ticket_entries (" + columns + ") VALUES (" + values + ")", on: db)
        $id.exists = true
    }
}

/// The id a database gave the row an `INSERT` wrote (`RETURNING id`, on SQLite and PostgreSQL alike).
enum InsertedID {
    private struct Row: Decodable { let id: Int }

    static func write(_ insert: SQLQueryString, on db: any Database) async throws -> Int {
        guard let row = try await db.sql.raw(insert + " RETURNING id").first(decoding: Row.self) else {
            throw DatabaseInsertError.noID
        }
        return row.id
    }
}

enum DatabaseInsertError: Error {
    case noID
}
