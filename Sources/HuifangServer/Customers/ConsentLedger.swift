import Fluent
import Foundation
import HuifangCore
import SQLKit

/// One row of a customer's consent history: the flags after a change, when, how and by whom.
final class CustomerConsent: Model, @unchecked Sendable {
    static let schema = "customer_consents"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "customer_id") var customerID: Int
    @Field(key: "at") var at: Date
    @Field(key: "consent") var consent: Bool
    @Field(key: "do_not_disturb") var doNotDisturb: Bool
    /// A `ConsentSource`.
    @Field(key: "how") var how: String
    /// The staff member who recorded it; `nil` for the customer's own reply (and the history's first row).
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "actor_name") var actorName: String?
    @OptionalField(key: "note") var note: String?

    init() {}
}

/// Keeps the consent history (`customer_consents`): each change of a customer's consent or do-not-disturb flag
/// appends a row in the transaction of the change (the caller's `db`), and a change after which the customer may
/// not be contacted cancels what the outbox still holds for them, so nothing more is sent.
struct ConsentLedger {
    let db: any Database
    let now: Date

    /// One row to append.
    struct Entry: Sendable {
        let customerID: Int
        let state: ConsentState
        let how: ConsentSource
        /// Who recorded it; `nil` for the customer's own reply.
        let actor: Actor?
        var note: String? = nil

        /// The entry for a change by `actor`, who names no one when the customer made it themselves.
        init(customerID: Int, state: ConsentState, how: ConsentSource, by actor: Actor?, note: String? = nil) {
            self.customerID = customerID
            self.state = state
            self.how = how
            self.actor = how.isCustomersOwn ? nil : actor
            self.note = ConsentHistory.note(note)
        }
    }

    /// Appends the rows (in batches), then cancels the pending messages of the customers who may no longer be
    /// contacted.
    func append(_ entries: [Entry]) async throws {
        let sql = db.sql
        for chunk in entries.chunked(500) {
            let insert = sql.insert(into: CustomerConsent.schema)
                .columns("customer_id", "at", "consent", "do_not_disturb", "how", "actor_id", "actor_name", "note")
            for entry in chunk {
                insert.values(
                    SQLBind(entry.customerID), SQLBind(now), SQLBind(entry.state.consent),
                    SQLBind(entry.state.doNotDisturb), SQLBind(entry.how.rawValue), SQLBind(entry.actor?.id),
                    SQLBind(entry.actor?.name), SQLBind(entry.note))
            }
            try await insert.run()
        }
        try await cancelPendingMessages(of: entries.filter { !$0.state.allowsContact }.map(\.customerID))
    }

    /// Marks the customers' pending outbox messages cancelled (a message being sent at this moment is not
    /// recalled). Returns how many were.
    @discardableResult
    func cancelPendingMessages(of customerIDs: [Int]) async throws -> Int {
        var cancelled = 0
        for chunk in Array(Set(customerIDs)).sorted().chunked(500) {
            cancelled += try await db.sql.raw(
                """
                UPDATE mail_outbox SET status = \(bind: MailMessage.Status.cancelled.rawValue),
                last_error = \(bind: Outbox.noContactNote), claimed_until = NULL
                WHERE status = \(bind: MailMessage.Status.pending.rawValue)
                AND customer_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                RETURNING id
                """
            ).all().count
        }
        return cancelled
    }

    /// The customer's history, oldest first.
    func history(of customerID: Int) async throws -> [CustomerConsent] {
        try await CustomerConsent.query(on: db).filter(\.$customerID == customerID).sort(\.$id).all()
    }
}
