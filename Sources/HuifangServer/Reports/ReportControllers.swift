import Fluent
import Foundation
import HuifangCore
import Vapor

extension Request {
    /// The period and grouping of a report request, every wrong field named.
    func reportQuery() throws -> (period: ReportPeriod, grouping: ReportGrouping) {
        var errors: [NamedFieldError] = []
        var period: ReportPeriod?
        if let month = query[String.self, at: "month"], query[String.self, at: "from"] == nil {
            period = ReportPeriod(month: month)
            if period == nil { errors.append(.init(field: "month", key: "report.problem.month")) }
        } else {
            period = errors.collect(
                try ReportPeriod.parse(from: query[String.self, at: "from"], to: query[String.self, at: "to"]))
        }
        let groupBy = query[String.self, at: "groupBy"] ?? "none"
        let grouping = ReportGrouping(rawValue: groupBy)
        if grouping == nil {
            errors.append(
                .init(
                    field: "groupBy", key: "report.problem.groupBy",
                    arguments: [ReportGrouping.allCases.map(\.rawValue).joined(separator: ", ")]))
        }
        guard errors.isEmpty, let period, let grouping else { throw NamedFieldErrors(errors: errors) }
        return (period, grouping)
    }

}

/// `GET /api/v1/reports/figures?from=&to=&groupBy=` (also `month=2026-10`, `format=csv`), scorecards,
/// targets and sign-offs.
struct ReportAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("reports").guarded(.reports, .api)
        reports.get("figures", use: figures)
        reports.get("scorecards", use: scorecards)
        reports.get("targets", use: targets)
        reports.get("signoffs", use: signOffs)
        let management = routes.grouped("reports").guarded(.reportManagement, .api)
        management.put("targets", use: saveTargets)
        management.post("signoffs", use: signOff)
    }

    @Sendable func figures(req: Request) async throws -> Response {
        let (period, grouping) = try req.reportQuery()
        let format = req.query[String.self, at: "format"] ?? "json"
        guard ["json", "csv", "xlsx"].contains(format) else {
            throw NamedFieldErrors(errors: [.init(field: "format", key: "report.problem.format")])
        }
        try await req.domain.audit(
            "report.view", subjectType: "report", subjectID: "\(period.from.iso)..\(period.to.iso)",
            detail: "groupBy=\(grouping.rawValue) format=\(format)")
        if format == "xlsx" { return try await ReportWorkbook.response(req, period: period, grouping: grouping) }
        let current = try await req.domain.reports.current(period, groupedBy: grouping)
        switch format {
        case "json":
            return try await ReportOut(current.report, signedOff: current.signedOff).encodeResponse(for: req)
        default:
            return csvResponse(
                ReportCSV.figures(current.report, language: req.language),
                name: "huifang-figures-\(period.from.iso)-\(period.to.iso).csv")
        }
    }

    struct ScorecardsOut: Content {
        let month: String
        let signedOff: ReportOut.SignedOut?
        let scorecards: [Scorecard]
    }

    @Sendable func scorecards(req: Request) async throws -> ScorecardsOut {
        let month = req.query[String.self, at: "month"] ?? ""
        guard let period = ReportPeriod(month: month) else {
            throw NamedFieldErrors(errors: [.init(field: "month", key: "report.problem.month")])
        }
        try await req.domain.audit("report.view", subjectType: "scorecard", subjectID: month)
        let current = try await req.domain.reports.currentScorecards(period, month: month)
        return ScorecardsOut(month: month, signedOff: current.signedOff, scorecards: current.cards)
    }

    struct TargetOut: Content {
        let figure: String
        /// Tenths of a percent.
        let minimumPerMille: Int?
        let pointsPerStep: Int?
        let stepPerMille: Int?
    }

    @Sendable func targets(req: Request) async throws -> [TargetOut] {
        let targets = try await FigureTargetRecord.all(on: req.db)
        return Figure.allCases.map { figure in
            let target = targets[figure]
            return TargetOut(
                figure: figure.rawValue, minimumPerMille: target?.minimumPerMille, pointsPerStep: target?.pointsPerStep,
                stepPerMille: target?.stepPerMille)
        }
    }

    @Sendable func saveTargets(req: Request) async throws -> [TargetOut] {
        let input = try req.content.decode([TargetOut].self)
        try await req.domain.saveTargets(
            input.map { ($0.figure, $0.minimumPerMille, $0.pointsPerStep ?? 1, $0.stepPerMille ?? 50) },
            by: req.auth.get(User.self))
        return try await targets(req: req)
    }

    struct SignOffInput: Content {
        let month: String
        let note: String?
    }

    struct SignOffOut: Content {
        let month: String
        let signedBy: String
        let signedByName: String
        let signedAt: Date
        let note: String
    }

    @Sendable func signOff(req: Request) async throws -> Response {
        let input = try req.content.decode(SignOffInput.self)
        let signed = try await req.domain.signOff(
            month: input.month, note: input.note ?? "", by: try req.auth.require(User.self))
        return try await SignOffOut(
            month: signed.month, signedBy: signed.signedBy, signedByName: signed.signedByName,
            signedAt: signed.signedAt, note: signed.note
        )
        .encodeResponse(status: .created, for: req)
    }

    @Sendable func signOffs(req: Request) async throws -> [SignOffOut] {
        try await ReportSignOff.query(on: req.db).sort(\.$month, .descending).all().map {
            SignOffOut(
                month: $0.month, signedBy: $0.signedBy, signedByName: $0.signedByName, signedAt: $0.signedAt,
                note: $0.note)
        }
    }
}

