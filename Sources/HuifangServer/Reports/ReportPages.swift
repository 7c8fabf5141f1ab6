import Fluent
import Foundation
import HuifangCore
import Vapor

/// The monthly report page (figures against targets, 12-month trends, distributions, the call heatmap),
/// drill-down to the rows behind a figure, exports, targets, scorecards, sign-off and the archive.
struct ReportPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("reports").guarded(.reports, .page)
        reports.get(use: month)
        reports.get("rows", use: rows)
        reports.get("export.csv", use: exportFigures)
        reports.get("rows.csv", use: exportRows)
        reports.get("export.xlsx", use: exportFiguresWorkbook)
        reports.get("rows.xlsx", use: exportRowsWorkbook)
        reports.get("scorecards", use: scorecards)
        reports.get("archive", use: archive)
        let management = routes.grouped("reports").guarded(.reportManagement, .page)
        management.get("targets", use: targets)
        management.post("targets", use: saveTargets)
        management.post("signoff", use: signOff)
    }

    /// The figures shown on the report, in order.
    static let shown: [Figure] = [
        .completion, .coverage, .timeliness, .satisfaction, .onTimeHandling, .resolution, .firstContactResolution,
        .complaintSuccess, .suggestionAdoption,
    ]

    struct FigureLine: Encodable {
        let figure: String
        let name: String
        let text: String
        let counts: String
        let target: String
        /// met, missed, or empty (no target or nothing to judge).
        let judgement: String
        let drill: String
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
    }
    struct MonthPage: Encodable {
        let month: String
        let previous: String
        let next: String?
        let groupings: [SelectOption]
        let groupBy: String
        let groupByName: String
        let signedBy: String?
        let signedAt: String?
        let canSign: Bool
        let monthOver: Bool
        let figures: [FigureLine]
        let median: String
        let mean: String
        let nps: String
        let calls: Int
        let surveysDeclined: Int
        let trends: [String]
        let heatmap: String
        let distributions: [String]
        let columns: [String]
        let groups: [GroupLine]
        let indicators: [GroupLine]
        let exportPath: String
        let workbookPath: String
        let generatedAt: String
    }

    @Sendable func month(req: Request) async throws -> Response {
        let config = req.application.huifang
        let today = req.today
        let monthText = req.query[String.self, at: "month"] ?? String(today.iso.prefix(7))
        guard let period = ReportPeriod(month: monthText) else { throw AppError(.badRequest, "report.problem.month") }
        let groupText = req.query[String.self, at: "groupBy"] ?? ReportGrouping.agent.rawValue
        guard let grouping = ReportGrouping(rawValue: groupText), grouping != .none else {
            throw AppError(.badRequest, "report.problem.groupBy", [groupText])
        }
        let service = req.domain.reports
        let current = try await service.current(period, groupedBy: grouping)
        let report = current.report
        let targets = try await FigureTargetRecord.all(on: req.db)
        try await req.domain.audit(
            "report.view", subjectType: "report", subjectID: monthText, detail: "groupBy=\(grouping.rawValue)")

        let drill = Drill(period: period, grouping: grouping)
        let figures = Self.figureLines(req, report, targets: targets, drill: drill)
        let trends = try await trendCharts(req, period: period, report: report, targets: targets)
        let (heatmap, distributions) = Self.charts(req, report)
        let groups = Self.groupLines(report, drill: drill)
        let indicators = report.indicators.map(Self.indicatorLine)
        let user = req.auth.get(User.self)
        let monthOver = period.to < today
        let page = MonthPage(
            month: monthText, previous: String(period.from.addingMonths(-1).iso.prefix(7)),
            next: period.to < today ? String(period.from.addingMonths(1).iso.prefix(7)) : nil,
            groupings: ReportGrouping.allCases.filter { $0 != .none }.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("report.groupBy.\($0.rawValue)"), selected: $0 == grouping)
            },
            groupBy: grouping.rawValue,
            groupByName: req.t("report.groupBy.\(grouping.rawValue)"),
            signedBy: current.signedOff?.by, signedAt: current.signedOff.map { config.formatDateTime($0.at) },
            canSign: current.signedOff == nil && monthOver
                && user.map { RouteAccess.reportManagement.roles.contains($0.role) } == true,
            monthOver: monthOver,
            figures: figures,
            median: report.overall.medianWorkingDays.map { req.t("report.workingDays", String($0)) } ?? "—",
            mean: report.overall.meanScore.text, nps: report.overall.netPromoter.score.map(String.init) ?? "—",
            calls: report.calls.total,
            surveysDeclined: report.overall.surveysDeclined,
            trends: trends, heatmap: heatmap, distributions: distributions,
            columns: Self.shown.map { req.t("figure.\($0.rawValue)") } + [
                req.t("report.meanScore"), req.t("report.calls"),
            ],
            groups: groups, indicators: indicators,
            exportPath: "/reports/export.csv?month=\(monthText)&groupBy=\(grouping.rawValue)",
            workbookPath: "/reports/export.xlsx?month=\(monthText)&groupBy=\(grouping.rawValue)",
            generatedAt: config.formatDateTime(req.now))
        return try await req.renderPage("reports/month", titleKey: "report.title", titleArguments: [monthText], page)
    }

    /// Links to the rows behind a figure of the month, overall or for one group.
    private struct Drill {
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

    /// The month's figures, each against its target.
    private static func figureLines(
        _ req: Request, _ report: FigureReport, targets: [Figure: FigureTarget], drill: Drill
    ) -> [FigureLine] {
        shown.map { figure -> FigureLine in
            let rate = report.overall.rate(figure)
            let target = targets[figure]
            let met = target?.isMet(by: rate)
            return FigureLine(
                figure: figure.rawValue, name: req.t("figure.\(figure.rawValue)"), text: rate.text,
                counts: "\(rate.numerator) / \(rate.denominator)",
                target: target.map { "≥ " + Rate($0.minimumPerMille, of: 1000).text } ?? "",
                judgement: met.map { $0 ? "met" : "missed" } ?? "", drill: drill.path(figure))
        }
    }

    /// One line per group: its figures (linked to their rows when there are any), mean score and calls.
    private static func groupLines(_ report: FigureReport, drill: Drill) -> [GroupLine] {
        report.groups.map { group in
            GroupLine(
                key: group.key, label: group.label,
                cells: shown.map { figure in
                    let rate = group.figures.rate(figure)
                    return Cell(
                        text: rate.text, title: "\(rate.numerator) / \(rate.denominator)",
                        drill: rate.denominator > 0 ? drill.path(figure, key: group.key) : nil)
                } + [
                    Cell(text: group.figures.meanScore.text, title: "", drill: nil),
                    Cell(text: String(group.figures.calls), title: "", drill: nil),
                ])
        }
    }

    /// Twelve months ending with this one: signed-off months from the archive, others counted in one query per
    /// figure; this month as the page shows it (stored, when signed off).
    private func trendCharts(
        _ req: Request, period: ReportPeriod, report: FigureReport, targets: [Figure: FigureTarget]
    ) async throws -> [String] {
        let trendFigures: [Figure] = [.completion, .timeliness, .satisfaction, .onTimeHandling]
        let monthText = String(period.from.iso.prefix(7))
        var trendPoints: [Figure: [(String, Int?)]] = [:]
        for (figure, points) in try await req.domain.reports.trend(
            ReportPeriod.months(endingWith: period.from, count: 12), figures: trendFigures)
        {
            trendPoints[figure] = points.map { point in
                let rate = point.month == monthText ? report.overall.rate(figure) : point.rate
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

    struct RowsPage: Encodable {
        let figureName: String
        let from: String
        let to: String
        let groupLabel: String?
        let rows: [RowLine]
        let truncated: Bool
        let limit: Int
        let exportPath: String
        let workbookPath: String
        let back: String
        let isTicket: Bool
    }
    struct RowLine: Encodable {
        let id: Int
        let link: String?
        let customer: String
        let customerLink: String?
        let who: String
        let status: String
        let detail: String
        let at: String
        let due: String
        let counted: Bool
    }

    /// Which rows, from the query: figure, period, and optionally a group.
    private func rowQuery(_ req: Request) throws -> (Figure, ReportPeriod, ReportGrouping, String?) {
        let (period, grouping) = try req.reportQuery()
        guard let figure = Figure(rawValue: req.query[String.self, at: "figure"] ?? "") else {
            throw NamedFieldErrors(errors: [.init(field: "figure", key: "report.problem.figure")])
        }
        return (figure, period, grouping, grouping == .none ? nil : req.query[String.self, at: "key"] ?? "")
    }

    private func detailRows(
        _ req: Request, _ figure: Figure, _ period: ReportPeriod, _ grouping: ReportGrouping, _ key: String?, limit: Int
    ) async throws -> [ReportQueries.DetailRow] {
        let calendar = try await req.domain.calendars.defaultBusiness()
        return try await ReportQueries(db: req.domain.db, period: period, calendar: calendar, grouping: grouping)
            .rows(
                figure, groupKey: key, limit: limit)
    }

    @Sendable func rows(req: Request) async throws -> Response {
        let (figure, period, grouping, key) = try rowQuery(req)
        let limit = 500
        let rows = try await detailRows(req, figure, period, grouping, key, limit: limit + 1)
        try await req.domain.audit(
            "report.rows", subjectType: "report", subjectID: figure.rawValue,
            detail:
                "\(period.from.iso)..\(period.to.iso) groupBy=\(grouping.rawValue) key=\(key ?? "") count=\(min(rows.count, limit))"
        )
        let config = req.application.huifang
        let isTicket = [.onTimeHandling, .resolution, .firstContactResolution, .complaintSuccess, .suggestionAdoption]
            .contains(figure)
        let isTask = [.completion, .timeliness].contains(figure)
        let lines = rows.prefix(limit).map { row in
            RowLine(
                id: row.id, link: isTicket ? "/tickets/\(row.id)" : isTask ? "/tasks/\(row.id)" : nil,
                customer: row.customer ?? "—", customerLink: row.customer_id.map { "/customers/\($0)" },
                who: row.who ?? "—", status: statusText(req, figure: figure, row.status ?? ""),
                detail: detailText(req, figure: figure, row.detail ?? ""),
                at: row.at.map { config.formatDateTime($0) } ?? "",
                due: row.due.map { config.formatDateTime($0) } ?? "", counted: row.counted == 1)
        }
        var query = "figure=\(figure.rawValue)&from=\(period.from.iso)&to=\(period.to.iso)&groupBy=\(grouping.rawValue)"
        if let key { query += "&key=\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        let page = RowsPage(
            figureName: req.t("figure.\(figure.rawValue)"), from: period.from.iso, to: period.to.iso,
            groupLabel: key.map { $0.isEmpty ? req.t("report.none") : $0 }, rows: Array(lines),
            truncated: rows.count > limit, limit: limit,
            exportPath: "/reports/rows.csv?" + query, workbookPath: "/reports/rows.xlsx?" + query,
            back:
                "/reports?month=\(period.from.iso.prefix(7))&groupBy=\(grouping == .none ? "agent" : grouping.rawValue)",
            isTicket: isTicket)
        return try await req.renderPage(
            "reports/rows", titleKey: "report.rowsTitle", titleArguments: [page.figureName], page)
    }

    private func statusText(_ req: Request, figure: Figure, _ raw: String) -> String {
        if figure == .satisfaction { return raw }
        for prefix in ["ticket.status.", "outcome.", "status."] where Catalogue.contains(prefix + raw) {
            return req.t(prefix + raw)
        }
        return raw
    }

    private func detailText(_ req: Request, figure: Figure, _ raw: String) -> String {
        for prefix in ["ticket.kind.", "channel."] where Catalogue.contains(prefix + raw) { return req.t(prefix + raw) }
        return raw
    }

    @Sendable func exportRows(req: Request) async throws -> Response {
        let (figure, period, _, _) = try rowQuery(req)
        let lines = try await rowLines(req)
        return csvResponse(
            try await offTheEventLoop { ReportCSV.encode(lines) },
            name: "huifang-\(figure.rawValue)-\(period.from.iso)-\(period.to.iso).csv")
    }

    @Sendable func exportRowsWorkbook(req: Request) async throws -> Response {
        let (figure, period, _, _) = try rowQuery(req)
        let name = req.t("figure.\(figure.rawValue)")
        let lines = try await rowLines(req)
        let workbook = try await offTheEventLoop {
            XLSXWriter.workbook([XLSXWriter.Sheet(name: name, rows: lines.map(XLSXWriter.row))])
        }
        return xlsxResponse(workbook, name: "huifang-\(figure.rawValue)-\(period.from.iso)-\(period.to.iso).xlsx")
    }

    /// The rows behind a figure for an export (audited), a header line first.
    private func rowLines(_ req: Request) async throws -> [[String]] {
        let (figure, period, grouping, key) = try rowQuery(req)
        let limit = 200_000
        let rows = try await detailRows(req, figure, period, grouping, key, limit: limit)
        try await req.domain.audit(
            "report.export", subjectType: "report", subjectID: figure.rawValue,
            detail:
                "rows \(period.from.iso)..\(period.to.iso) groupBy=\(grouping.rawValue) key=\(key ?? "") count=\(rows.count)"
        )
        let config = req.application.huifang
        var lines = [["id", "customer_id", "customer", "agent", "status", "detail", "at", "due", "counted"]]
        for row in rows {
            lines.append([
                String(row.id), row.customer_id.map(String.init) ?? "", row.customer ?? "", row.who ?? "",
                row.status ?? "", row.detail ?? "",
                row.at.map { config.formatDateTime($0) } ?? "", row.due.map { config.formatDateTime($0) } ?? "",
                row.counted == 1 ? "1" : "0",
            ])
        }
        return lines
    }

    @Sendable func exportFigures(req: Request) async throws -> Response {
        let (period, grouping) = try req.reportQuery()
        let current = try await req.domain.reports.current(period, groupedBy: grouping)
        try await req.domain.audit(
            "report.export", subjectType: "report", subjectID: "\(period.from.iso)..\(period.to.iso)",
            detail: "groupBy=\(grouping.rawValue) format=csv")
        return csvResponse(
            ReportCSV.figures(current.report, language: req.language),
            name: "huifang-figures-\(period.from.iso)-\(period.to.iso).csv")
    }

    @Sendable func exportFiguresWorkbook(req: Request) async throws -> Response {
        let (period, grouping) = try req.reportQuery()
        let current = try await req.domain.reports.current(period, groupedBy: grouping)
        try await req.domain.audit(
            "report.export", subjectType: "report", subjectID: "\(period.from.iso)..\(period.to.iso)",
            detail: "groupBy=\(grouping.rawValue) format=xlsx")
        return xlsxResponse(
            ReportCSV.workbook(current.report, language: req.language),
            name: "huifang-figures-\(period.from.iso)-\(period.to.iso).xlsx")
    }

    struct ScorecardPage: Encodable {
        let month: String
        let signedBy: String?
        let figures: [String]
        let cards: [CardLine]
    }
    struct CardLine: Encodable {
        let agent: String
        let name: String
        let cells: [Cell]
        let spot: String
        let spotCount: Int
        let spotFailed: Int
        let deduction: Int
    }

    @Sendable func scorecards(req: Request) async throws -> Response {
        let today = req.today
        let monthText = req.query[String.self, at: "month"] ?? String(today.iso.prefix(7))
        guard let period = ReportPeriod(month: monthText) else { throw AppError(.badRequest, "report.problem.month") }
        try await req.domain.audit("report.view", subjectType: "scorecard", subjectID: monthText)
        let (cards, signedOff) = try await req.domain.reports.currentScorecards(period, month: monthText)
        let page = ScorecardPage(
            month: monthText, signedBy: signedOff?.by,
            figures: Scorecard.agentFigures.map { req.t("figure.\($0.rawValue)") },
            cards: cards.map { card in
                CardLine(
                    agent: card.agent, name: card.agentName,
                    cells: card.lines.map { line in
                        Cell(
                            text: line.rate.text,
                            title: line.minimumPerMille.map {
                                "≥ " + Rate($0, of: 1000).text + (line.deduction > 0 ? " · −\(line.deduction)" : "")
                            } ?? "",
                            drill: line.met.map { $0 ? "met" : "missed" })
                    }, spot: card.spotChecks.rate.text, spotCount: card.spotChecks.reviewed,
                    spotFailed: card.spotChecks.failed, deduction: card.totalDeduction)
            })
        return try await req.renderPage(
            "reports/scorecards", titleKey: "report.scorecardsTitle", titleArguments: [monthText], page)
    }

    struct ArchivePage: Encodable {
        struct Line: Encodable {
            let month: String
            let by: String
            let at: String
            let note: String
        }
        let lines: [Line]
    }

    @Sendable func archive(req: Request) async throws -> Response {
        let config = req.application.huifang
        let lines = try await ReportSignOff.query(on: req.db).sort(\.$month, .descending).all().map {
            ArchivePage.Line(
                month: $0.month, by: "\($0.signedByName)（\($0.signedBy)）", at: config.formatDateTime($0.signedAt),
                note: $0.note)
        }
        return try await req.renderPage("reports/archive", titleKey: "report.archive", ArchivePage(lines: lines))
    }

    struct TargetsPage: Encodable {
        struct Line: Encodable {
            let figure: String
            let name: String
            let minimum: String
            let points: Int
            let step: String
        }
        let lines: [Line]
    }

    @Sendable func targets(req: Request) async throws -> Response {
        let targets = try await FigureTargetRecord.all(on: req.db)
        let lines = Self.shown.map { figure in
            let target = targets[figure]
            return TargetsPage.Line(
                figure: figure.rawValue, name: req.t("figure.\(figure.rawValue)"),
                minimum: target.map { Self.percent($0.minimumPerMille) } ?? "", points: target?.pointsPerStep ?? 1,
                step: Self.percent(target?.stepPerMille ?? 50))
        }
        return try await req.renderPage("reports/targets", titleKey: "report.targets", TargetsPage(lines: lines))
    }

    /// `95` or `95.5` for tenths of a percent.
    static func percent(_ perMille: Int) -> String {
        perMille % 10 == 0 ? String(perMille / 10) : "\(perMille / 10).\(perMille % 10)"
    }

    /// Reads `95` or `95.5` (percent) as tenths of a percent; nil when not such a number.
    static func perMille(_ text: String) -> Int? {
        let parts = text.trimmingWhitespace().replacingOccurrences(of: "%", with: "").split(
            separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0 else { return nil }
        if parts.count == 1 { return whole * 10 }
        guard parts[1].count == 1, let tenth = Int(parts[1]) else { return nil }
        return whole * 10 + tenth
    }

    @Sendable func saveTargets(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await req.change(back: "/reports/targets") {
            var entries: [(String, Int?, Int, Int)] = []
            var errors: [NamedFieldError] = []
            for figure in Self.shown {
                let minimumText = form["\(figure.rawValue).minimum"]?.trimmingWhitespace() ?? ""
                let minimum = minimumText.isEmpty ? nil : Self.perMille(minimumText)
                if !minimumText.isEmpty, minimum == nil {
                    errors.append(.init(field: req.t("figure.\(figure.rawValue)"), key: "report.problem.targetRange"))
                }
                let points = Int(form["\(figure.rawValue).points"]?.trimmingWhitespace() ?? "1")
                if points == nil {
                    errors.append(.init(field: req.t("figure.\(figure.rawValue)"), key: "report.problem.points"))
                }
                let step = Self.perMille(form["\(figure.rawValue).step"] ?? "5")
                if step == nil {
                    errors.append(.init(field: req.t("figure.\(figure.rawValue)"), key: "report.problem.step"))
                }
                entries.append((figure.rawValue, minimum, points ?? 1, step ?? 50))
            }
            guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
            try await req.domain.saveTargets(entries, by: req.auth.get(User.self))
        }
    }

    @Sendable func signOff(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let month = form["month"] ?? ""
        return try await req.change(
            back:
                "/reports?month=\(month.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? "")",
            savedKey: "report.signed"
        ) {
            _ = try await req.domain.signOff(
                month: month, note: form["note"] ?? "", by: try req.auth.require(User.self))
        }
    }
}
