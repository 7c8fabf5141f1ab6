import Fluent
import Foundation
import HuifangCore

/// A follow-up rule as stored: the columns a list needs, and the whole rule as JSON.
package final class RuleRecord: Model, @unchecked Sendable {
    package static let schema = "rules"

    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "is_enabled") var isEnabled: Bool
    @Field(key: "priority") var priority: Int
    @Field(key: "definition") var definition: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    package init() {}

    func apply(_ rule: FollowUpRule) throws {
        name = rule.name
        kind = rule.kind.rawValue
        isEnabled = rule.isEnabled
        priority = rule.priority
        definition = String(decoding: try JSONEncoder().encode(rule), as: UTF8.self)
    }

    func rule() throws -> FollowUpRule {
        var rule = try JSONDecoder().decode(FollowUpRule.self, from: Data(definition.utf8))
        rule.id = id ?? 0
        rule.name = name
        rule.isEnabled = isEnabled
        rule.priority = priority
        return rule
    }
}

/// One run of the planner: scheduled (at most one per day that runs or finished) or asked for.
final class PlannerRun: Model, @unchecked Sendable {
    static let schema = "planner_runs"

    enum Status: String, Codable, Sendable {
        case running
        case finished
        /// It stopped on an error, or found its lease lost.
        case failed
        /// Found dead: its lease lapsed while it was running (the process was killed or hung).
        case abandoned
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "day") var day: String
    /// `schedule` or `manual`.
    @Field(key: "trigger") var trigger: String
    /// The process that ran it.
    @Field(key: "instance") var instance: String
    /// The run's id, the holder of the `planner` lease while it runs.
    @OptionalField(key: "run_id") var runID: String?
    @Field(key: "status") var status: Status
    /// Why a run failed or was abandoned.
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    /// The run's `PlanSummary` as JSON.
    @OptionalField(key: "summary") var summary: String?

    init() {}
}

/// Days an agent is away; distribution skips them.
final class AgentAbsence: Model, @unchecked Sendable {
    static let schema = "agent_absences"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "first_day") var firstDay: String
    @Field(key: "last_day") var lastDay: String
    @Field(key: "note") var note: String

    init() {}
}
