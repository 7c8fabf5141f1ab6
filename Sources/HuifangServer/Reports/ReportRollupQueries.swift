import Foundation
import HuifangCore
import SQLKit

/// The follow-up figures added up from the roll-ups (`RollupFacts`) instead of counted over a month's rows:
/// completion, timeliness, the median's counts, satisfaction and declined surveys, for the whole organisation
/// and by agent, department and rule. Tasks are rolled up by their stored day; records and answers by UTC
/// hour, so where the period's first or last local day does not begin on a whole UTC hour (a zone half an
/// hour off) those minutes are counted over the rows. The groups and numbers are those of counting the rows.
extension ReportQueries {
    package enum Counting {
        case rollups, rows
    }

    var usesRollups: Bool {
        counting == .rollups && [.none, .agent, .department, .rule].contains(grouping)
    }

    /// The group over roll-up rows `x`: its expression, the joins it needs and the roll-up's dimension.
    private var rollupKey: (expression: String, joins: String, dim: String) {
        let users = " LEFT JOIN users ua ON \(RollupFacts(sql).agentText("ua.id")) = x.k"
        switch grouping {
        case .agent: return ("ua.username", users, "agent")
        case .department: return ("d.name", users + " LEFT JOIN departments d ON d.id = ua.department_id", "agent")
        case .rule: return ("x.k", "", "rule")
        default: return ("''", "", "agent")
        }
    }

    /// Groups with no rows are no groups (as when counting rows); the organisation always has its one row.
    private func grouped(_ g: String, having column: String) -> String {
        grouping == .none ? "" : " GROUP BY \(g) HAVING SUM(\(column)) <> 0"
    }

    private func total(_ column: String) -> String { "CAST(COALESCE(SUM(\(column)), 0) AS BIGINT)" }

    func rollupRate(_ figure: Figure) async throws -> [String: Rate] {
        let (g, joins, dim) = rollupKey
        let (n, d) = figure == .completion ? ("x.due_completed", "x.due") : ("x.completed_in_time", "x.completed")
        return try await rates(
            """
            SELECT \(unsafeRaw: g) AS g, \(unsafeRaw: total(n)) AS n, \(unsafeRaw: total(d)) AS d
            FROM report_task_days x\(unsafeRaw: joins) WHERE x.dim = \(bind: dim)
            AND x.day >= \(bind: period.from.iso) AND x.day <= \(bind: period.to.iso)\(unsafeRaw: grouped(g, having: d))
            """)
    }

    func rollupLags() async throws -> [LagRow] {
        let (g, joins, dim) = rollupKey
        let groups = grouping == .none ? "" : "\(g), "
        return try await sql.raw(
            """
            SELECT \(unsafeRaw: g) AS g, NULLIF(x.trig, '') AS trig, x.day AS done, \(unsafeRaw: total("x.n")) AS n
            FROM report_lag_days x\(unsafeRaw: joins) WHERE x.dim = \(bind: dim)
            AND x.day >= \(bind: period.from.iso) AND x.day <= \(bind: period.to.iso)
            GROUP BY \(unsafeRaw: groups)x.trig, x.day HAVING SUM(x.n) <> 0
            """
        ).all(decoding: LagRow.self)
    }

    /// The whole UTC hours inside the period, and the queries counting the rows of the minutes around them.
    private var hours: (first: Int64, end: Int64, edges: [ReportQueries]) {
        let first = Int64((start.timeIntervalSince1970 / 3600).rounded(.up))
        let last = max(first, Int64((end.timeIntervalSince1970 / 3600).rounded(.down)))
        var edges: [ReportQueries] = []
        let firstHour = Date(timeIntervalSince1970: Double(first) * 3600)
        let lastHour = Date(timeIntervalSince1970: Double(last) * 3600)
        func rows(from: Date, to: Date) -> ReportQueries {
            ReportQueries(copying: self, grouping: grouping, start: from, end: to, counting: .rows)
        }
        if start < firstHour { edges.append(rows(from: start, to: min(firstHour, end))) }
        if lastHour < end, lastHour >= firstHour { edges.append(rows(from: lastHour, to: end)) }
        return (first, last, edges)
    }

    private func answerHours(_ columns: String, having: String) -> SQLQueryString {
        let (g, joins, dim) = rollupKey
        let range = hours
        return """
            SELECT \(unsafeRaw: g) AS g, \(unsafeRaw: columns) FROM report_answer_hours x\(unsafeRaw: joins)
            WHERE x.dim = \(bind: dim) AND x.hour >= \(bind: range.first) AND x.hour < \(bind: range.end)\
            \(unsafeRaw: grouped(g, having: having))
            """
    }

    func rollupSatisfaction() async throws -> [String: AnswerRow] {
        let columns = ["top", "scored", "scale_sum", "scale_count", "promoters", "passives", "detractors"]
            .map { "\(total("x.\($0)")) AS \($0)" }.joined(separator: ", ")
        var found: [String: AnswerRow] = [:]
        for row in try await sql.raw(answerHours(columns, having: "x.answers")).all(decoding: AnswerRow.self) {
            found[row.g ?? ""] = row
        }
        for edge in hours.edges {
            for (key, row) in try await edge.satisfaction() { found[key] = found[key].map { $0.adding(row) } ?? row }
        }
        return found
    }

    func rollupDeclined() async throws -> [String: Int] {
        var found: [String: Int] = [:]
        let query = answerHours("\(total("x.declined")) AS n", having: "x.declined")
        for row in try await sql.raw(query).all(decoding: CountRow.self) {
            found[row.g ?? "", default: 0] += row.n
        }
        for edge in hours.edges { found.merge(try await edge.declinedSurveys(), uniquingKeysWith: +) }
        return found
    }
}

extension ReportQueries.AnswerRow {
    func adding(_ other: Self) -> Self {
        Self(
            g: g, top: top + other.top, scored: scored + other.scored, scale_sum: scale_sum + other.scale_sum,
            scale_count: scale_count + other.scale_count, promoters: promoters + other.promoters,
            passives: passives + other.passives, detractors: detractors + other.detractors)
    }
}
