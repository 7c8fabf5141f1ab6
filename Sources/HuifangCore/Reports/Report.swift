import Foundation

/// The days a report covers, both included, in the organisation's time zone.
public struct ReportPeriod: Hashable, Codable, Sendable {
    public let from: LocalDate
    public let to: LocalDate

    public init(from: LocalDate, to: LocalDate) {
        self.from = from
        self.to = to
    }

    /// The years a report can name. Around any period so named there is room, inside the dates a `LocalDate` holds,
    /// for what a report reaches beyond it: the previous period (up to ten years before a range), the twelve months
    /// of a trend and the next period.
    public static let years = 1970...2999

    /// A calendar month, `2026-10`, in `years`.
    public init?(month text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1]), Self.years.contains(year),
            let first = LocalDate(year: year, month: month, day: 1)
        else { return nil }
        self.init(from: first, to: first.adding(months: 1).adding(days: -1))
    }

    /// `2026-10` when the period is exactly one calendar month, else nil.
    public var month: String? {
        guard from.day == 1, to == from.adding(months: 1).adding(days: -1) else { return nil }
        return String(from.iso.prefix(7))
    }

    /// The `count` calendar months ending with the one `to` falls in, oldest first.
    public static func months(endingWith last: LocalDate, count: Int) -> [ReportPeriod] {
        let first = LocalDate(year: last.year, month: last.month, day: 1)!
        return (0..<count).reversed().map { back in
            let start = first.adding(months: -back)
            return ReportPeriod(from: start, to: start.adding(months: 1).adding(days: -1))
        }
    }

    /// The period `from`/`to` name as text, or every problem: missing, not a date, outside `years`, reversed, longer
    /// than `maxDays`.
    public static func parse(from: String?, to: String?, maxDays: Int = 3700) throws(NamedFieldErrors) -> ReportPeriod {
        var problems: [NamedFieldError] = []
        func day(_ raw: String?, _ field: String) -> LocalDate? {
            guard let raw = raw?.trimmingWhitespace(), !raw.isEmpty else {
                problems.append(.init(field: field, key: "problem.required"))
                return nil
            }
            guard let date = LocalDate(parsing: raw) else {
                problems.append(.init(field: field, key: "problem.invalidDate"))
                return nil
            }
            guard years.contains(date.year) else {
                problems.append(
                    .init(
                        field: field, key: "report.problem.year",
                        arguments: [String(years.lowerBound), String(years.upperBound)]))
                return nil
            }
            return date
        }
        let first = day(from, "from")
        let last = day(to, "to")
        if let first, let last {
            if last < first {
                problems.append(.init(field: "to", key: "report.problem.toBeforeFrom"))
            } else if last.dayNumber - first.dayNumber >= maxDays {
                problems.append(.init(field: "to", key: "report.problem.tooLong"))
            }
        }
        guard problems.isEmpty, let first, let last else { throw NamedFieldErrors(errors: problems) }
        return ReportPeriod(from: first, to: last)
    }
}

/// How a report's rows are split. Each figure is split only by what it has: tickets have no rule,
/// follow-ups no ticket kind; such a cell shows "—".
public enum ReportGrouping: String, CaseIterable, Codable, Sendable {
    /// One row: the whole organisation.
    case none
    /// The agent who did the follow-up (the task's agent; for coverage, the customer's agent; for tickets, the handler).
    case agent
    /// The agent's or handler's department.
    case department
    /// The follow-up rule that made the task.
    case rule
    /// The customer's tier.
    case tier
    /// The follow-up's channel; a ticket's source.
    case channel
    /// The ticket's kind.
    case kind
    /// The survey question's indicator (satisfaction only).
    case indicator
}

/// A mean of integer scores kept as sum and count; shown with two decimals, or "—" when there are none.
public struct ScoreMean: Hashable, Codable, Sendable {
    public let sum: Int
    public let count: Int

    public init(sum: Int, count: Int) {
        self.sum = sum
        self.count = count
    }

    /// Hundredths, rounded half up; nil without scores.
    public var hundredths: Int? {
        guard count > 0 else { return nil }
        return (sum * 100 * 2 + count) / (count * 2)
    }

