import Fluent
import Foundation
import HuifangCore
import SQLKit

/// The SQL behind the figures (DESIGN.md "The figures"): each figure is one aggregate query over the
/// period's rows, grouped in the database; only counts come back. Days are compared as the stored
/// `YYYY-MM-DD` text, instants against the UTC bounds of the period's local days.
package struct ReportQueries {
    let sql: any SQLDatabase
    let period: ReportPeriod
    /// The first instant of `period.from` and of the day after `period.to`, in the organisation's zone.
    let start: Date
    let end: Date
    let grouping: ReportGrouping
    /// Whether the follow-up figures are added up from the roll-ups or counted over the rows.
    var counting = Counting.rollups

    init(
        db: any Database, period: ReportPeriod, calendar: BusinessCalendar, grouping: ReportGrouping,
        counting: Counting = .rollups
    ) {
        sql = db.sql
        self.period = period
        self.grouping = grouping
        self.counting = counting
        start = calendar.instant(local: Int64(period.from.dayNumber) * 86_400)
        end = calendar.instant(local: Int64(period.to.adding(days: 1).dayNumber) * 86_400)
    }

    /// Counts for one rate in one group.
    struct RateRow: Decodable {
        let g: String?
        let n: Int
        let d: Int
    }

    /// What a figure's rows are: the table alias names the grouping's columns.
    enum Source {
        /// `follow_up_tasks t`
        case tasks
        /// `follow_up_records r` (satisfaction joins `survey_answers a` to it)
        case records
        /// `customers c`, grouped by the customer's own agent (coverage)
        case customers
        /// `tickets k`
        case tickets
        /// `calls l`
        case calls
    }

    /// The grouping's key expression and the joins it needs; nil when the rows have no such thing.
    func key(_ source: Source, answers: Bool = false) -> (expression: String, joins: String)? {
        let agentColumn: String
        let customerColumn: String
        // A record's answers belong to the task's agent, not to whoever typed them in (or the customer's link).
        var agentJoin = ""
        switch source {
        case .tasks: (agentColumn, customerColumn) = ("t.assigned_agent_id", "t.customer_id")
        case .records:
            (agentColumn, customerColumn) = ("rt.assigned_agent_id", "r.customer_id")
            agentJoin = " LEFT JOIN follow_up_tasks rt ON rt.id = r.task_id"
        case .customers: (agentColumn, customerColumn) = ("c.assigned_agent_id", "c.id")
        case .tickets: (agentColumn, customerColumn) = ("k.handler_id", "k.customer_id")
        case .calls: (agentColumn, customerColumn) = ("l.agent_id", "l.customer_id")
        }
        let customerJoin = source == .customers ? "" : " LEFT JOIN customers c ON c.id = \(customerColumn)"
        switch grouping {
        case .none:
            return ("''", "")
        case .agent:
            return ("ua.username", agentJoin + " LEFT JOIN users ua ON ua.id = \(agentColumn)")
        case .department:
            if source == .tickets { return ("d.name", " LEFT JOIN departments d ON d.id = k.department_id") }
            return (
                "d.name",
                agentJoin
                    + " LEFT JOIN users ua ON ua.id = \(agentColumn) LEFT JOIN departments d ON d.id = ua.department_id"
            )
        case .rule:
            switch source {
            case .tasks: return ("CAST(tr.rule_id AS TEXT)", " JOIN follow_up_task_reasons tr ON tr.task_id = t.id")
            case .records:
                return ("CAST(tr.rule_id AS TEXT)", " JOIN follow_up_task_reasons tr ON tr.task_id = r.task_id")
            default: return nil
            }
        case .tier:
            return source == .calls ? nil : ("c.tier", customerJoin)
        case .channel:
            switch source {
            case .tasks: return ("t.channel", "")
            case .records: return ("r.channel", "")
            case .tickets: return ("k.source", "")
            default: return nil
            }
        case .kind:
            return source == .tickets ? ("k.kind", "") : nil
        case .indicator:
            return answers ? ("a.indicator", "") : nil
        }
    }

    func rates(_ query: SQLQueryString) async throws -> [String: Rate] {
        var found: [String: Rate] = [:]
        for row in try await sql.raw(query).all(decoding: RateRow.self) {
            let key = row.g ?? ""
            let before = found[key] ?? Rate(0, of: 0)
            found[key] = Rate(before.numerator + row.n, of: before.denominator + row.d)
        }
        return found
    }

    func groupBy(_ expression: String) -> String { grouping == .none ? "" : " GROUP BY \(expression)" }

    /// The rows behind a rate: the table, the condition that puts a row in the denominator, and the
    /// one that counts it in the numerator.
    struct RateSQL {
        let source: Source
        let from: String
        let condition: SQLQueryString
        let success: String
        var answers = false
        /// The column that places a row in a period: a stored day, or an instant.
        let dateColumn: DateColumn
    }

    enum DateColumn {
        case day(String)
        case instant(String)
    }

    /// How each rate is counted (DESIGN.md "The figures"). Coverage is counted differently (`coverage()`).
    // Long: one case per figure, each its SQL with the comment that says what it counts (DESIGN.md "The figures").
    func rateSQL(_ figure: Figure) -> RateSQL? {
        func instant(_ column: String) -> SQLQueryString {
            "\(unsafeRaw: column) >= \(bind: start) AND \(unsafeRaw: column) < \(bind: end)"
        }
        switch figure {
        case .completion:
            // Tasks due in the period (not cancelled) that were completed ÷ those tasks.
            return RateSQL(
                source: .tasks, from: "follow_up_tasks t",
                condition:
                    "t.due_on >= \(bind: period.from.iso) AND t.due_on <= \(bind: period.to.iso) AND t.status <> 'cancelled'",
                success: "t.status = 'completed'", dateColumn: .day("t.due_on"))
        case .timeliness:
            // Tasks completed in the period by their deadline ÷ tasks completed in the period.
            return RateSQL(
                source: .tasks, from: "follow_up_tasks t",
                condition:
                    "t.completed_on >= \(bind: period.from.iso) AND t.completed_on <= \(bind: period.to.iso) AND t.status = 'completed'",
                success: "t.completed_at <= t.deadline_at", dateColumn: .day("t.completed_on"))
        case .satisfaction:
            // Scored answers given in the period: the top two levels ÷ all.
            return RateSQL(
                source: .records, from: "survey_answers a JOIN follow_up_records r ON r.id = a.record_id",
                condition: instant("a.answered_at") + " AND a.is_top_two IS NOT NULL", success: "a.is_top_two = TRUE",
                answers: true,
                dateColumn: .instant("a.answered_at"))
        case .onTimeHandling:
            // Tickets resolved in the period before their resolution deadline ÷ tickets resolved.
            return RateSQL(
                source: .tickets, from: "tickets k", condition: instant("k.resolved_at"),
                success: "k.resolved_at <= k.resolution_due",
                dateColumn: .instant("k.resolved_at"))
        case .resolution:
            // Tickets opened in the period that are resolved (or decided) ÷ tickets opened.
            return RateSQL(
                source: .tickets, from: "tickets k", condition: instant("k.created_at"),
                success: "k.resolved_at IS NOT NULL",
                dateColumn: .instant("k.created_at"))
        case .firstContactResolution:
            // Tickets resolved in the period never re-opened nor escalated ÷ tickets resolved.
            return RateSQL(
                source: .tickets, from: "tickets k", condition: instant("k.resolved_at"),
                success:
                    "k.reopen_count = 0 AND NOT EXISTS (SELECT 1 FROM ticket_escalations e WHERE e.ticket_id = k.id)",
                dateColumn: .instant("k.resolved_at"))
        case .complaintSuccess:
            // Complaints closed in the period with the customer satisfied ÷ complaints closed.
            return RateSQL(
                source: .tickets, from: "tickets k", condition: instant("k.closed_at") + " AND k.kind = 'complaint'",
                success: "k.customer_satisfied = TRUE", dateColumn: .instant("k.closed_at"))
        case .suggestionAdoption:
            // Suggestions decided in the period that were adopted ÷ suggestions decided.
            return RateSQL(
                source: .tickets, from: "tickets k",
                condition: instant("k.resolved_at")
                    + " AND k.kind = 'suggestion' AND k.status IN ('adopted', 'declined')",
                success: "k.status = 'adopted'", dateColumn: .instant("k.resolved_at"))
        case .coverage:
            return nil
        }
    }

    /// A rate per group, counted in the database.
    func rate(_ figure: Figure) async throws -> [String: Rate] {
        if figure == .coverage { return try await coverage() }
        if usesRollups, figure == .completion || figure == .timeliness { return try await rollupRate(figure) }
        guard let spec = rateSQL(figure), let (g, joins) = key(spec.source, answers: spec.answers) else { return [:] }
        return try await rates(
            """
            SELECT \(unsafeRaw: g) AS g, COALESCE(SUM(CASE WHEN \(unsafeRaw: spec.success) THEN 1 ELSE 0 END), 0) AS n, COUNT(*) AS d
            FROM \(unsafeRaw: spec.from)\(unsafeRaw: joins) WHERE \(spec.condition)\(unsafeRaw: groupBy(g))
            """)
    }

    /// A rate per calendar month of the period (keys `2026-10`), in one query: trends over many months
    /// cost one pass over the rows, not one per month.
    func monthly(_ figure: Figure, calendar: BusinessCalendar) async throws -> [String: Rate] {
        guard let spec = rateSQL(figure) else { return [:] }
        var key: SQLQueryString
        switch spec.dateColumn {
        case .day(let column):
            key = "SUBSTR(\(unsafeRaw: column), 1, 7)"
        case .instant(let column):
            key = "CASE"
            for month in ReportPeriod.months(
                endingWith: period.to,
                count: 1 + (period.to.year * 12 + period.to.month) - (period.from.year * 12 + period.from.month))
            {
                let next = calendar.instant(local: Int64(month.to.adding(days: 1).dayNumber) * 86_400)
                key =
                    key
                    + " WHEN \(unsafeRaw: column) < \(bind: next) THEN '\(unsafeRaw: String(month.from.iso.prefix(7)))'"
            }
            key = key + " END"
        }
        return try await rates(
            """
            SELECT \(key) AS g, COALESCE(SUM(CASE WHEN \(unsafeRaw: spec.success) THEN 1 ELSE 0 END), 0) AS n, COUNT(*) AS d
            FROM \(unsafeRaw: spec.from) WHERE \(spec.condition) GROUP BY 1
            """)
    }

    struct LagRow: Decodable {
        let g: String?
        let trig: String?
        let done: String?
        let n: Int
    }

    /// Tasks completed in the period, counted by (first trigger day, completion day); the working days
    /// between them are counted by the calendar, the median taken from the counts.
    func lags() async throws -> [LagRow] {
        if usesRollups { return try await rollupLags() }
        guard let (g, joins) = key(.tasks) else { return [] }
        return try await sql.raw(
            """
            SELECT g, trig, done, COUNT(*) AS n FROM (
              SELECT \(unsafeRaw: g) AS g, (SELECT MIN(x.triggered_on) FROM follow_up_task_reasons x WHERE x.task_id = t.id) AS trig,
                t.completed_on AS done
              FROM follow_up_tasks t\(unsafeRaw: joins)
              WHERE t.completed_on >= \(bind: period.from.iso) AND t.completed_on <= \(bind: period.to.iso) AND t.status = 'completed'
            ) q GROUP BY g, trig, done
            """
        ).all(decoding: LagRow.self)
    }

    /// Completed follow-ups in the period (coverage's numerator rows).
    private var coveredCondition: SQLQueryString {
        "r.ended_at >= \(bind: start) AND r.ended_at < \(bind: end) AND r.completed = TRUE"
    }

    /// Coverage: distinct customers with a completed follow-up in the period ÷ customers registered by
    /// its end (or with no registration day). Grouped by the customer's agent, department and tier.
    func coverage() async throws -> [String: Rate] {
        guard let (g, joins) = key(.customers) else { return [:] }
        // Without a grouping the records alone answer (from their index); a grouping needs the customer.
        let customerJoin = grouping == .none ? "" : " JOIN customers c ON c.id = r.customer_id"
        let covered = try await rates(
            """
            SELECT \(unsafeRaw: g) AS g, COUNT(DISTINCT r.customer_id) AS n, 0 AS d
            FROM follow_up_records r\(unsafeRaw: customerJoin)\(unsafeRaw: joins)
            WHERE \(coveredCondition)\(unsafeRaw: groupBy(g))
            """)
        let active = try await rates(
            """
            SELECT \(unsafeRaw: g) AS g, 0 AS n, COUNT(*) AS d FROM customers c\(unsafeRaw: joins)
            WHERE c.registered_on IS NULL OR c.registered_on <= \(bind: period.to.iso)\(unsafeRaw: groupBy(g))
            """)
        var result: [String: Rate] = [:]
        for key in Set(active.keys).union(covered.keys) {
            result[key] = Rate(covered[key]?.numerator ?? 0, of: active[key]?.denominator ?? 0)
        }
        return result
    }

    struct AnswerRow: Decodable {
        let g: String?
        let top: Int
        let scored: Int
        let scale_sum: Int
        let scale_count: Int
        let promoters: Int
        let passives: Int
        let detractors: Int
    }

    /// Satisfaction: scored answers given in the period — top two levels ÷ all, the 1–5 mean, NPS.
    func satisfaction(byIndicator: Bool = false) async throws -> [String: AnswerRow] {
        if usesRollups, !byIndicator { return try await rollupSatisfaction() }
        let grouped = byIndicator ? ReportQueries(copying: self, grouping: .indicator) : self
        guard let (g, joins) = grouped.key(.records, answers: true) else { return [:] }
        // The whole organisation and its indicators are counted from the answers' index alone.
        let answersOnly = [.none, .indicator].contains(grouped.grouping)
        let rows = try await sql.raw(
            """
            SELECT \(unsafeRaw: g) AS g,
              COALESCE(SUM(CASE WHEN a.is_top_two = TRUE THEN 1 ELSE 0 END), 0) AS top,
              COALESCE(SUM(CASE WHEN a.is_top_two IS NOT NULL THEN 1 ELSE 0 END), 0) AS scored,
              CAST(COALESCE(SUM(CASE WHEN a.type = 'scale5' THEN a.score ELSE 0 END), 0) AS BIGINT) AS scale_sum,
              COALESCE(SUM(CASE WHEN a.type = 'scale5' THEN 1 ELSE 0 END), 0) AS scale_count,
              COALESCE(SUM(CASE WHEN a.type = 'nps' AND a.score >= 9 THEN 1 ELSE 0 END), 0) AS promoters,
              COALESCE(SUM(CASE WHEN a.type = 'nps' AND a.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END), 0) AS passives,
              COALESCE(SUM(CASE WHEN a.type = 'nps' AND a.score <= 6 THEN 1 ELSE 0 END), 0) AS detractors
            FROM survey_answers a\(unsafeRaw: answersOnly ? "" : " JOIN follow_up_records r ON r.id = a.record_id")\(unsafeRaw: joins)
            WHERE a.answered_at >= \(bind: start) AND a.answered_at < \(bind: end)\(unsafeRaw: grouped.groupBy(g))
            """
        ).all(decoding: AnswerRow.self)
        return Dictionary(rows.map { ($0.g ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    private init(copying other: ReportQueries, grouping: ReportGrouping) {
        self.init(copying: other, grouping: grouping, start: other.start, end: other.end, counting: other.counting)
    }

    /// The same report over other instants (the part of an hour a roll-up cannot split).
    init(copying other: ReportQueries, grouping: ReportGrouping, start: Date, end: Date, counting: Counting) {
        sql = other.sql
        period = other.period
        self.start = start
        self.end = end
        self.grouping = grouping
        self.counting = counting
    }

    /// One row behind a figure (drill-down and export).
    struct DetailRow: Decodable {
        let id: Int
        let customer_id: Int?
        let customer: String?
        let who: String?
        let status: String?
        let detail: String?
        let at: Date?
        let due: Date?
        let counted: Int
    }

    /// The rows behind `figure` in the group `groupKey` (all groups when nil), at most `limit`, oldest first;
    /// `counted` says whether the row is in the numerator.
    func rows(_ figure: Figure, groupKey: String?, limit: Int) async throws -> [DetailRow] {
        let source: Source
        let from: String
        let condition: SQLQueryString
        let success: String
        let columns: String
        if figure == .coverage {
            (source, from, condition, success) = (.records, "follow_up_records r", coveredCondition, "1 = 1")
        } else {
            guard let spec = rateSQL(figure) else { return [] }
            (source, from, condition, success) = (spec.source, spec.from, spec.condition, spec.success)
        }
        switch (figure, source) {
        case (.satisfaction, _):
            columns =
                "r.id AS id, a.customer_id AS customer_id, cx.name AS customer, r.agent_name AS who, a.indicator AS status, a.value AS detail, a.answered_at AS at, NULL AS due"
        case (_, .records):
            columns =
                "r.id AS id, r.customer_id AS customer_id, cx.name AS customer, r.agent_name AS who, r.outcome AS status, r.channel AS detail, r.ended_at AS at, NULL AS due"
        case (_, .tasks):
            columns =
                "t.id AS id, t.customer_id AS customer_id, cx.name AS customer, wx.display_name AS who, t.status AS status, t.due_on AS detail, t.completed_at AS at, t.deadline_at AS due"
        default:
            columns =
                "k.id AS id, k.customer_id AS customer_id, cx.name AS customer, wx.display_name AS who, k.status AS status, k.kind AS detail, k.resolved_at AS at, k.resolution_due AS due"
        }
        let lookups: String
        switch source {
        case .tasks:
            lookups =
                " LEFT JOIN customers cx ON cx.id = t.customer_id LEFT JOIN users wx ON wx.id = t.assigned_agent_id"
        case .records: lookups = " LEFT JOIN customers cx ON cx.id = \(figure == .satisfaction ? "a" : "r").customer_id"
        default: lookups = " LEFT JOIN customers cx ON cx.id = k.customer_id LEFT JOIN users wx ON wx.id = k.handler_id"
        }
        // Coverage is grouped by the customer's agent.
        let keySource: Source = figure == .coverage ? .customers : source
        var joins = lookups
        var filter: SQLQueryString = ""
        if let groupKey, grouping != .none, let (g, groupJoins) = key(keySource, answers: figure == .satisfaction) {
            joins = (figure == .coverage ? " JOIN customers c ON c.id = r.customer_id" : "") + groupJoins + lookups
            filter = groupKey.isEmpty ? " AND \(unsafeRaw: g) IS NULL" : " AND \(unsafeRaw: g) = \(bind: groupKey)"
        }
        let idColumn =
            source == .tasks ? "t.id" : source == .tickets ? "k.id" : figure == .satisfaction ? "a.id" : "r.id"
        return try await sql.raw(
            """
            SELECT \(unsafeRaw: columns), CASE WHEN \(unsafeRaw: success) THEN 1 ELSE 0 END AS counted
            FROM \(unsafeRaw: from)\(unsafeRaw: joins) WHERE \(condition)\(filter) ORDER BY \(unsafeRaw: idColumn) LIMIT \(unsafeRaw: String(limit))
            """
        ).all(decoding: DetailRow.self)
    }

    struct CountRow: Decodable {
        let g: String?
        let n: Int
    }

    /// Inbound calls taken in the period per group.
    func callCounts() async throws -> [String: Int] {
        guard let (g, joins) = key(.calls) else { return [:] }
        let rows = try await sql.raw(
            """
            SELECT \(unsafeRaw: g) AS g, COUNT(*) AS n FROM calls l\(unsafeRaw: joins)
            WHERE l.at >= \(bind: start) AND l.at < \(bind: end)\(unsafeRaw: groupBy(g))
            """
        ).all(decoding: CountRow.self)
        return Dictionary(rows.map { ($0.g ?? "", $0.n) }, uniquingKeysWith: +)
    }

    /// Completed follow-ups in the period whose customer declined the survey, by the task's agent when grouped.
    func declinedSurveys() async throws -> [String: Int] {
        if usesRollups { return try await rollupDeclined() }
        guard let (g, joins) = key(.records) else { return [:] }
        let rows = try await sql.raw(
            """
            SELECT \(unsafeRaw: g) AS g, COUNT(*) AS n FROM follow_up_records r\(unsafeRaw: joins)
            WHERE r.survey_declined = TRUE AND r.ended_at >= \(bind: start) AND r.ended_at < \(bind: end)\(unsafeRaw: groupBy(g))
            """
        ).all(decoding: CountRow.self)
        return Dictionary(rows.map { ($0.g ?? "", $0.n) }, uniquingKeysWith: +)
    }

    struct HourRow: Decodable {
        let hour: Int
        let n: Int
    }

    /// Calls per UTC hour since 1970; the local hour and weekday are worked out by the calendar.
    func callHours() async throws -> [HourRow] {
        let hour =
            sql.dialect.name == "postgresql"
            ? "CAST(FLOOR(EXTRACT(EPOCH FROM l.at) / 3600) AS BIGINT)" : "CAST(l.at / 3600 AS INTEGER)"
        return try await sql.raw(
            """
            SELECT \(unsafeRaw: hour) AS hour, COUNT(*) AS n FROM calls l
            WHERE l.at >= \(bind: start) AND l.at < \(bind: end) GROUP BY \(unsafeRaw: hour)
            """
        ).all(decoding: HourRow.self)
    }

    /// Calls in the period by matter.
    func callMatters() async throws -> [CountRow] {
        try await sql.raw(
            """
            SELECT l.matter AS g, COUNT(*) AS n FROM calls l WHERE l.at >= \(bind: start) AND l.at < \(bind: end) GROUP BY l.matter
            """
        ).all(decoding: CountRow.self)
    }

    struct ProblemRow: Decodable {
        let kind: String
        let category: String
        let severity: String
        let n: Int
    }

    /// Tickets opened in the period by kind, category and severity.
    func problems() async throws -> [ProblemRow] {
        try await sql.raw(
            """
            SELECT k.kind, k.category, k.severity, COUNT(*) AS n FROM tickets k
            WHERE k.created_at >= \(bind: start) AND k.created_at < \(bind: end) GROUP BY k.kind, k.category, k.severity
            """
        ).all(decoding: ProblemRow.self)
    }
}
