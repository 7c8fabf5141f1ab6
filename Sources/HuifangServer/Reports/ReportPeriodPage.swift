import Fluent
import Foundation
import HuifangCore
import Vapor

/// The report page: a period — the last finished month unless another month or any range of days is asked for —
/// its figures against their targets and beside the previous period's, 12-month trends, distributions, the
/// grouping's table with each cell's change, and sign-off at the bottom.
extension ReportPagesController {
    struct FigureLine: Encodable {
        let figure: String
        let name: String
        let text: String
        let counts: String
        let previous: String
        /// `+1.2`, or empty when either period has no value.
        let change: String
        /// The change's direction and whether it is good news: `up good`, `down bad`, `same `.
        let trend: String
        let target: String
        /// met, missed, or empty (no target or nothing to judge).
        let judgement: String
        let drill: String?
    }
    struct GroupLine: Encodable {
        let key: String
        let label: String
        let cells: [Cell]
    }
    struct Cell: Encodable {
        let text: String
        let title: String
        let drill: String?
        var change: String? = nil
        var trend = ""
    }

    /// The period chosen, as the form shows it, with what is wrong with it.
    struct PeriodForm: Encodable {
        let from: String
        let to: String
        let month: String
        let groupings: [SelectOption]
        let groupBy: String
        /// Each wrong field's message, by field (`from`, `to`, `month`, `groupBy`).
        let errors: [String: String]
        /// The same messages naming their fields, for the summary above the form.
        let problems: [String]
        let lastMonthPath: String
        let runningMonthPath: String
    }

    struct ReportPage: Encodable {
        let heading: String
        let label: String
        let form: PeriodForm
        /// Nothing when the period asked for is wrong.
        let view: ReportView?
    }

    struct ReportView: Encodable {
        let previousLabel: String
        let previousPath: String
        let nextLabel: String
        let nextPath: String?
        let groupByName: String
        let signedBy: String?
        let signedAt: String?
        let isRunning: Bool
        let signOff: SignOffBox
        let figures: [FigureLine]
        let trends: [String]
        let heatmap: String
        let distributions: [String]
        let columns: [String]
        let groups: [GroupLine]
        let indicators: [GroupLine]
        let exportPath: String
        let workbookPath: String
        let scorecardsPath: String?
        let generatedAt: String
    }

    /// What the bottom of the report says about signing it off.
    struct SignOffBox: Encodable {
        /// signed, ready, running (the month is not over), notMonth (a range), or empty (not the reader's to sign).
        let state: String
        let month: String
        let path: String
        let from: String
    }

    /// The measures of the grouping's table, in its column order (the workbook's group sheets use the same).
    static let groupMeasures: [Measure] =
        Figure.allCases.compactMap { Measure(rawValue: $0.rawValue) } + [
            .meanScore, .calls,
        ]

    /// The catalogue key of a measure's name.
    static func nameKey(_ measure: Measure) -> String {
        switch measure {
        case .medianWorkingDays: "report.medianDays"
        case .meanScore: "report.meanScore"
        case .netPromoter: "report.nps"
        case .surveysDeclined: "report.surveysDeclined"
        case .calls: "report.calls"
        default: "figure.\(measure.rawValue)"
        }
    }

    /// `/reports?month=2026-10&groupBy=agent` for a month, else with `from` and `to`.
    static func path(_ period: ReportPeriod, _ grouping: ReportGrouping, base: String = "/reports") -> String {
        let range = period.month.map { "month=\($0)" } ?? "from=\(period.from.iso)&to=\(period.to.iso)"
        return "\(base)?\(range)&groupBy=\(grouping.rawValue)"
    }

    @Sendable func report(req: Request) async throws -> Response {
        let today = req.today
        var errors: [NamedFieldError] = []
        let period = errors.collect(
            try ReportPeriod.requested(
                month: req.query[String.self, at: "month"], from: req.query[String.self, at: "from"],
                to: req.query[String.self, at: "to"], today: today))
        let groupText = req.query[String.self, at: "groupBy"] ?? ReportGrouping.agent.rawValue
        let grouping = ReportGrouping(rawValue: groupText).flatMap { $0 == .none ? nil : $0 }
        if grouping == nil {
            let choices = ReportGrouping.allCases.filter { $0 != .none }.map(\.rawValue).joined(separator: ", ")
            errors.append(.init(field: "groupBy", key: "report.problem.groupBy", arguments: [choices]))
        }
        guard errors.isEmpty, let period, let grouping else {
            let form = periodForm(req, period: nil, grouping: grouping ?? .agent, errors: errors)
            let page = ReportPage(heading: req.t("report.heading"), label: "", form: form, view: nil)
            let response = try await req.renderPage("reports/month", titleKey: "report.heading", page)
            response.status = .unprocessableEntity
            return response
        }
        let view = try await reportView(req, period: period, grouping: grouping)
        try await req.domain.audit(
            "report.view", subjectType: "report", subjectID: period.month ?? "\(period.from.iso)..\(period.to.iso)",
            detail: "groupBy=\(grouping.rawValue)")
        let page = ReportPage(
            heading: req.t(period.month == nil ? "report.rangeHeading" : "report.heading"), label: period.label,
            form: periodForm(req, period: period, grouping: grouping, errors: []), view: view)
        return try await req.renderPage(
            "reports/month", titleKey: period.month == nil ? "report.rangeTitle" : "report.title",
            titleArguments: [period.label], page)
    }

