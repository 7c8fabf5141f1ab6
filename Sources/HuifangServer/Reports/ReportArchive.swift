import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A report as it stands: a signed-off month's stored figures, or the figures computed now.
struct CurrentReport {
    let report: FigureReport
    let signedOff: ReportOut.SignedOut?
}

extension ReportService {
    /// A signed-off month comes from the archive, exactly as it was signed; any other period is computed.
    func current(_ period: ReportPeriod, groupedBy grouping: ReportGrouping) async throws -> CurrentReport {
        if let month = period.month,
            let signed = try await ReportSignOff.query(on: db).filter(\.$month == month).first(),
            let frozen = signed.frozenReports[grouping.rawValue]
        {
            return CurrentReport(report: frozen, signedOff: .init(by: signed.signedByName, at: signed.signedAt))
        }
        return CurrentReport(report: try await report(period, groupedBy: grouping), signedOff: nil)
    }

    /// A period's report and the previous period's (`ReportPeriod.previous`) under the same grouping, each as
    /// `current` gives it: the previous figures are those the previous period's own page shows.
    func compared(_ period: ReportPeriod, groupedBy grouping: ReportGrouping) async throws -> (
        now: CurrentReport, before: CurrentReport
    ) {
        let now = try await current(period, groupedBy: grouping)
        return (now, try await current(period.previous, groupedBy: grouping))
    }

    /// A month's scorecards: as stored when it was signed off, else computed now.
    func currentScorecards(_ period: ReportPeriod, month: String) async throws -> (
        cards: [Scorecard], signedOff: ReportOut.SignedOut?
    ) {
        if let signed = try await ReportSignOff.query(on: db).filter(\.$month == month).first() {
            return (signed.frozenScorecards, .init(by: signed.signedByName, at: signed.signedAt))
        }
        return (try await scorecards(period, byAgent: try await report(period, groupedBy: .agent)), nil)
    }

    /// Each agent's scorecard for the period: their figures against the targets, and their reviewed spot checks.
    func scorecards(_ period: ReportPeriod, byAgent report: FigureReport) async throws -> [Scorecard] {
        let targets = try await FigureTargetRecord.all(on: db)
        let agents = try await User.query(on: db).filter(\.$role == .agent).sort(\.$displayName).all()
        let checks = try await spotCheckSummaries(period)
        var cards: [Scorecard] = []
        var seen: Set<String> = []
        // Tickets group by their handler under the same key: only agents have a scorecard.
        let agentNames = Set(agents.map(\.username))
        for group in report.groups where agentNames.contains(group.key) {
            seen.insert(group.key)
            cards.append(
                Scorecard(
                    agent: group.key, agentName: group.label, figures: group.figures, targets: targets,
                    spotChecks: checks[group.key] ?? SpotCheckSummary()))
        }
        for agent in agents where agent.isActive && !seen.contains(agent.username) {
            cards.append(
                Scorecard(
                    agent: agent.username, agentName: agent.displayName, figures: FigureSet(), targets: targets,
                    spotChecks: checks[agent.username] ?? SpotCheckSummary()))
        }
        return cards.sorted { ($0.agentName, $0.agent) < ($1.agentName, $1.agent) }
    }

    /// Reviewed spot checks of the period's months per agent (by username).
    func spotCheckSummaries(_ period: ReportPeriod) async throws -> [String: SpotCheckSummary] {
        struct Row: Decodable {
            let username: String?
            let reviewed: Int
            let score_sum: Int
            let max_sum: Int
            let failed: Int
        }
        let sql = db.sql
        let rows = try await sql.raw(
            """
            SELECT u.username AS username, COUNT(*) AS reviewed, CAST(COALESCE(SUM(s.score), 0) AS BIGINT) AS score_sum, CAST(COALESCE(SUM(s.max_score), 0) AS BIGINT) AS max_sum,
              COALESCE(SUM(CASE WHEN s.failed = TRUE THEN 1 ELSE 0 END), 0) AS failed
            FROM spot_checks s LEFT JOIN users u ON u.id = s.agent_id
            WHERE s.month >= \(bind: String(period.from.iso.prefix(7))) AND s.month <= \(bind: String(period.to.iso.prefix(7))) AND s.status <> 'pending'
            GROUP BY u.username
            """
        ).all(decoding: Row.self)
        return Dictionary(
            rows.compactMap { row in
                row.username.map {
                    (
                        $0,
                        SpotCheckSummary(
                            reviewed: row.reviewed, scoreSum: row.score_sum, maxSum: row.max_sum, failed: row.failed)
                    )
                }
            }, uniquingKeysWith: { a, _ in a })
    }

    /// The month `text` names when it can be signed off now: a month (`2026-10`), over by `today`, not signed yet.
    func signable(_ text: String, today: LocalDate) async throws -> ReportPeriod {
        guard let period = ReportPeriod(month: text) else {
            throw NamedFieldError(field: "month", key: "report.problem.month")
        }
        guard period.to < today else { throw NamedFieldError(field: "month", key: "report.problem.monthNotOver") }
        if try await ReportSignOff.query(on: db).filter(\.$month == text).count() > 0 {
            throw AppError(.conflict, "report.refuse.signed")
        }
        return period
    }

    /// Freezes a finished month: its report under every grouping and the agents' scorecards are stored
    /// as they are now; from then on the month is read from the archive.
    func signOff(month text: String, by user: User, note: String, today: LocalDate, at now: Date) async throws
        -> ReportSignOff
    {
        let period = try await signable(text, today: today)
        guard note.count <= 1000 else {
            throw NamedFieldError(field: "note", key: "problem.tooLong", arguments: ["1000"])
        }
        var reports: [String: FigureReport] = [:]
        for grouping in ReportGrouping.allCases {
            reports[grouping.rawValue] = try await report(period, groupedBy: grouping)
        }
        let cards = try await scorecards(period, byAgent: reports[ReportGrouping.agent.rawValue]!)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let signed = ReportSignOff()
        signed.month = text
        signed.report = String(decoding: try encoder.encode(reports), as: UTF8.self)
        signed.scorecards = String(decoding: try encoder.encode(cards), as: UTF8.self)
        signed.signedBy = user.username
        signed.signedByName = user.displayName
        signed.signedAt = now
        signed.note = note
        do {
            try await signed.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Signed at the same moment by someone else: theirs stands.
            throw AppError(.conflict, "report.refuse.signed")
        }
        return signed
    }
}
