import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// Spot checks (抽查): drawing a month's sample of each agent's records from a seed, the reviewer's
/// scoring against the checkpoints, and the agent's acknowledgement.
struct SpotCheckService {
    let db: any Database
    let config: HuifangConfig
    /// The instant everything this service does happens at.
    let now: Date

    struct Drawn: Content {
        let month: String
        let seed: String
        /// Records drawn per agent (username).
        let perAgent: [String: Int]
        let total: Int
    }

    /// Draws the month's sample: for each agent, the plan's share of the records they made in the month
    /// (at least its minimum), chosen by `seed` — the same seed always draws the same records. A month is drawn once.
    func draw(month: String, seed: String) async throws -> Drawn {
        var errors: [NamedFieldError] = []
        let period = ReportPeriod(month: month)
        if period == nil { errors.append(.init(field: "month", key: "report.problem.month")) }
        let seed = seed.trimmingWhitespace()
        if seed.isEmpty || seed.count > 64 { errors.append(.init(field: "seed", key: "spot.problem.seed")) }
        guard errors.isEmpty, let period else { throw NamedFieldErrors(errors: errors) }
        guard period.from <= config.today(now: now) else {
            throw NamedFieldError(field: "month", key: "spot.problem.future")
        }
        if try await SpotCheck.query(on: db).filter(\.$month == month).count() > 0 {
            throw AppError(.conflict, "spot.refuse.drawn")
        }
        let plan = try await SpotCheckSettingsRecord.load(on: db)
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        let queries = ReportQueries(db: db, period: period, calendar: calendar, grouping: .none)
        let rows = try await db.sql.raw(
            """
            SELECT r.id, r.agent_id, r.agent_name, u.username FROM follow_up_records r JOIN users u ON u.id = r.agent_id
            WHERE r.source = 'agent' AND r.ended_at >= \(bind: queries.start) AND r.ended_at < \(bind: queries.end)
            """
        ).all(decoding: RecordRow.self)
        let (checks, perAgent) = try Self.sample(rows, plan: plan, month: month, seed: seed)
        let drawn = checks
        do {
            try await db.transaction { db in
                for check in drawn { try await check.create(on: db) }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError(.conflict, "spot.refuse.drawn")
        }
        return Drawn(month: month, seed: seed, perAgent: perAgent, total: checks.count)
    }

    /// A record an agent made in the month, with the agent's username.
    private struct RecordRow: Decodable {
        let id: Int
        let agent_id: UUID
        let agent_name: String
        let username: String
    }

    /// Each agent's sample of their records, as pending checks that keep the plan they are judged by, and how
    /// many were drawn per agent (username).
    private static func sample(_ rows: [RecordRow], plan: SpotCheckPlan, month: String, seed: String) throws -> (
        checks: [SpotCheck], perAgent: [String: Int]
    ) {
        let planJSON = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        var perAgent: [String: Int] = [:]
        var checks: [SpotCheck] = []
        for (username, records) in Dictionary(grouping: rows, by: \.username) {
            let chosen = plan.sample(records.map(\.id), seed: "\(seed)/\(month)/\(username)")
            perAgent[username] = chosen.count
            let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
            for id in chosen {
                let check = SpotCheck()
                check.month = month
                check.recordID = id
                check.agentID = byID[id]!.agent_id
                check.agentName = byID[id]!.agent_name
                check.seed = seed
                check.planJSON = planJSON
                check.status = .pending
                check.results = "{}"
                check.maxScore = plan.maxScore
                check.failed = false
                check.comment = ""
                check.reviewerName = ""
                check.agentReply = ""
                checks.append(check)
            }
        }
        return (checks, perAgent)
    }

    /// Scores a check: every checkpoint judged met or not, a comment (required when anything is not met).
    func review(_ check: SpotCheck, met: [String: Bool], comment: String, by reviewer: User) async throws -> SpotCheck {
        guard check.status != .acknowledged else { throw AppError(.conflict, "spot.refuse.acknowledged") }
        let comment = comment.trimmingWhitespace()
        var errors: [NamedFieldError] = []
        let plan = check.plan
        let scored = errors.collect(try plan.score(met))
        if met.values.contains(false), comment.isEmpty {
            errors.append(.init(field: "comment", key: "spot.problem.commentRequired"))
        }
        if comment.count > 2000 { errors.append(.init(field: "comment", key: "problem.tooLong", arguments: ["2000"])) }
        guard errors.isEmpty, let scored else { throw NamedFieldErrors(errors: errors) }
        let kept = met.filter { key, _ in plan.checkpoints.contains { $0.key == key } }
        check.results = String(decoding: try JSONEncoder().encode(kept), as: UTF8.self)
        check.score = scored.score
        check.failed = scored.failed
        check.comment = comment
        check.reviewerID = reviewer.id
        check.reviewerName = reviewer.displayName
        check.reviewedAt = now
        check.status = .reviewed
        try await db.transaction { db in
            try await check.update(on: db)
            if let agentID = check.agentID {
                let note = Notification()
                note.$user.id = agentID
                note.kind = "spotCheck"
                note.text = Catalogue.text(
                    "spot.notice", config.defaultLanguage,
                    [String(check.id!), check.month, String(scored.score), String(check.maxScore)])
                note.at = now.timeIntervalSince1970
                try await note.create(on: db)
            }
        }
        return check
    }

    /// The agent has read the review (with a reply, if they have one).
    func acknowledge(_ check: SpotCheck, by user: User, reply: String) async throws -> SpotCheck {
        guard check.agentID == user.id else { throw AppError(.forbidden, "spot.refuse.notYours") }
        guard check.status == .reviewed else { throw AppError(.conflict, "spot.refuse.notReviewed") }
        let reply = reply.trimmingWhitespace()
        guard reply.count <= 2000 else {
            throw NamedFieldError(field: "reply", key: "problem.tooLong", arguments: ["2000"])
        }
        check.agentReply = reply
        check.acknowledgedAt = now
        check.status = .acknowledged
        try await check.update(on: db)
        return check
    }

    /// Reads a plan from the form's fields: share in percent, minimum, one checkpoint per line `text|points` (add `|否决` for instant-fail).
    static func plan(share: String, minimum: String, checkpoints: String) throws -> SpotCheckPlan {
        var errors: [NamedFieldError] = []
        let sharePerMille = ReportPagesController.perMille(share)
        if sharePerMille == nil { errors.append(.init(field: "share", key: "spot.problem.share")) }
        let minimumCount = Int(minimum.trimmingWhitespace())
        if minimumCount == nil { errors.append(.init(field: "minimum", key: "spot.problem.minimum")) }
        var points: [Checkpoint] = []
        for (index, line) in checkpoints.split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map {
                String($0).trimmingWhitespace()
            }
            guard !parts.allSatisfy(\.isEmpty) else { continue }
            guard (2...3).contains(parts.count), let value = Int(parts[1]) else {
                errors.append(.init(field: "checkpoints", key: "spot.problem.line", arguments: [String(index + 1)]))
                continue
            }
            let instantFail =
                parts.count == 3 && ["否决", "veto", "fail", "instant-fail"].contains(parts[2].lowercased())
            if parts.count == 3, !instantFail {
                errors.append(.init(field: "checkpoints", key: "spot.problem.line", arguments: [String(index + 1)]))
            }
            points.append(Checkpoint(key: "c\(index + 1)", text: parts[0], points: value, instantFail: instantFail))
        }
        guard errors.isEmpty, let sharePerMille, let minimumCount else { throw NamedFieldErrors(errors: errors) }
        let plan = SpotCheckPlan(sharePerMille: sharePerMille, minimum: minimumCount, checkpoints: points)
        let problems = plan.problems()
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        return plan
    }
}
