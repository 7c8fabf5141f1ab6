import Fluent
import Foundation

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
    var insertedRow: [RowInsert.Column] {
        [
            ("ticket_id", $ticket.id), ("at", at), ("actor_id", actorID), ("actor_name", actorName),
            ("action", action), ("old_status", oldStatus), ("new_status", newStatus), ("note", note),
        ]
    }
}
