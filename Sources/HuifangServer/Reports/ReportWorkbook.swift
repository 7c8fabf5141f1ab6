import Foundation
import HuifangCore
import Vapor

/// The report as a manager would lay it out in Excel, in the reader's language: an overview of every figure beside
/// the previous period's with the change and the target (as the page's figures table), then one sheet per grouping
/// — by agent, department, rule, tier, channel, ticket kind — each the page's wide table, then satisfaction per
/// indicator, the calls by weekday and hour, problems and call matters, and a sheet saying what the file holds.
/// Rates are numbers with a `0.0%` format, counts are numbers; the figures are those the page shows.
struct ReportWorkbook: Sendable {
    let language: Language
    let period: ReportPeriod
    let now: FigureReport
    let before: FigureReport
    /// The report under each grouping of `sheetGroupings`, in that order.
    let grouped: [FigureReport]
    let targets: [Figure: FigureTarget]
    /// Who signed the period off and when, as text; nil when it is computed.
    let signed: String?
    let generatedAt: String

    /// The groupings that get a sheet of their own (satisfaction per indicator has its own sheet).
    static let sheetGroupings: [ReportGrouping] = [.agent, .department, .rule, .tier, .channel, .kind]

    /// The period beside the previous one under `grouping` (as the page with that grouping shows them), and the
    /// period under every grouping of `sheetGroupings`.
    static func make(
        _ service: ReportService, period: ReportPeriod, grouping: ReportGrouping, targets: [Figure: FigureTarget],
        generatedAt: String, formatDateTime: (Date) -> String
    ) async throws -> ReportWorkbook {
        let (now, before) = try await service.compared(period, groupedBy: grouping)
        var grouped: [FigureReport] = []
        for sheet in sheetGroupings {
            grouped.append(sheet == grouping ? now.report : try await service.current(period, groupedBy: sheet).report)
        }
        return ReportWorkbook(
            language: service.language, period: period, now: now.report, before: before.report, grouped: grouped,
            targets: targets, signed: now.signedOff.map { "\($0.by) · \(formatDateTime($0.at))" },
            generatedAt: generatedAt)
    }

    private func t(_ key: String, _ arguments: String...) -> String { Catalogue.text(key, language, arguments) }

    var sheets: [XLSXWriter.Sheet] {
        [XLSXWriter.Sheet(name: t("report.sheet.overview"), rows: overview)]
            + zip(Self.sheetGroupings, grouped).map { grouping, report in
                XLSXWriter.Sheet(
                    name: t("report.byGroup", t("report.groupBy.\(grouping.rawValue)")),
                    rows: groupRows(grouping, report), frozenColumns: 1)
            } + [
                XLSXWriter.Sheet(name: t("report.indicators"), rows: indicators, frozenColumns: 1),
                XLSXWriter.Sheet(name: t("report.heatmap"), rows: heatmap, frozenColumns: 1),
                XLSXWriter.Sheet(name: t("report.sheet.problems"), rows: problems),
                XLSXWriter.Sheet(name: t("report.sheet.about"), rows: about),
            ]
    }

    func bytes() throws -> [UInt8] { try XLSXWriter.workbook(sheets) }

    /// A measure's value as a cell: a rate as a share, the mean score with two decimals, else a whole number;
    /// `—` when there is none.
    static func cell(_ measure: Measure, _ set: FigureSet) -> XLSXWriter.Cell {
        if let figure = measure.figure { return .percent(set.rate(figure)) }
        guard let value = measure.value(in: set) else { return .text("—") }
        return measure.decimals == 0 ? .number(value) : .scaled(value, decimals: measure.decimals, signed: false)
    }

