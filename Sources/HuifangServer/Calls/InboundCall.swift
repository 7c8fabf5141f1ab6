import Fluent
import Foundation

/// A common question and its answer (常见问题), searched from the call form.
final class KnowledgeArticle: Model, @unchecked Sendable {
    static let schema = "kb_articles"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "question") var question: String
    @Field(key: "answer") var answer: String
    /// Words callers use for it, separated by spaces or commas.
    @Field(key: "keywords") var keywords: String
    @Field(key: "updated_by") var updatedBy: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// An inbound call (来电), stamped to the minute, and how it was handled.
final class InboundCall: Model, @unchecked Sendable {
    static let schema = "calls"

    enum Handling: String, Codable, CaseIterable, Sendable {
        /// Answered on the spot from the knowledge base.
        case answered
        /// A reply promised by a time: a callback task.
        case promised
        /// A complex matter or a complaint: a ticket.
        case ticket
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "at") var at: Date
    @OptionalParent(key: "agent_id") var agent: User?
    @Field(key: "agent_name") var agentName: String
    @OptionalParent(key: "customer_id") var customer: Customer?
    @Field(key: "phone") var phone: String
    /// A ticket category code.
    @Field(key: "matter") var matter: String
    @Field(key: "summary") var summary: String
    @Field(key: "handling") var handling: Handling
    @OptionalParent(key: "article_id") var article: KnowledgeArticle?
    @OptionalField(key: "promised_by") var promisedBy: Date?
    @OptionalField(key: "callback_task_id") var callbackTaskID: Int?
    @OptionalField(key: "ticket_id") var ticketID: Int?
    /// The phone system's record of this call (`phone_calls`), when the form was opened from its pop-up.
    @OptionalField(key: "phone_call_id") var phoneCallID: Int?
    @Field(key: "recording_consent") var recordingConsent: Bool

    init() {}
}
