import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Builds a report for a period from the database's aggregates (`ReportQueries`): the organisation's
/// figures, one row per group, satisfaction per indicator, call volume and problem distribution.
/// Labels are given in `language` (a signed-off report keeps the ones it was signed with).
package struct ReportService {
    let db: any Database
    let language: Language
    /// The roll-ups normally; counting the rows gives the same figures (a test compares them).
    var counting = ReportQueries.Counting.rollups

    package init(db: any Database, language: Language, counting: ReportQueries.Counting = .rollups) {
        self.db = db
        self.language = language
        self.counting = counting
    }

    package func report(_ period: ReportPeriod, groupedBy grouping: ReportGrouping) async throws -> FigureReport {
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        let overallQueries = ReportQueries(
            db: db, period: period, calendar: calendar, grouping: .none,
            counting: counting)
        var overall = FigureSet()
        var groups: [ReportGroup] = []
        if grouping == .none || !Self.partitions.contains(grouping) {
            overall = try await figureSets(overallQueries, calendar: calendar).sets[""] ?? FigureSet()
        }
        if grouping != .none {
            let queries = ReportQueries(
                db: db, period: period, calendar: calendar, grouping: grouping,
                counting: counting)
            let (sets, lags) = try await figureSets(queries, calendar: calendar)
            if Self.partitions.contains(grouping) {
                overall = Self.total(sets.values, lags: lags.values.flatMap { $0 })
            }
            let labels = try await self.labels(for: grouping, keys: Array(sets.keys))
            groups = sets.map { ReportGroup(key: $0.key, label: labels[$0.key] ?? $0.key, figures: $0.value) }
                .sorted { ($0.key.isEmpty ? 1 : 0, $0.label, $0.key) < ($1.key.isEmpty ? 1 : 0, $1.label, $1.key) }
        }
        let indicators = try await overallQueries.satisfaction(byIndicator: true).map { key, row in
            ReportGroup(
                key: key, label: key.isEmpty ? Catalogue.text("report.none", language) : key,
                figures: FigureSet(
                    rates: [.satisfaction: Rate(row.top, of: row.scored)],
                    meanScore: ScoreMean(sum: row.scale_sum, count: row.scale_count),
                    netPromoter: NetPromoterScore(
                        promoters: row.promoters, passives: row.passives, detractors: row.detractors)))
        }.sorted { $0.key < $1.key }
        return FigureReport(
            period: period, grouping: grouping, overall: overall, groups: groups, indicators: indicators,
            calls: try await callVolume(overallQueries, calendar: calendar),
            problems: try await problems(overallQueries))
    }

    /// Each figure's rate per month over `months` (consecutive calendar months), one query per figure.
    /// Signed-off months give their stored rates.
    func trend(_ months: [ReportPeriod], figures: [Figure]) async throws -> [Figure: [(month: String, rate: Rate)]] {
        guard let first = months.first, let last = months.last else { return [:] }
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        let queries = ReportQueries(
            db: db, period: ReportPeriod(from: first.from, to: last.to), calendar: calendar, grouping: .none)
        let keys = months.map { String($0.from.iso.prefix(7)) }
        var frozen: [String: FigureSet] = [:]
        for signed in try await ReportSignOff.query(on: db).filter(\.$month ~~ keys).all() {
            frozen[signed.month] = signed.frozenReports[ReportGrouping.none.rawValue]?.overall
        }
        var trend: [Figure: [(month: String, rate: Rate)]] = [:]
        for figure in figures {
            let rates = try await queries.monthly(figure, calendar: calendar)
            trend[figure] = keys.map { key in (key, frozen[key]?.rate(figure) ?? rates[key] ?? Rate(0, of: 0)) }
        }
        return trend
    }

    /// Groupings that put every row of every figure in exactly one group (the agent of a task, record,
    /// ticket, call and customer is one, and so is the agent's department): the organisation's figures are
    /// then the groups' counts added up, and need not be counted again.
    static let partitions: Set<ReportGrouping> = [.agent, .department]

    /// The sum of groups that partition the rows: numerators and denominators added, the median from all the counts.
    static func total(_ sets: some Sequence<FigureSet>, lags: [(value: Int, count: Int)]) -> FigureSet {
        var total = FigureSet()
        for set in sets {
            for (figure, rate) in set.rates {
                let before = total.rate(figure)
                total.rates[figure] = Rate(before.numerator + rate.numerator, of: before.denominator + rate.denominator)
            }
            total.meanScore = ScoreMean(
                sum: total.meanScore.sum + set.meanScore.sum, count: total.meanScore.count + set.meanScore.count)
            total.netPromoter = NetPromoterScore(
                promoters: total.netPromoter.promoters + set.netPromoter.promoters,
                passives: total.netPromoter.passives + set.netPromoter.passives,
                detractors: total.netPromoter.detractors + set.netPromoter.detractors)
            total.calls += set.calls
            total.surveysDeclined += set.surveysDeclined
        }
        total.medianWorkingDays = weightedMedian(lags)
        return total
    }

    /// Every figure of every group the queries' grouping yields, and the counts behind each group's median.
    private func figureSets(_ queries: ReportQueries, calendar: BusinessCalendar) async throws
        -> (sets: [String: FigureSet], lags: [String: [(value: Int, count: Int)]])
    {
        var sets: [String: FigureSet] = [:]
        func put(_ figure: Figure, _ rates: [String: Rate]) {
            for (key, rate) in rates { sets[key, default: FigureSet()].rates[figure] = rate }
        }
        for figure in [
            Figure.completion, .coverage, .timeliness, .onTimeHandling, .resolution, .firstContactResolution,
            .complaintSuccess, .suggestionAdoption,
        ] {
            put(figure, try await queries.rate(figure))
        }
        for (key, row) in try await queries.satisfaction() {
            sets[key, default: FigureSet()].rates[.satisfaction] = Rate(row.top, of: row.scored)
            sets[key]!.meanScore = ScoreMean(sum: row.scale_sum, count: row.scale_count)
            sets[key]!.netPromoter = NetPromoterScore(
                promoters: row.promoters, passives: row.passives, detractors: row.detractors)
        }
        for (key, count) in try await queries.callCounts() { sets[key, default: FigureSet()].calls = count }
        for (key, count) in try await queries.declinedSurveys() {
            sets[key, default: FigureSet()].surveysDeclined = count
        }
        var lags: [String: [(value: Int, count: Int)]] = [:]
        for row in try await queries.lags() {
            guard let done = row.done.flatMap(LocalDate.init(iso:)) else { continue }
            let trigger = row.trig.flatMap(LocalDate.init(iso:)) ?? done
            // Working days after the trigger day up to the contact's day: contacted the same day is 0.
            let days =
                trigger < done ? ((try? calendar.workingDays(from: trigger.adding(days: 1), through: done)) ?? 0) : 0
            lags[row.g ?? "", default: []].append((days, row.n))
        }
        for (key, counts) in lags { sets[key, default: FigureSet()].medianWorkingDays = weightedMedian(counts) }
        if queries.grouping == .none, sets[""] == nil { sets[""] = FigureSet() }
        return (sets, lags)
    }

    private func callVolume(_ queries: ReportQueries, calendar: BusinessCalendar) async throws -> CallVolume {
        var volume = CallVolume()
        for row in try await queries.callHours() {
            let local = calendar.localSeconds(Date(timeIntervalSince1970: Double(row.hour) * 3600))
            let day = Int((local - (local < 0 ? 86_399 : 0)) / 86_400)
            let hour = Int(local - Int64(day) * 86_400) / 3600
            let weekday = LocalDate(dayNumber: day).isoWeekday - 1
            volume.grid[weekday][hour] += row.n
        }
        let matters = try await NameLabels(db: db, language: language).matterNames()
        volume.byMatter = try await queries.callMatters().map {
            NamedCount(key: $0.g ?? "", label: matters[$0.g ?? ""] ?? $0.g ?? "", count: $0.n)
        }
        .sorted { ($0.count, $1.key) > ($1.count, $0.key) }
        return volume
    }

    private func problems(_ queries: ReportQueries) async throws -> ProblemDistribution {
        let rows = try await queries.problems()
        let categories = Dictionary(
            try await TicketSettingsRecord.load(on: db).settings.categories.map { ($0.code, $0.name) },
            uniquingKeysWith: { a, _ in a })
        func counts(_ key: (ReportQueries.ProblemRow) -> String, label: (String) -> String) -> [NamedCount] {
            Dictionary(grouping: rows, by: key).map {
                NamedCount(key: $0.key, label: label($0.key), count: $0.value.reduce(0) { $0 + $1.n })
            }
            .sorted { ($0.count, $1.key) > ($1.count, $0.key) }
        }
        return ProblemDistribution(
            byKind: counts(\.kind) { Catalogue.text("ticket.kind.\($0)", language) },
            byCategory: counts(\.category) { categories[$0] ?? $0 },
            bySeverity: counts(\.severity) { Catalogue.text("ticket.severity.\($0)", language) })
    }

    /// What people read for each group key.
    private func labels(for grouping: ReportGrouping, keys: [String]) async throws -> [String: String] {
        var labels: [String: String] = ["": Catalogue.text("report.none", language)]
        switch grouping {
        case .agent:
            for user in try await User.query(on: db).filter(\.$username ~~ keys).all() {
                labels[user.username] = user.displayName
            }
        case .rule:
            for rule in try await RuleRecord.query(on: db).filter(\.$id ~~ keys.compactMap { Int($0) }).all() {
                labels[String(rule.id!)] = rule.name
            }
        case .channel:
            for key in keys where !key.isEmpty {
                let channel = "channel.\(key)"
                let source = "ticket.source.\(key)"
                labels[key] =
                    Catalogue.contains(channel)
                    ? Catalogue.text(channel, language)
                    : Catalogue.contains(source) ? Catalogue.text(source, language) : key
            }
        case .kind:
            for key in keys where !key.isEmpty { labels[key] = Catalogue.text("ticket.kind.\(key)", language) }
        case .none, .department, .tier, .indicator:
            break
        }
        return labels
    }
}
