import Fluent
import Foundation

// A new customer, its tags and its history lines are written as one statement each (`RowInsert`), not through
// Fluent's `create(on:)`: they are what `POST /api/v1/customers` writes. `RowInsertTests` checks the rows are the ones
// `create(on:)` writes.

extension Customer: RowInserted {
    var idProperty: IDProperty<Customer, Int> { $id }
    func stampCreation(_ moment: Date) { (createdAt, updatedAt) = (moment, moment) }

    /// Every field but the id, as `insert(on:)` writes it.
    var insertedRow: [RowInsert.Column] {
        [
            ("name", name), ("mobile", mobile), ("email", email), ("gender", gender), ("birthday", birthday),
            ("registered_on", registeredOn), ("tier", tier), ("external_id", externalID),
            ("assigned_agent_id", $assignedAgent.id), ("consent", consent), ("do_not_disturb", doNotDisturb),
            ("notes", notes), ("erased_at", erasedAt), ("created_at", createdAt), ("updated_at", updatedAt),
        ]
    }
}

extension CustomerTag: RowInserted {
    var idProperty: IDProperty<CustomerTag, Int> { $id }

    var insertedRow: [RowInsert.Column] { [("customer_id", customerID), ("tag", tag)] }
}

extension CustomerChange: RowInserted {
    var idProperty: IDProperty<CustomerChange, Int> { $id }

    var insertedRow: [RowInsert.Column] {
        [
            ("customer_id", customerID), ("at", at), ("actor_id", actorID), ("actor_name", actorName),
            ("source", source), ("field", field), ("old_value", oldValue), ("new_value", newValue),
        ]
    }
}