    private var overview: [[XLSXWriter.Cell]] {
        let header = [
            t("report.figure"), t("report.current"), t("report.numerator"), t("report.denominator"),
            t("report.previousOf", period.previous.label), t("report.change"), t("report.target"),
            t("report.targetMet"),
        ]
        return [header.map(XLSXWriter.Cell.text)]
            + ComparedMeasure.lines(now.overall, before: before.overall).map { line in
                let measure = line.measure
                var row: [XLSXWriter.Cell] = [.text(t(ReportPagesController.nameKey(measure)))]
                row.append(Self.cell(measure, now.overall))
                let rate = measure.figure.map { now.overall.rate($0) }
                row += rate.map { [.number($0.numerator), .number($0.denominator)] } ?? [.text(""), .text("")]
                row.append(Self.cell(measure, before.overall))
                row.append(
                    line.change.map { .scaled($0.difference, decimals: $0.decimals, signed: true) } ?? .text(""))
                if let figure = measure.figure, let target = targets[figure] {
                    row.append(.percent(Rate(target.minimumPerMille, of: 1000)))
                    let met = target.isMet(by: now.overall.rate(figure))
                    row.append(.text(met.map { t($0 ? "report.met" : "report.missed") } ?? ""))
                }
                return row
            }
    }

    /// The page's wide table: one row per group, the group's name, then the same columns.
    private func groupRows(_ grouping: ReportGrouping, _ report: FigureReport) -> [[XLSXWriter.Cell]] {
        let measures = ReportPagesController.groupMeasures
        let header = [t("report.groupBy.\(grouping.rawValue)")] + measures.map { t(ReportPagesController.nameKey($0)) }
        return [header.map(XLSXWriter.Cell.text)]
            + report.groups.map { group in
                [.text(group.label)] + measures.map { Self.cell($0, group.figures) }
            }
    }

    private var indicators: [[XLSXWriter.Cell]] {
        let header = [
            t("report.indicator"), t("figure.satisfaction"), t("report.answers"), t("report.meanScore"), "NPS",
        ]
        return [header.map(XLSXWriter.Cell.text)]
            + now.indicators.map { group in
                let rate = group.figures.rate(.satisfaction)
                return [
                    .text(group.label), .percent(rate), .number(rate.denominator),
                    Self.cell(.meanScore, group.figures), Self.cell(.netPromoter, group.figures),
                ]
            }
    }

    private var heatmap: [[XLSXWriter.Cell]] {
        let weekdays = t("report.weekdays").split(separator: ",").map(String.init)
        let header = [t("report.weekday")] + (0..<24).map { String(format: "%02d", $0) }
        return [header.map(XLSXWriter.Cell.text)]
            + now.calls.grid.enumerated().map { index, hours in
                [.text(weekdays[index])] + hours.map(XLSXWriter.Cell.number)
            }
    }

    private var problems: [[XLSXWriter.Cell]] {
        var rows: [[XLSXWriter.Cell]] = [
            [t("report.dimension"), t("report.name"), t("report.count")].map { .text($0) }
        ]
        for (key, counts) in [
            ("report.byKind", now.problems.byKind), ("report.byCategory", now.problems.byCategory),
            ("report.bySeverity", now.problems.bySeverity), ("report.callsByMatter", now.calls.byMatter),
        ] {
            rows += counts.map {
                [.text(t(key)), .text($0.label.isEmpty ? t("report.none") : $0.label), .number($0.count)]
            }
        }
        return rows
    }

    private var about: [[XLSXWriter.Cell]] {
        [
            [t("report.item"), t("report.content")],
            [t("report.period"), "\(period.from.iso) – \(period.to.iso)"],
            [t("report.previousPeriod"), "\(period.previous.from.iso) – \(period.previous.to.iso)"],
            [t("report.signOffHeading"), signed ?? t("report.notSigned")],
            [t("report.generatedAt"), generatedAt],
            [t("report.change"), t("report.changeHint")],
        ].map { $0.map(XLSXWriter.Cell.text) }
    }
}

extension ReportWorkbook {
    /// The workbook of a period to download, in the reader's language.
    static func response(_ req: Request, period: ReportPeriod, grouping: ReportGrouping) async throws -> Response {
        let config = req.application.huifang
        let workbook = try await make(
            req.domain.reports, period: period, grouping: grouping,
            targets: try await FigureTargetRecord.all(on: req.db),
            generatedAt: config.formatDateTime(req.now), formatDateTime: { config.formatDateTime($0) })
        let bytes = try await offTheEventLoop { try workbook.bytes() }
        return xlsxResponse(bytes, name: "huifang-figures-\(period.from.iso)-\(period.to.iso).xlsx")
    }
}
