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
    /// The phone system's call that gave the attempt its start and end (`PhoneCall`), if one did.
    @OptionalField(key: "phone_call_id") var phoneCallID: Int?
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
