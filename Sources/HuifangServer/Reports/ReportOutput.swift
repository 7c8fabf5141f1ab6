import Fluent
import Foundation
import HuifangCore
import Vapor

/// A rate as the API, the command line and the exports give it: both counts, tenths of a percent, and the text.
struct RateOut: Content, Equatable {
    let numerator: Int
    let denominator: Int
    /// Tenths of a percent (952 is 95.2 %); null when there is nothing to divide by.
    let perMille: Int?
    /// `95.2%`, or `—`.
    let text: String

    init(_ rate: Rate) {
        numerator = rate.numerator
        denominator = rate.denominator
        perMille = rate.perMille
        text = rate.text
    }
}

struct FiguresOut: Content, Equatable {
    /// Every rate by its figure's name (`completion`, `coverage`, …).
    let rates: [String: RateOut]
    let medianWorkingDays: Int?
    /// Mean of the 1–5 answers, `4.25`; null without any.
    let meanScore: String?
    let nps: Int?
    let npsAnswers: Int
    let calls: Int
    /// Completed follow-ups whose customer declined the survey.
    let surveysDeclined: Int

    init(_ set: FigureSet) {
        rates = Dictionary(uniqueKeysWithValues: Figure.allCases.map { ($0.rawValue, RateOut(set.rate($0))) })
        medianWorkingDays = set.medianWorkingDays
        meanScore = set.meanScore.count > 0 ? set.meanScore.text : nil
        nps = set.netPromoter.score
        npsAnswers = set.netPromoter.total
        calls = set.calls
        surveysDeclined = set.surveysDeclined
    }
}

struct GroupOut: Content, Equatable {
    let key: String
    let label: String
    let figures: FiguresOut
}

/// `GET /api/v1/reports/figures` and `huifang report --format json`.
struct ReportOut: Content, Equatable {
    let from: String
    let to: String
    let groupBy: String
    let overall: FiguresOut
    let groups: [GroupOut]
    let indicators: [GroupOut]
    let calls: CallsOut
    let problems: ProblemsOut
    /// Set when the month is signed off: the figures are the ones stored then.
    let signedOff: SignedOut?

    struct CallsOut: Content, Equatable {
        let total: Int
        let byHour: [Int]
        /// Monday first.
        let byWeekday: [Int]
        /// `[weekday][hour]`, Monday first.
        let grid: [[Int]]
        let byMatter: [NamedCount]
    }
    struct ProblemsOut: Content, Equatable {
        let byKind: [NamedCount]
        let byCategory: [NamedCount]
        let bySeverity: [NamedCount]
    }
    struct SignedOut: Content, Equatable {
        let by: String
        let at: Date
    }

    init(_ report: FigureReport, signedOff: SignedOut? = nil) {
        from = report.period.from.iso
        to = report.period.to.iso
        groupBy = report.grouping.rawValue
        overall = FiguresOut(report.overall)
        groups = report.groups.map { GroupOut(key: $0.key, label: $0.label, figures: FiguresOut($0.figures)) }
        indicators = report.indicators.map { GroupOut(key: $0.key, label: $0.label, figures: FiguresOut($0.figures)) }
        calls = CallsOut(
            total: report.calls.total, byHour: report.calls.byHour, byWeekday: report.calls.byWeekday,
            grid: report.calls.grid,
            byMatter: report.calls.byMatter)
        problems = ProblemsOut(
            byKind: report.problems.byKind, byCategory: report.problems.byCategory,
            bySeverity: report.problems.bySeverity)
        self.signedOff = signedOff
    }
}

enum ReportCSV {
    static let header = ["group", "label", "figure", "numerator", "denominator", "value"]

    /// Who reads the file: a script (stable codes: `completion`, `group`), or a person (the page's export: headings
    /// and figure names in the reader's language, no group codes).
    enum Reader { case script, person }

    /// The aggregates, one line per group and figure: the whole organisation first (group empty), then each group.
    static func figures(
        _ report: FigureReport, language: Language, byteOrderMark: Bool = true, for reader: Reader = .script
    ) -> String {
        encode(figureLines(report, language: language, for: reader), byteOrderMark: byteOrderMark)
    }

    static func figureLines(_ report: FigureReport, language: Language, for reader: Reader = .script) -> [[String]] {
        var lines: [[String]] = []
        let everyone = Catalogue.text("report.everyone", language)
        for (key, label, set) in [("", everyone, report.overall)]
            + report.groups.map({ ($0.key, $0.label, $0.figures) })
        {
            for figure in Figure.allCases {
                let rate = set.rate(figure)
                lines.append([key, label, figure.rawValue, String(rate.numerator), String(rate.denominator), rate.text])
            }
            lines.append([key, label, "medianWorkingDays", "", "", set.medianWorkingDays.map(String.init) ?? "—"])
            lines.append([
                key, label, "meanScore", String(set.meanScore.sum), String(set.meanScore.count), set.meanScore.text,
            ])
            lines.append([
                key, label, "nps", "", String(set.netPromoter.total), set.netPromoter.score.map(String.init) ?? "—",
            ])
            lines.append([key, label, "calls", "", "", String(set.calls)])
        }
        guard reader == .person else { return [header] + lines }
        let names = [
            "medianWorkingDays": "report.median", "meanScore": "report.meanScore", "nps": "report.nps",
            "calls": "report.calls",
        ]
        let headings = [
            "report.csv.label", "report.csv.figure", "report.csv.numerator", "report.csv.denominator",
            "report.csv.value",
        ].map { Catalogue.text($0, language) }
        return [headings]
            + lines.map { line in
                [line[1], Catalogue.text(names[line[2]] ?? "figure." + line[2], language)] + line[3...]
            }
    }

    /// Report lines as a CSV file: whole numbers stay numbers (an NPS of -20 too), all else is text.
    static func encode(_ lines: [[String]], byteOrderMark: Bool = true) -> String {
        CSVWriter.document(lines.map { $0.map(CSVCell.inferred) }, byteOrderMark: byteOrderMark)
    }
}

extension Operations {
    /// `huifang report`: the figures for a period as JSON or CSV, the same as `GET /api/v1/reports/figures`.
    public static func report(on app: Application, from: String, to: String, groupBy: String, format: String)
        async throws -> String
    {
        let language = app.huifang.defaultLanguage
        let period: ReportPeriod
        do {
            period = try ReportPeriod.parse(from: from, to: to)
        } catch {
            throw OperationError(
                error.errors.map { "--\($0.field): " + Catalogue.text($0.key, language) }.joined(separator: "; "))
        }
        guard let grouping = ReportGrouping(rawValue: groupBy) else {
            throw OperationError(
                "--by: "
                    + Catalogue.text(
                        "report.problem.groupBy", language,
                        [ReportGrouping.allCases.map(\.rawValue).joined(separator: ", ")]))
        }
        let report = try await ReportService(db: app.db, language: language).current(period, groupedBy: grouping)
        try await AuditLog.record(
            "report.export", by: .commandLine(), subjectType: "report",
            subjectID: "\(period.from.iso)..\(period.to.iso)",
            detail: "groupBy=\(grouping.rawValue) format=\(format)", at: app.clock.now(), on: app.db)
        switch format {
        case "json": return try ReportJSON.encode(ReportOut(report.report, signedOff: report.signedOff))
        case "csv": return ReportCSV.figures(report.report, language: language, byteOrderMark: false)
        default: throw OperationError("--format: " + Catalogue.text("report.problem.format", language))
        }
    }
}

enum ReportJSON {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
