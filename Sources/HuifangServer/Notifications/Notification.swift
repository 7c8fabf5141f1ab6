import Fluent
import Foundation

/// A message to one user inside the app (通知): an escalation, an urgent complaint.
package final class Notification: Model, @unchecked Sendable {
    package static let schema = "notifications"

    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Parent(key: "user_id") var user: User
    @OptionalField(key: "ticket_id") var ticketID: Int?
    /// `escalation` or `urgent`.
    @Field(key: "kind") var kind: String
    @Field(key: "text") var text: String
    @Field(key: "at") var at: Double
    @OptionalField(key: "read_at") var readAt: Double?
    /// `call`: the ringing call (`phone_calls`) whose inbound-call form the pop-up opens.
    @OptionalField(key: "phone_call_id") var phoneCallID: Int?

    package init() {}
}

/// One email or SMS in the outbox, sent by whichever instance claims it.
package final class MailMessage: Model, @unchecked Sendable {
    package static let schema = "mail_outbox"

    enum Status: String, Codable, CaseIterable, Sendable {
        /// `cancelled`: not sent because the customer may no longer be contacted (do not disturb, no consent).
        case pending, sent, failed, cancelled
    }

    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Field(key: "to_address") var to: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Double
    @Field(key: "next_attempt_at") var nextAttemptAt: Double
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Double?
    @OptionalField(key: "sent_at") var sentAt: Double?
    /// email or sms.
    @Field(key: "channel") var channel: String
    @OptionalField(key: "customer_id") var customerID: Int?
    @OptionalField(key: "task_id") var taskID: Int?
    /// How it went out: smtp, http (the SMS gateway) or log.
    @OptionalField(key: "transport") var transport: String?

    package init() {}
}
