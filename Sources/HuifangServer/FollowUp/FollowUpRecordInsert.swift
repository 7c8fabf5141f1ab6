import Fluent
import Foundation

/// Every attempt an agent saves writes a record: in one statement (`RowInsert`). `RowInsertTests` checks the row is the
/// one `create(on:)` writes.
extension FollowUpRecord: RowInserted {
    var idProperty: IDProperty<FollowUpRecord, Int> { $id }
    func stampCreation(_ moment: Date) { createdAt = moment }

    /// Every field but the id, as `insert(on:)` writes it.
    var insertedRow: [RowInsert.Column] {
        [
            ("task_id", taskID), ("customer_id", customerID), ("agent_id", agentID), ("agent_name", agentName),
            ("source", source), ("channel", channel), ("started_at", startedAt), ("ended_at", endedAt),
            ("duration_seconds", durationSeconds), ("outcome", outcome), ("contact_made", contactMade),
            ("completed", completed), ("needs_retry", needsRetry), ("stop_contacting", stopContacting),
            ("result", result), ("next_attempt_at", nextAttemptAt), ("notes", notes),
            ("recording_consent", recordingConsent), ("recording_ref", recordingRef), ("corrections", corrections),
            ("survey_id", surveyID), ("ticket_id", ticketID), ("ticket_proposed", ticketProposed),
            ("survey_declined", surveyDeclined), ("phone_call_id", phoneCallID), ("created_at", createdAt),
        ]
    }
}
