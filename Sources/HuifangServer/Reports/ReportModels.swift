import Fluent
import Foundation
import HuifangCore

/// A figure's target (考核指标), set by supervisors: the least acceptable rate and the deduction per step below it.
final class FigureTargetRecord: Model, @unchecked Sendable {
    static let schema = "report_targets"

    @ID(custom: "figure", generatedBy: .user) var id: String?
    @Field(key: "minimum_per_mille") var minimumPerMille: Int
    @Field(key: "points_per_step") var pointsPerStep: Int
    @Field(key: "step_per_mille") var stepPerMille: Int
    @Field(key: "updated_by") var updatedBy: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(_ target: FigureTarget, by username: String) {
        id = target.figure.rawValue
        minimumPerMille = target.minimumPerMille
        pointsPerStep = target.pointsPerStep
        stepPerMille = target.stepPerMille
        updatedBy = username
    }

    var target: FigureTarget? {
        Figure(rawValue: id ?? "").map {
            FigureTarget(
                figure: $0, minimumPerMille: minimumPerMille, pointsPerStep: pointsPerStep, stepPerMille: stepPerMille)
        }
    }

    /// The seeds' usual standards: 回访完成率 ≥ 95 %, 及时性 ≥ 95 %, 满意度 ≥ 90 %, 处理及时率 ≥ 95 %, 投诉处理成功率 ≥ 90 %.
    static let defaults: [FigureTarget] = [
        FigureTarget(figure: .completion, minimumPerMille: 950),
        FigureTarget(figure: .timeliness, minimumPerMille: 950),
        FigureTarget(figure: .satisfaction, minimumPerMille: 900),
        FigureTarget(figure: .onTimeHandling, minimumPerMille: 950),
        FigureTarget(figure: .complaintSuccess, minimumPerMille: 900),
    ]

    static func all(on db: any Database) async throws -> [Figure: FigureTarget] {
        Dictionary(
            try await FigureTargetRecord.query(on: db).all().compactMap(\.target).map { ($0.figure, $0) },
            uniquingKeysWith: { a, _ in a })
    }
}

/// A month signed off by a supervisor: the report and the agents' scorecards as they were, kept as
/// JSON so later changes to the data never alter them.
final class ReportSignOff: Model, @unchecked Sendable {
    static let schema = "report_signoffs"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "month") var month: String
    @Field(key: "report") var report: String
    @Field(key: "scorecards") var scorecards: String
    @Field(key: "signed_by") var signedBy: String
    @Field(key: "signed_by_name") var signedByName: String
    @Field(key: "signed_at") var signedAt: Date
    @Field(key: "note") var note: String

    init() {}

    /// The month's report under every grouping, by the grouping's name.
    var frozenReports: [String: FigureReport] {
        (try? JSONDecoder().decode([String: FigureReport].self, from: Data(report.utf8))) ?? [:]
    }
    var frozenScorecards: [Scorecard] {
        (try? JSONDecoder().decode([Scorecard].self, from: Data(scorecards.utf8))) ?? []
    }
}

/// The spot-check plan (one row).
final class SpotCheckSettingsRecord: Model, @unchecked Sendable {
    static let schema = "spot_check_settings"

    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "definition") var definition: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    func apply(_ plan: SpotCheckPlan) throws {
        definition = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
    }

    var plan: SpotCheckPlan {
        (try? JSONDecoder().decode(SpotCheckPlan.self, from: Data(definition.utf8))) ?? .standard
    }

    static func load(on db: any Database) async throws -> SpotCheckPlan {
        try await SpotCheckSettingsRecord.find(1, on: db)?.plan ?? .standard
    }
}

/// One record drawn for review (抽查): the plan it is judged by is kept with it, so changing the plan
/// later does not change a finished review.
final class SpotCheck: Model, @unchecked Sendable {
    static let schema = "spot_checks"

    enum Status: String, Codable, Sendable {
        /// Drawn, not reviewed yet.
        case pending
        /// Scored by a reviewer, waiting for the agent.
        case reviewed
        /// The agent has read the review.
        case acknowledged
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "month") var month: String
    @Field(key: "record_id") var recordID: Int
    @OptionalField(key: "agent_id") var agentID: UUID?
    @Field(key: "agent_name") var agentName: String
    @Field(key: "seed") var seed: String
    @Field(key: "plan") var planJSON: String
    @Field(key: "status") var status: Status
    @Field(key: "results") var results: String
    @OptionalField(key: "score") var score: Int?
    @Field(key: "max_score") var maxScore: Int
    @Field(key: "failed") var failed: Bool
    @Field(key: "comment") var comment: String
    @OptionalField(key: "reviewer_id") var reviewerID: UUID?
    @Field(key: "reviewer_name") var reviewerName: String
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @Field(key: "agent_reply") var agentReply: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var plan: SpotCheckPlan { (try? JSONDecoder().decode(SpotCheckPlan.self, from: Data(planJSON.utf8))) ?? .standard }
    var met: [String: Bool] { (try? JSONDecoder().decode([String: Bool].self, from: Data(results.utf8))) ?? [:] }
}
