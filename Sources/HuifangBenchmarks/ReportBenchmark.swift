import Fluent
import Foundation
import HuifangCore
import HuifangServer
import SQLKit
import Vapor

extension Operations {
    /// Fills an empty database with synthetic history — `records` completed follow-ups (and the 5 % of
    /// tasks never reached), one task reason and one scored answer each, `tickets` tickets and `calls`
    /// inbound calls, spread evenly over `months` months ending with October 2026 across 20 agents in five
    /// departments — generated inside the database, the roll-ups counted from it once, then times October's
    /// figures as the report page asks for them.
    // Long: a benchmark script read top to bottom: rows made in SQL, indexes rebuilt, roll-ups counted, figures timed.
    public static func reportBenchmark(
        on app: Application, records: Int, tickets: Int, calls: Int, months: Int,
        runs: Int, reuse: Bool = false, countRows: Bool = false
    ) async throws -> String {
        let counting: ReportQueries.Counting = countRows ? .rows : .rollups
        let db = app.db
        let sql = db.sql
        struct Count: Decodable { let count: Int }
        if reuse {
            return try await timeReports(
                on: app, runs: runs, counting: counting,
                lines: ["reusing the history generated before"])
        }
        for table in ["follow_up_records", "tickets"] {
            let existing =
                try await sql.raw("SELECT COUNT(*) AS count FROM \(unsafeRaw: table)").first(decoding: Count.self)?
                .count ?? 0
            guard existing == 0 else {
                throw OperationError("the benchmark needs a database without \(table) (this one has \(existing))")
            }
        }
        let isPostgres = sql.dialect.name == "postgresql"
        var lines: [String] = []
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        let last = ReportPeriod(month: "2026-10")!
        let first = last.from.adding(months: -(months - 1))
        let days = last.to.dayNumber - first.dayNumber + 1
        let epoch0 = Int(calendar.instant(local: Int64(first.dayNumber) * 86_400).timeIntervalSince1970)

        func series(_ n: Int) -> String {
            isPostgres
                ? "generate_series(1, \(n)) AS s(i)"
                : "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < \(n)) SELECT i FROM s) AS s"
        }
        func day(_ offset: String) -> String {
            isPostgres
                ? "to_char(DATE '\(first.iso)' + (\(offset)), 'YYYY-MM-DD')"
                : "date('\(first.iso)', '+' || (\(offset)) || ' days')"
        }
        func instant(_ seconds: String) -> String { isPostgres ? "to_timestamp(\(seconds))" : "(\(seconds))" }
        func timed(_ label: String, _ body: () async throws -> Void) async throws {
            let start = Date()
            try await body()
            lines.append(String(format: "  %@: %.1f s", label, Date().timeIntervalSince(start)))
        }

        // Like a bulk load: the big tables' secondary indexes are dropped while the rows go in and built again
        // afterwards (sorted, in one pass), which is many times quicker than keeping them up row by row.
        let bulkTables = [
            "follow_up_tasks", "follow_up_task_reasons", "follow_up_records", "survey_answers", "tickets", "calls",
            "customers",
        ]
        struct IndexRow: Decodable {
            let name: String
            let definition: String
        }
        let indexes: [IndexRow]
        if isPostgres {
            indexes = try await sql.raw(
                """
                SELECT indexname AS name, indexdef AS definition FROM pg_indexes
                WHERE tablename IN (\(binds: bulkTables)) AND indexname NOT IN (SELECT conname FROM pg_constraint)
                """
            ).all(decoding: IndexRow.self)
        } else {
            indexes = try await sql.raw(
                """
                SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND tbl_name IN (\(binds: bulkTables)) AND sql IS NOT NULL
                """
            ).all(decoding: IndexRow.self)
        }
        for index in indexes { try await sql.raw("DROP INDEX \(ident: index.name)").run() }
        // The roll-ups too: counted once from the loaded rows, as the migration does, instead of row by row.
        try await RollupTriggers(sql).drop(on: sql)

        let agents = 20
        var departments: [UUID] = []
        for index in 0..<5 {
            let department = Department()
            department.name = "部门\(index)"
            try await department.create(on: db)
            departments.append(department.id!)
        }
        for index in 0..<agents {
            let user = User(username: "bench\(index)", displayName: "坐席\(index)", passwordHash: "!", role: .agent)
            user.$department.id = departments[index % departments.count]
            try await user.create(on: db)
        }
        let customers = max(1000, records / 25)
        let tasks = records * 20 / 19
        let rules = try await RuleRecord.query(on: db).sort(\.$id).range(..<4).all().map { $0.id! }
        let ruleOf =
            "CASE id % \(rules.count) "
            + rules.enumerated().map { "WHEN \($0.offset) THEN \($0.element)" }.joined(separator: " ") + " END"
        lines.append(
            "filling: \(customers) customers, \(tasks) tasks over \(months) months (\(first.iso)–\(last.to.iso)), \(tickets) tickets, \(calls) calls"
        )
        try await timed("customers") {
            try await sql.raw(
                """
                INSERT INTO customers (name, tier, consent, do_not_disturb, registered_on, assigned_agent_id)
                SELECT 'C' || i, CASE i % 4 WHEN 0 THEN '普通' WHEN 1 THEN '银卡' WHEN 2 THEN '金卡' ELSE '白金卡' END, TRUE, FALSE, '2020-01-01', u.id
                FROM \(unsafeRaw: series(customers)) JOIN users u ON u.username = 'bench' || (i % \(unsafeRaw: String(agents)))
                """
            ).run()
        }
        // Tasks come in day by day as in real life (task i on day (i − 1) × days ÷ tasks); every 20th is never
        // reached, every 5th is done 4 days late.
        let d = "CAST((i - 1) * CAST(\(days) AS BIGINT) / \(tasks) AS INTEGER)"
        let late = "(CASE WHEN i % 5 = 0 THEN 4 ELSE 0 END)"
        try await timed("tasks") {
            try await sql.raw(
                """
                INSERT INTO follow_up_tasks (id, customer_id, status, priority, channel, script, required_skill, max_attempts, attempts, contact_windows,
                  due_on, deadline_on, due_at, deadline_at, planned_on, assigned_agent_id, completed_at, completed_on, created_at)
                SELECT i, (CAST(i AS BIGINT) * 7919) % \(unsafeRaw: String(customers)) + 1, CASE WHEN i % 20 = 0 THEN 'unreachable' ELSE 'completed' END, 3, 'phone', '', '', 3, 1, '',
                  \(unsafeRaw: day(d)), \(unsafeRaw: day(d + " + 3")), \(unsafeRaw: instant("\(epoch0) + \(d) * 86400 + 3600")),
                  \(unsafeRaw: instant("\(epoch0) + (\(d) + 3) * 86400 + 61200")), \(unsafeRaw: day(d)), u.id,
                  CASE WHEN i % 20 = 0 THEN NULL ELSE \(unsafeRaw: instant("\(epoch0) + (\(d) + \(late)) * 86400 + 36000 + (i % 3600)")) END,
                  CASE WHEN i % 20 = 0 THEN NULL ELSE \(unsafeRaw: day("\(d) + \(late)")) END, \(unsafeRaw: instant(String(epoch0)))
                FROM \(unsafeRaw: series(tasks)) JOIN users u ON u.username = 'bench' || (i % \(unsafeRaw: String(agents)))
                """
            ).run()
        }
        try await timed("task reasons") {
            try await sql.raw(
                """
                INSERT INTO follow_up_task_reasons (task_id, customer_id, rule_id, occurrence_key, triggered_on, due_on, deadline_on)
                SELECT id, customer_id, \(unsafeRaw: ruleOf), 'B' || id, due_on, due_on, deadline_on
                FROM follow_up_tasks
                """
            ).run()
        }
        try await timed("records") {
            try await sql.raw(
                """
                INSERT INTO follow_up_records (id, task_id, customer_id, agent_id, agent_name, source, channel, started_at, ended_at, duration_seconds, outcome,
                  contact_made, completed, needs_retry, stop_contacting, result, notes, recording_consent, recording_ref, corrections, ticket_proposed, created_at)
                SELECT id, id, customer_id, assigned_agent_id, 'bench', 'agent', 'phone', completed_at, completed_at, 120, 'reached',
                  TRUE, TRUE, FALSE, FALSE, 'completed', '', FALSE, '', '', FALSE, completed_at FROM follow_up_tasks WHERE status = 'completed'
                """
            ).run()
        }
        try await timed("answers") {
            try await sql.raw(
                """
                INSERT INTO survey_answers (record_id, survey_id, customer_id, question_key, indicator, type, value, score, is_top_two, meets_threshold, answered_at)
                SELECT id, 1, customer_id, 'q1', CASE WHEN id % 2 = 0 THEN '服务态度' ELSE '产品质量' END, 'scale5', CAST(1 + id % 5 AS TEXT), 1 + id % 5,
                  (id % 5) >= 3, FALSE, ended_at FROM follow_up_records
                """
            ).run()
        }
        let t = "CAST((i - 1) * CAST(\(days) AS BIGINT) / \(tickets) AS INTEGER)"
        let l = "CAST((i - 1) * CAST(\(days) AS BIGINT) / \(calls) AS INTEGER)"
        try await timed("tickets") {
            try await sql.raw(
                """
                INSERT INTO tickets (kind, category, severity, urgent, source, customer_id, description, handler_id, status, reopen_count, policy,
                  first_response_due, resolution_due, first_response_at, resolved_at, closed_at, measures, plan_owner, compensation, extensions,
                  customer_satisfied, created_at)
                SELECT CASE i % 5 WHEN 0 THEN 'complaint' WHEN 1 THEN 'quality' WHEN 2 THEN 'service' WHEN 3 THEN 'suggestion' ELSE 'other' END,
                  CASE i % 3 WHEN 0 THEN 'attitude' WHEN 1 THEN 'delay' ELSE 'damage' END, CASE i % 7 WHEN 0 THEN 'serious' ELSE 'general' END, FALSE, 'call',
                  (CAST(i AS BIGINT) * 104729) % \(unsafeRaw: String(customers)) + 1, '…', u.id,
                  CASE WHEN i % 10 = 0 THEN 'inProgress' WHEN i % 5 = 3 THEN (CASE WHEN i % 2 = 0 THEN 'adopted' ELSE 'declined' END) ELSE 'closed' END,
                  CASE WHEN i % 11 = 0 THEN 1 ELSE 0 END, 'default',
                  \(unsafeRaw: instant("\(epoch0) + \(t) * 86400 + 36000")), \(unsafeRaw: instant("\(epoch0) + (\(t) + 3) * 86400 + 36000")),
                  \(unsafeRaw: instant("\(epoch0) + \(t) * 86400 + 39600")),
                  CASE WHEN i % 10 = 0 THEN NULL ELSE \(unsafeRaw: instant("\(epoch0) + (\(t) + CASE WHEN i % 9 = 0 THEN 5 ELSE 2 END) * 86400 + 36000")) END,
                  CASE WHEN i % 10 = 0 OR i % 5 = 3 THEN NULL ELSE \(unsafeRaw: instant("\(epoch0) + (\(t) + 6) * 86400 + 36000")) END,
                  '', '', '', 0, CASE WHEN i % 10 = 0 OR i % 5 = 3 THEN NULL ELSE (i % 13 <> 0) END, \(unsafeRaw: instant("\(epoch0) + \(t) * 86400 + 36000"))
                FROM \(unsafeRaw: series(tickets)) JOIN users u ON u.username = 'bench' || (i % \(unsafeRaw: String(agents)))
                """
            ).run()
        }
        try await timed("calls") {
            try await sql.raw(
                """
                INSERT INTO calls (at, agent_id, agent_name, phone, matter, summary, handling, recording_consent)
                SELECT \(unsafeRaw: instant("\(epoch0) + \(l) * 86400 + 3600 + (i * 37) % 36000")), u.id, 'bench', '',
                  CASE i % 4 WHEN 0 THEN '配送查询' WHEN 1 THEN '维修进度' WHEN 2 THEN '投诉' ELSE '会员积分' END, '', 'answered', FALSE
                FROM \(unsafeRaw: series(calls)) JOIN users u ON u.username = 'bench' || (i % \(unsafeRaw: String(agents)))
                """
            ).run()
        }
        try await timed("indexes (\(indexes.count))") {
            for index in indexes { try await sql.raw("\(unsafeRaw: index.definition)").run() }
        }
        try await timed("roll-ups") {
            try await RollupFacts(sql).rebuild(on: sql)
            try await RollupTriggers(sql).create(on: sql)
        }
        try await timed("analyze") {
            if isPostgres {
                for table in ["follow_up_tasks", "follow_up_records"] {
                    try await sql.raw(
                        "SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT MAX(id) FROM \(unsafeRaw: table)))"
                    ).run()
                }
            }
            // PostgreSQL counts from an index alone once VACUUM has marked the pages all-visible (autovacuum does it in time).
            try await sql.raw(isPostgres ? "VACUUM ANALYZE" : "ANALYZE").run()
        }
        let counts =
            try await sql.raw(
                """
                SELECT (SELECT COUNT(*) FROM follow_up_records) AS count
                """
            ).first(decoding: Count.self)?.count ?? 0
        lines.append("follow-up records: \(counts)")
        return try await timeReports(on: app, runs: runs, counting: counting, lines: lines)
    }