extension DomainServices {
    /// Saves targets (figure, minimum in tenths of a percent or nil to remove, points per step, step), all or none.
    func saveTargets(
        _ entries: [(figure: String, minimum: Int?, points: Int, step: Int)], by user: User?
    ) async throws {
        var errors: [NamedFieldError] = []
        var targets: [(Figure, FigureTarget?)] = []
        for (index, entry) in entries.enumerated() {
            guard let figure = Figure(rawValue: entry.figure) else {
                errors.append(.init(field: "[\(index)].figure", key: "report.problem.figure"))
                continue
            }
            guard let minimum = entry.minimum else {
                targets.append((figure, nil))
                continue
            }
            if !(0...1000).contains(minimum) {
                errors.append(.init(field: "\(figure.rawValue).minimumPerMille", key: "report.problem.targetRange"))
            }
            if !(0...100).contains(entry.points) {
                errors.append(.init(field: "\(figure.rawValue).pointsPerStep", key: "report.problem.points"))
            }
            if !(1...1000).contains(entry.step) {
                errors.append(.init(field: "\(figure.rawValue).stepPerMille", key: "report.problem.step"))
            }
            targets.append(
                (
                    figure,
                    FigureTarget(
                        figure: figure, minimumPerMille: minimum, pointsPerStep: entry.points, stepPerMille: entry.step)
                ))
        }
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        let username = user?.username ?? "api"
        let chosen = targets
        try await db.transaction { db in
            for (figure, target) in chosen {
                try await FigureTargetRecord.query(on: db).filter(\.$id == figure.rawValue).delete()
                if let target { try await FigureTargetRecord(target, by: username).create(on: db) }
            }
        }
        try await audit(
            "report.targets", subjectType: "report",
            detail: targets.map { "\($0.0.rawValue)=\($0.1.map { String($0.minimumPerMille) } ?? "-")" }.joined(
                separator: " "))
    }

    func signOff(month: String, note: String, by user: User) async throws -> ReportSignOff {
        let signed = try await reports.signOff(
            month: month.trimmingWhitespace(), by: user, note: note.trimmingWhitespace(), today: today, at: now)
        try await audit("report.signoff", subjectType: "report", subjectID: signed.month)
        return signed
    }
}
