import Fluent
import Foundation
import HuifangCore
import Vapor

/// The report page of a month or any period (`ReportPeriodPage.swift`), drill-down to the rows behind a figure,
/// exports (the workbook in `ReportWorkbook.swift`), targets, scorecards, sign-off with its confirmation
/// (`ReportSignOffPage.swift`) and the archive.
struct ReportPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("reports").guarded(.reports, .page)
        reports.get(use: report)
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
        management.get("signoff", use: confirmSignOff)
        management.post("signoff", use: signOff)
    }

    /// The figures shown on the report, in order.
    static let shown: [Figure] = [
        .completion, .coverage, .timeliness, .satisfaction, .onTimeHandling, .resolution, .firstContactResolution,
        .complaintSuccess, .suggestionAdoption,
    ]

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
            back: Self.path(period, grouping == .none ? .agent : grouping),
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
        let (figure, period, rows) = try await exportedRows(req)
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
        return csvResponse(
            try await offTheEventLoop { [lines] in ReportCSV.encode(lines) },
            name: "huifang-\(figure.rawValue)-\(period.from.iso)-\(period.to.iso).csv")
    }

    /// The rows as the page lists them, under the page's headings in the reader's language.
    @Sendable func exportRowsWorkbook(req: Request) async throws -> Response {
        let (figure, period, rows) = try await exportedRows(req)
        let config = req.application.huifang
        let isTicket = [.onTimeHandling, .resolution, .firstContactResolution, .complaintSuccess, .suggestionAdoption]
            .contains(figure)
        let header = [
            "report.id", "report.customerID", "report.customer", isTicket ? "report.handler" : "report.agent",
            "report.status", "report.detail", "report.when", "report.due", "report.counted",
        ].map { XLSXWriter.Cell.text(req.t($0)) }
        var lines = [header]
        for row in rows {
            lines.append(
                [.number(row.id), row.customer_id.map(XLSXWriter.Cell.number) ?? .text("")]
                    + [
                        row.customer ?? "", row.who ?? "", statusText(req, figure: figure, row.status ?? ""),
                        detailText(req, figure: figure, row.detail ?? ""),
                        row.at.map { config.formatDateTime($0) } ?? "",
                        row.due.map { config.formatDateTime($0) } ?? "",
                        req.t(row.counted == 1 ? "common.yes" : "common.no"),
                    ].map(XLSXWriter.Cell.text))
        }
        let name = req.t("figure.\(figure.rawValue)") + " " + req.t("report.sheet.rows")
        let workbook = try await offTheEventLoop { [lines] in
            try XLSXWriter.workbook([XLSXWriter.Sheet(name: name, rows: lines)])
        }
        return xlsxResponse(workbook, name: "huifang-\(figure.rawValue)-\(period.from.iso)-\(period.to.iso).xlsx")
    }

    /// The rows behind a figure for an export, audited.
    private func exportedRows(_ req: Request) async throws -> (Figure, ReportPeriod, [ReportQueries.DetailRow]) {
        let (figure, period, grouping, key) = try rowQuery(req)
        let limit = 200_000
        let rows = try await detailRows(req, figure, period, grouping, key, limit: limit)
        try await req.domain.audit(
            "report.export", subjectType: "report", subjectID: figure.rawValue,
            detail:
                "rows \(period.from.iso)..\(period.to.iso) groupBy=\(grouping.rawValue) key=\(key ?? "") count=\(rows.count)"
        )
        return (figure, period, rows)
    }

    @Sendable func exportFigures(req: Request) async throws -> Response {
        let (period, grouping) = try req.reportQuery()
        let current = try await req.domain.reports.current(period, groupedBy: grouping)
        try await req.domain.audit(
            "report.export", subjectType: "report", subjectID: "\(period.from.iso)..\(period.to.iso)",
            detail: "groupBy=\(grouping.rawValue) format=csv")
        return csvResponse(
            ReportCSV.figures(current.report, language: req.language, for: .person),
            name: "huifang-figures-\(period.from.iso)-\(period.to.iso).csv")
    }

    @Sendable func exportFiguresWorkbook(req: Request) async throws -> Response {
        let (period, grouping) = try req.reportQuery()
        try await req.domain.audit(
            "report.export", subjectType: "report", subjectID: "\(period.from.iso)..\(period.to.iso)",
            detail: "groupBy=\(grouping.rawValue) format=xlsx")
        return try await ReportWorkbook.response(req, period: period, grouping: grouping)
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
        let monthText = req.query[String.self, at: "month"] ?? ReportPeriod.lastFinishedMonth(before: today).label
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
        guard (1...2).contains(parts.count), parts[0].count <= 6, let whole = Int(parts[0]), whole >= 0 else {
            return nil
        }
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
}