    /// Times October 2026's figures, ungrouped and grouped as the report page asks for them.
    private static func timeReports(
        on app: Application, runs: Int, counting: ReportQueries.Counting,
        lines: [String]
    ) async throws -> String {
        var lines = lines + (counting == .rows ? ["counting the rows, not the roll-ups"] : [])
        let last = ReportPeriod(month: "2026-10")!
        let service = ReportService(db: app.db, language: app.huifang.defaultLanguage, counting: counting)
        for grouping in [ReportGrouping.none, .agent, .department, .rule, .tier] {
            var seconds: [Double] = []
            var report: FigureReport?
            for _ in 0..<runs {
                let start = Date()
                report = try await service.report(last, groupedBy: grouping)
                seconds.append(Date().timeIntervalSince(start))
            }
            let sorted = seconds.sorted()
            let overall = report!.overall
            lines.append(
                String(
                    format:
                        "October's figures grouped by %@: median %.2f s of %d runs (min %.2f, max %.2f); completion %@ of %d tasks, satisfaction %@ of %d answers, %d tickets opened",
                    grouping.rawValue, sorted[sorted.count / 2], runs, sorted.first!, sorted.last!,
                    overall.rate(.completion).text,
                    overall.rate(.completion).denominator, overall.rate(.satisfaction).text,
                    overall.rate(.satisfaction).denominator,
                    overall.rate(.resolution).denominator))
        }
        return lines.joined(separator: "\n")
    }
}
