import Fluent
import Foundation
import HuifangCore

/// A follow-up task (回访任务): one customer to contact by a deadline, for one or more reasons.
final class FollowUpTask: Model, @unchecked Sendable {
    static let schema = "follow_up_tasks"

    enum Status: String, Codable, CaseIterable, Sendable {
        case open, completed, missed, cancelled
        /// Not reached after the rule's attempts, or the number is wrong.
        case unreachable
        /// The customer refused, or asked not to be called.
        case refused
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "customer_id") var customer: Customer
    @Field(key: "status") var status: Status
    @Field(key: "priority") var priority: Int
    @Field(key: "channel") var channel: String
    @Field(key: "script") var script: String
    @Field(key: "required_skill") var requiredSkill: String
    @Field(key: "max_attempts") var maxAttempts: Int
    @Field(key: "attempts") var attempts: Int
    /// The rule's own windows, empty for the calendar's; kept to recompute due times.
    @Field(key: "contact_windows") var contactWindows: String
    @Field(key: "due_on") var dueOn: String
    @Field(key: "deadline_on") var deadlineOn: String
    /// Stored when planned; a later calendar change moves them only when a supervisor asks.
    @Field(key: "due_at") var dueAt: Date
    @Field(key: "deadline_at") var deadlineAt: Date
    @Field(key: "planned_on") var plannedOn: String
    @OptionalParent(key: "assigned_agent_id") var assignedAgent: User?
    @OptionalField(key: "assignment_basis") var assignmentBasis: AssignmentBasis?
    @OptionalField(key: "assignment_load") var assignmentLoad: Int?
    @OptionalField(key: "assigned_at") var assignedAt: Date?
    @OptionalField(key: "callback_at") var callbackAt: Date?
    @OptionalField(key: "completed_at") var completedAt: Date?
    @OptionalField(key: "completed_on") var completedOn: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$task) var reasons: [TaskReason]

    init() {}
}

/// Why a task exists: a rule and its occurrence. Unique per customer, rule and occurrence,
/// which makes planning a day twice create nothing new.
final class TaskReason: Model, @unchecked Sendable {
    static let schema = "follow_up_task_reasons"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "task_id") var task: FollowUpTask
    @Field(key: "customer_id") var customerID: Int
    @Field(key: "rule_id") var ruleID: Int
    @Field(key: "occurrence_key") var occurrenceKey: String
    @Field(key: "triggered_on") var triggeredOn: String
    @Field(key: "due_on") var dueOn: String
    @Field(key: "deadline_on") var deadlineOn: String

    init() {}
}