    /// The form as asked (the fields as typed when something is wrong), with the quick links.
    private func periodForm(_ req: Request, period: ReportPeriod?, grouping: ReportGrouping, errors: [NamedFieldError])
        -> PeriodForm
    {
        let today = req.today
        let labels = [
            "from": "report.from", "to": "report.to", "month": "report.month", "groupBy": "report.groupByLabel",
        ]
        return PeriodForm(
            from: period?.from.iso ?? req.query[String.self, at: "from"] ?? "",
            to: period?.to.iso ?? req.query[String.self, at: "to"] ?? "",
            month: period.map { $0.month ?? String($0.to.iso.prefix(7)) } ?? req.query[String.self, at: "month"] ?? "",
            groupings: ReportGrouping.allCases.filter { $0 != .none }.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("report.groupBy.\($0.rawValue)"), selected: $0 == grouping)
            },
            groupBy: grouping.rawValue,
            errors: errors.messages(in: req.language),
            problems: errors.map { req.t(labels[$0.field] ?? $0.field) + "：" + $0.message(in: req.language) },
            lastMonthPath: Self.path(.lastFinishedMonth(before: today), grouping),
            runningMonthPath: Self.path(.runningMonth(today), grouping))
    }

    private func reportView(_ req: Request, period: ReportPeriod, grouping: ReportGrouping) async throws
        -> ReportView
    {
        let config = req.application.huifang
        let today = req.today
        let (now, before) = try await req.domain.reports.compared(period, groupedBy: grouping)
        let report = now.report
        let targets = try await FigureTargetRecord.all(on: req.db)
        let drill = Drill(period: period, grouping: grouping)
        let (heatmap, distributions) = Self.charts(req, report)
        let exportQuery = Self.path(period, grouping, base: "")
        return ReportView(
            previousLabel: period.previous.label, previousPath: Self.path(period.previous, grouping),
            nextLabel: period.following.label,
            nextPath: period.to < today ? Self.path(period.following, grouping) : nil,
            groupByName: req.t("report.groupBy.\(grouping.rawValue)"),
            signedBy: now.signedOff?.by, signedAt: now.signedOff.map { config.formatDateTime($0.at) },
            isRunning: !(period.to < today),
            signOff: signOffBox(req, period: period, signed: now.signedOff != nil),
            figures: Self.figureLines(req, report, before: before.report, targets: targets, drill: drill),
            trends: try await trendCharts(req, period: period, report: report, targets: targets),
            heatmap: heatmap, distributions: distributions,
            columns: Self.groupMeasures.map { req.t(Self.nameKey($0)) },
            groups: Self.groupLines(req, report, before: before.report, drill: drill),
            indicators: report.indicators.map(Self.indicatorLine),
            exportPath: "/reports/export.csv" + exportQuery, workbookPath: "/reports/export.xlsx" + exportQuery,
            scorecardsPath: period.month.map { "/reports/scorecards?month=\($0)" },
            generatedAt: config.formatDateTime(req.now))
    }

    private func signOffBox(_ req: Request, period: ReportPeriod, signed: Bool) -> SignOffBox {
        let month = period.month ?? ""
        let canSign = req.auth.get(User.self).map { RouteAccess.reportManagement.roles.contains($0.role) } == true
        let state =
            signed
            ? "signed" : !canSign ? "" : period.month == nil ? "notMonth" : period.to < req.today ? "ready" : "running"
        return SignOffBox(
            state: state, month: month, path: "/reports/signoff?month=\(month)", from: period.to.adding(days: 1).iso)
    }

    /// Links to the rows behind a figure of the period, overall or for one group.
    struct Drill {
        let period: ReportPeriod
        let grouping: ReportGrouping

        func path(_ figure: Figure, key: String? = nil) -> String {
            var path = "/reports/rows?figure=\(figure.rawValue)&from=\(period.from.iso)&to=\(period.to.iso)"
            if let key {
                path +=
                    "&groupBy=\(grouping.rawValue)&key=\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }
            return path
        }
    }

    /// Every measure of the period beside the previous period's, the rates against their targets.
    static func figureLines(
        _ req: Request, _ report: FigureReport, before: FigureReport, targets: [Figure: FigureTarget], drill: Drill
    ) -> [FigureLine] {
        ComparedMeasure.lines(report.overall, before: before.overall).map { line in
            let measure = line.measure
            let change = line.change
            let rate = measure.figure.map { report.overall.rate($0) }
            let target = measure.figure.flatMap { targets[$0] }
            return FigureLine(
                figure: measure.rawValue, name: req.t(nameKey(measure)), text: measure.text(line.value),
                counts: rate.map { "\($0.numerator) / \($0.denominator)" } ?? "",
                previous: measure.text(line.previous), change: change?.text ?? "",
                trend: change.map { "\($0.direction.rawValue) \($0.judgement(higherIsBetter: measure.higherIsBetter))" }
                    ?? "",
                target: target.map { "≥ " + Rate($0.minimumPerMille, of: 1000).text } ?? "",
                judgement: rate.flatMap { target?.isMet(by: $0) }.map { $0 ? "met" : "missed" } ?? "",
                drill: measure.figure.map { drill.path($0) })
        }
    }

    /// One line per group: its figures (linked to their rows when there are any), mean score and calls, each with
    /// its change from the same group's previous period.
    static func groupLines(_ req: Request, _ report: FigureReport, before: FigureReport, drill: Drill) -> [GroupLine] {
        let previous = Dictionary(before.groups.map { ($0.key, $0.figures) }) { first, _ in first }
        return report.groups.map { group in
            GroupLine(
                key: group.key, label: group.label,
                cells: groupMeasures.map { measure in
                    let value = measure.value(in: group.figures)
                    let was = previous[group.key].map { measure.value(in: $0) }
                    let change = was.flatMap { Change(value, since: $0, decimals: measure.decimals) }
                    let rate = measure.figure.map { group.figures.rate($0) }
                    var title = rate.map { "\($0.numerator) / \($0.denominator)" } ?? ""
                    if let was {
                        title += (title.isEmpty ? "" : " · ") + req.t("report.previous") + " " + measure.text(was)
                    }
                    return Cell(
                        text: measure.text(value), title: title,
                        drill: rate.flatMap { $0.denominator > 0 ? drill.path(measure.figure!, key: group.key) : nil },
                        change: change?.text,
                        trend: change.map {
                            "\($0.direction.rawValue) \($0.judgement(higherIsBetter: measure.higherIsBetter))"
                        } ?? "")
                })
        }
    }

    /// Twelve months ending with the period's last: signed-off months from the archive, others counted in one query
    /// per figure; a month shown on the page as the page shows it (stored, when signed off).
    private func trendCharts(
        _ req: Request, period: ReportPeriod, report: FigureReport, targets: [Figure: FigureTarget]
    ) async throws -> [String] {
        let trendFigures: [Figure] = [.completion, .timeliness, .satisfaction, .onTimeHandling]
        var trendPoints: [Figure: [(String, Int?)]] = [:]
        for (figure, points) in try await req.domain.reports.trend(
            ReportPeriod.months(endingWith: period.to, count: 12), figures: trendFigures)
        {
            trendPoints[figure] = points.map { point in
                let rate = point.month == period.month ? report.overall.rate(figure) : point.rate
                return (String(point.month.dropFirst(2)), rate.perMille)
            }
        }
        return trendFigures.map { figure in
            Chart.trend(
                trendPoints[figure] ?? [], target: targets[figure]?.minimumPerMille,
                title: req.t("figure.\(figure.rawValue)") + " · " + req.t("report.trend12"),
                id: "trend-\(figure.rawValue)")
        }
    }

    /// The calls by weekday and hour, and the problems and calls by kind, category, severity and matter.
    private static func charts(_ req: Request, _ report: FigureReport) -> (heatmap: String, distributions: [String]) {
        let weekdays = req.t("report.weekdays").split(separator: ",").map(String.init)
        let heatmap = Chart.heatmap(
            report.calls.grid, weekdays: weekdays, title: req.t("report.heatmap"), id: "heatmap")
        return (
            heatmap,
            [
                Chart.bars(report.problems.byKind, title: req.t("report.byKind"), id: "problems-kind"),
                Chart.bars(report.problems.byCategory, title: req.t("report.byCategory"), id: "problems-category"),
                Chart.bars(report.problems.bySeverity, title: req.t("report.bySeverity"), id: "problems-severity"),
                Chart.bars(
                    Array(report.calls.byMatter.prefix(10)), title: req.t("report.callsByMatter"), id: "calls-matter"),
            ]
        )
    }

    /// One survey indicator's line: satisfaction, answers, mean score, NPS.
    private static func indicatorLine(_ group: ReportGroup) -> GroupLine {
        let rate = group.figures.rate(.satisfaction)
        return GroupLine(
            key: group.key, label: group.label,
            cells: [
                Cell(text: rate.text, title: "\(rate.numerator) / \(rate.denominator)", drill: nil),
                Cell(text: String(rate.denominator), title: "", drill: nil),
                Cell(text: group.figures.meanScore.text, title: "", drill: nil),
                Cell(text: group.figures.netPromoter.score.map(String.init) ?? "—", title: "", drill: nil),
            ])
    }
}