    public var text: String {
        guard let hundredths else { return "—" }
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// The figures of one row of a report (the whole organisation, or one agent, rule, tier…), as the
/// counts the database aggregated.
public struct FigureSet: Hashable, Codable, Sendable {
    public var rates: [Figure: Rate]
    /// Median working days from the trigger to the completing contact.
    public var medianWorkingDays: Int?
    /// Mean of the 1–5 scale answers.
    public var meanScore: ScoreMean
    public var netPromoter: NetPromoterScore
    /// Inbound calls taken (by agent, department or month).
    public var calls: Int
    /// Completed follow-ups whose customer declined the survey (outside satisfaction, counted here).
    public var surveysDeclined: Int

    public init(
        rates: [Figure: Rate] = [:], medianWorkingDays: Int? = nil, meanScore: ScoreMean = ScoreMean(sum: 0, count: 0),
        netPromoter: NetPromoterScore = NetPromoterScore(promoters: 0, passives: 0, detractors: 0), calls: Int = 0,
        surveysDeclined: Int = 0
    ) {
        self.rates = rates
        self.medianWorkingDays = medianWorkingDays
        self.meanScore = meanScore
        self.netPromoter = netPromoter
        self.calls = calls
        self.surveysDeclined = surveysDeclined
    }

    /// The rate of `figure`; 0 ÷ 0 ("—") when nothing was counted.
    public func rate(_ figure: Figure) -> Rate { rates[figure] ?? Rate(0, of: 0) }

    private enum CodingKeys: String, CodingKey {
        case rates, medianWorkingDays, meanScore, netPromoter, calls, surveysDeclined
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let named = try container.decode([String: Rate].self, forKey: .rates)
        rates = Dictionary(
            uniqueKeysWithValues: named.compactMap { key, rate in Figure(rawValue: key).map { ($0, rate) } })
        medianWorkingDays = try container.decodeIfPresent(Int.self, forKey: .medianWorkingDays)
        meanScore = try container.decode(ScoreMean.self, forKey: .meanScore)
        netPromoter = try container.decode(NetPromoterScore.self, forKey: .netPromoter)
        calls = try container.decode(Int.self, forKey: .calls)
        // Months signed off before the count existed have none.
        surveysDeclined = try container.decodeIfPresent(Int.self, forKey: .surveysDeclined) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(
            Dictionary(uniqueKeysWithValues: rates.map { ($0.key.rawValue, $0.value) }), forKey: .rates)
        try container.encodeIfPresent(medianWorkingDays, forKey: .medianWorkingDays)
        try container.encode(meanScore, forKey: .meanScore)
        try container.encode(netPromoter, forKey: .netPromoter)
        try container.encode(calls, forKey: .calls)
        try container.encode(surveysDeclined, forKey: .surveysDeclined)
    }
}

/// One row of a grouped report.
public struct ReportGroup: Hashable, Codable, Sendable {
    /// The stable key (username, rule id, tier code, channel, month `2026-10`); empty for "none assigned".
    public let key: String
    public let label: String
    public var figures: FigureSet

    public init(key: String, label: String, figures: FigureSet) {
        self.key = key
        self.label = label
        self.figures = figures
    }
}

/// A count under a name: calls by matter, tickets by kind.
public struct NamedCount: Hashable, Codable, Sendable {
    public let key: String
    public let label: String
    public let count: Int

    public init(key: String, label: String, count: Int) {
        self.key = key
        self.label = label
        self.count = count
    }
}

/// Inbound calls by local hour (0–23) and ISO weekday (index 0 is Monday), and by matter.
public struct CallVolume: Hashable, Codable, Sendable {
    /// `grid[weekday][hour]`.
    public var grid: [[Int]]
    public var byMatter: [NamedCount]

    public init(grid: [[Int]] = Array(repeating: Array(repeating: 0, count: 24), count: 7), byMatter: [NamedCount] = [])
    {
        self.grid = grid
        self.byMatter = byMatter
    }

    public var total: Int { grid.reduce(0) { $0 + $1.reduce(0, +) } }
    public var byHour: [Int] { (0..<24).map { hour in grid.reduce(0) { $0 + $1[hour] } } }
    public var byWeekday: [Int] { grid.map { $0.reduce(0, +) } }
}

/// Tickets opened in the period by kind, category and severity.
public struct ProblemDistribution: Hashable, Codable, Sendable {
    public var byKind: [NamedCount]
    public var byCategory: [NamedCount]
    public var bySeverity: [NamedCount]

    public init(byKind: [NamedCount] = [], byCategory: [NamedCount] = [], bySeverity: [NamedCount] = []) {
        self.byKind = byKind
        self.byCategory = byCategory
        self.bySeverity = bySeverity
    }
}

/// A report for one period: the organisation's figures, the rows of a grouping, satisfaction per
/// indicator, call volume and problem distribution.
public struct FigureReport: Hashable, Codable, Sendable {
    public let period: ReportPeriod
    public let grouping: ReportGrouping
    public var overall: FigureSet
    public var groups: [ReportGroup]
    public var indicators: [ReportGroup]
    public var calls: CallVolume
    public var problems: ProblemDistribution

    public init(
        period: ReportPeriod, grouping: ReportGrouping, overall: FigureSet, groups: [ReportGroup],
        indicators: [ReportGroup],
        calls: CallVolume, problems: ProblemDistribution
    ) {
        self.period = period
        self.grouping = grouping
        self.overall = overall
        self.groups = groups
        self.indicators = indicators
        self.calls = calls
        self.problems = problems
    }
}

/// The median of values given with how often each occurs (the database counts, the median is taken here);
/// the lower middle one when their number is even; nil when there are none.
public func weightedMedian(_ counts: [(value: Int, count: Int)]) -> Int? {
    let total = counts.reduce(0) { $0 + $1.count }
    guard total > 0 else { return nil }
    let middle = (total - 1) / 2
    var seen = 0
    for (value, count) in counts.sorted(by: { $0.value < $1.value }) {
        seen += count
        if seen > middle { return value }
    }
    return nil
}

/// How an agent's spot checks of a period came out.
public struct SpotCheckSummary: Hashable, Codable, Sendable {
    /// Reviewed checks (pending ones are not counted).
    public var reviewed: Int
    public var scoreSum: Int
    public var maxSum: Int
    /// Reviews failed on an instant-fail item.
    public var failed: Int

    public init(reviewed: Int = 0, scoreSum: Int = 0, maxSum: Int = 0, failed: Int = 0) {
        self.reviewed = reviewed
        self.scoreSum = scoreSum
        self.maxSum = maxSum
        self.failed = failed
    }

    /// Points earned ÷ points possible.
    public var rate: Rate { Rate(scoreSum, of: maxSum) }
}

/// One figure of an agent's scorecard against its target.
public struct ScorecardLine: Hashable, Codable, Sendable {
    public let figure: Figure
    public let rate: Rate
    /// The target in tenths of a percent; nil when the figure has none.
    public let minimumPerMille: Int?
    /// nil when there is no target or nothing to judge.
    public let met: Bool?
    public let deduction: Int
}

/// An agent's assessment for a period (考核): each figure with a target compared with it, the
/// deductions for falling short, and the spot checks.
public struct Scorecard: Hashable, Codable, Sendable {
    public let agent: String
    public let agentName: String
    public let lines: [ScorecardLine]
    public let spotChecks: SpotCheckSummary

    public init(
        agent: String, agentName: String, figures: FigureSet, targets: [Figure: FigureTarget],
        spotChecks: SpotCheckSummary
    ) {
        self.agent = agent
        self.agentName = agentName
        self.spotChecks = spotChecks
        lines = Scorecard.agentFigures.map { figure in
            let rate = figures.rate(figure)
            let target = targets[figure]
            return ScorecardLine(
                figure: figure, rate: rate, minimumPerMille: target?.minimumPerMille,
                met: target?.isMet(by: rate), deduction: target?.deduction(for: rate) ?? 0)
        }
    }

    /// The figures an agent answers for: their own follow-ups (tickets are a department's).
    public static let agentFigures: [Figure] = [.completion, .coverage, .timeliness, .satisfaction]

    public var totalDeduction: Int { lines.reduce(0) { $0 + $1.deduction } }
}
