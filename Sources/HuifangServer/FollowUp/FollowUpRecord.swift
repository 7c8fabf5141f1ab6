import Fluent
import Foundation
import HuifangCore

/// One contact attempt on a task (回访记录): by an agent, or the customer's own answers through a link.
final class FollowUpRecord: Model, @unchecked Sendable {
    static let schema = "follow_up_records"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "task_id") var taskID: Int
    @Field(key: "customer_id") var customerID: Int
    @OptionalField(key: "agent_id") var agentID: UUID?
    @Field(key: "agent_name") var agentName: String
    /// `agent` or `link`.
    @Field(key: "source") var source: String
    @Field(key: "channel") var channel: String
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "ended_at") var endedAt: Date
    @Field(key: "duration_seconds") var durationSeconds: Int
    @Field(key: "outcome") var outcome: String
    @Field(key: "contact_made") var contactMade: Bool
    @Field(key: "completed") var completed: Bool
    @Field(key: "needs_retry") var needsRetry: Bool
    @Field(key: "stop_contacting") var stopContacting: Bool
    /// What became of the task: completed, retry, callback, unreachable, refused.
    @Field(key: "result") var result: String
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @Field(key: "notes") var notes: String
    @Field(key: "recording_consent") var recordingConsent: Bool
    @Field(key: "recording_ref") var recordingRef: String
    /// The customer data corrected in the call, `field: old → new` lines (also in the customer's history).
    @Field(key: "corrections") var corrections: String
    @OptionalField(key: "survey_id") var surveyID: Int?
    @OptionalField(key: "ticket_id") var ticketID: Int?
    /// The survey's threshold proposed a ticket (opened or declined by the agent).
    @Field(key: "ticket_proposed") var ticketProposed: Bool
    /// Reached, but the customer declined the survey.
    @Field(key: "survey_declined") var surveyDeclined: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// A contact that reached the customer at `at` and took no time on the clock (a verification, a link's
    /// answers); `RecordService.write` sets its flags and result with the task's new state.
    static func reached(
        task: FollowUpTask, agentID: UUID?, agentName: String, source: String, channel: String,
        at: Date, notes: String = ""
    ) -> FollowUpRecord {
        let record = FollowUpRecord()
        record.taskID = task.id!
        record.customerID = task.$customer.id
        record.agentID = agentID
        record.agentName = agentName
        record.source = source
        record.channel = channel
        record.startedAt = at
        record.endedAt = at
        record.durationSeconds = 0
        record.outcome = ContactOutcome.reached.rawValue
        record.notes = notes
        record.recordingConsent = false
        record.recordingRef = ""
        record.corrections = ""
        record.ticketProposed = false
        record.surveyDeclined = false
        return record
    }
}

/// One answer to one question, with what the figures need.
final class SurveyAnswer: Model, @unchecked Sendable {
    static let schema = "survey_answers"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "record_id") var recordID: Int
    /// The survey version answered.
    @Field(key: "survey_id") var surveyID: Int
    @Field(key: "customer_id") var customerID: Int
    @Field(key: "question_key") var questionKey: String
    @Field(key: "indicator") var indicator: String
    @Field(key: "type") var type: String
    @Field(key: "value") var value: String
    @OptionalField(key: "score") var score: Int?
    @OptionalField(key: "is_top_two") var isTopTwo: Bool?
    @Field(key: "meets_threshold") var meetsThreshold: Bool
    @Field(key: "answered_at") var answeredAt: Date

    init() {}
}

/// One version of a survey. Editing a version that has answers makes the next version, so old
/// answers keep the questions they answered; rules name the family and use its current version.
final class SurveyRecord: Model, @unchecked Sendable {
    static let schema = "surveys"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    /// The id of the first version.
    @OptionalField(key: "family_id") var familyID: Int?
    @Field(key: "version") var version: Int
    @Field(key: "name") var name: String
    @Field(key: "definition") var definitionJSON: String
    @Field(key: "is_current") var isCurrent: Bool
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var definition: SurveyDefinition {
        get throws { try JSONDecoder().decode(SurveyDefinition.self, from: Data(definitionJSON.utf8)) }
    }

    func set(_ definition: SurveyDefinition) throws {
        name = definition.name
        definitionJSON = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
    }
}

/// A survey sent to the customer as a signed, expiring, single-use link.
final class SurveyLink: Model, @unchecked Sendable {
    static let schema = "survey_links"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "task_id") var taskID: Int
    @Field(key: "survey_id") var surveyID: Int
    @Field(key: "customer_id") var customerID: Int
    /// sms or email.
    @Field(key: "channel") var channel: String
    @Field(key: "expires_at") var expiresAt: Double
    @OptionalField(key: "used_at") var usedAt: Double?
    @OptionalField(key: "message_id") var messageID: Int?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Double

    init() {}
}

/// The text of a message to customers, with placeholders (`{客户姓名}`, `{问卷链接}`, …).
final class MessageTemplate: Model, @unchecked Sendable {
    static let schema = "message_templates"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "key") var key: String
    @Field(key: "name") var name: String
    /// sms or email.
    @Field(key: "channel") var channel: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(key: String, name: String, channel: String, subject: String, body: String) {
        self.key = key
        self.name = name
        self.channel = channel
        self.subject = subject
        self.body = body
    }

    static let surveySMS = "survey.sms"
    static let surveyEmail = "survey.email"

    static var defaults: [MessageTemplate] {
        [
            MessageTemplate(
                key: surveySMS, name: "问卷链接（短信）", channel: "sms", subject: "",
                body: "【{公司}】{称呼}您好，感谢您的支持！请花一分钟评价我们的服务：{问卷链接}（{有效期}前有效）"),
            MessageTemplate(
                key: surveyEmail, name: "问卷链接（邮件）", channel: "email", subject: "{公司}：请评价我们的服务",
                body: "{称呼}您好：\n\n感谢您选择{公司}。请花一分钟告诉我们您对本次服务的评价：\n{问卷链接}\n\n链接在 {有效期} 前有效，只能提交一次。\n\n{公司} 客户服务中心"),
        ]
    }
}
