import SQLKit

/// The rows behind the follow-up figures, added up by day (tasks) or by UTC hour (records and answers)
/// per agent and per rule, in three roll-up tables that triggers keep equal to counting the rows
/// (`RollupTriggers`). Each function here writes one kind of fact for the rows of the relations it is
/// given, multiplied by `sign`: +1 adds rows that appear, −1 takes away rows that go. The same statements
/// fill the tables from scratch (`rebuild`), so a trigger and a rebuild can never count differently.
///
/// The keys are those of `ReportQueries.key`: `agent` is the task's agent as text ('' for none), `rule`
/// one row per task reason (a task with two reasons counts in both rules' groups).
package struct RollupFacts {
    let isPostgres: Bool

    package init(_ sql: any SQLDatabase) {
        isPostgres = sql.dialect.name == "postgresql"
    }

    /// The agent's id as the text stored in `k` ('' for none); the report joins users on the same expression.
    func agentText(_ column: String) -> String {
        isPostgres ? "COALESCE(CAST(\(column) AS TEXT), '')" : "COALESCE(\(column), '')"
    }

    /// Whole UTC hours since 1970 of an instant.
    func hour(_ column: String) -> String {
        isPostgres ? "CAST(FLOOR(EXTRACT(EPOCH FROM \(column)) / 3600) AS BIGINT)" : "CAST(\(column) / 3600 AS INTEGER)"
    }

    static let taskColumns = [
        "id", "status", "due_on", "completed_on", "completed_at", "deadline_at",
        "assigned_agent_id",
    ]
    static let reasonColumns = ["id", "task_id", "rule_id", "triggered_on"]
    static let recordColumns = ["id", "task_id", "ended_at", "survey_declined"]
    static let answerColumns = ["id", "record_id", "answered_at", "is_top_two", "type", "score"]

    enum Dimensions {
        case both, agent, rule
        var agent: Bool { self != .rule }
        var rule: Bool { self != .agent }
    }

    private func upsert(_ table: String, keys: [String], sums: [String], _ select: String) -> String {
        let set = sums.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO \(table) (\((keys + sums).joined(separator: ", "))) \(select) "
            + "ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET \(set)"
    }

    static let taskSums = ["due", "due_completed", "completed", "completed_in_time"]

    /// Completion (tasks due on a day, not cancelled; completed) and timeliness (tasks completed on a day;
    /// by their deadline). `tasks` is a relation aliased `t`, `reasons` one aliased `tr`.
    func taskDays(_ sign: Int, tasks: String, reasons: String, _ dims: Dimensions = .both) -> [String] {
        let facts = """
            SELECT t.id AS task_id, t.assigned_agent_id AS agent, t.due_on AS day, 1 AS due,
              CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END AS dc, 0 AS c, 0 AS ct
            FROM \(tasks) WHERE t.status <> 'cancelled' AND t.due_on IS NOT NULL
            UNION ALL
            SELECT t.id, t.assigned_agent_id, t.completed_on, 0, 0, 1,
              CASE WHEN t.completed_at <= t.deadline_at THEN 1 ELSE 0 END
            FROM \(tasks) WHERE t.status = 'completed' AND t.completed_on IS NOT NULL
            """
        let sums = "\(sign) * SUM(f.due), \(sign) * SUM(f.dc), \(sign) * SUM(f.c), \(sign) * SUM(f.ct)"
        let keys = ["dim", "k", "day"]
        var statements: [String] = []
        if dims.agent {
            statements.append(
                upsert(
                    "report_task_days", keys: keys, sums: Self.taskSums,
                    """
                    SELECT 'agent', \(agentText("f.agent")), f.day, \(sums) FROM (\(facts)) f WHERE 1 = 1
                    GROUP BY \(agentText("f.agent")), f.day
                    """))
        }
        if dims.rule {
            statements.append(
                upsert(
                    "report_task_days", keys: keys, sums: Self.taskSums,
                    """
                    SELECT 'rule', CAST(tr.rule_id AS TEXT), f.day, \(sums) FROM (\(facts)) f
                    JOIN \(reasons) ON tr.task_id = f.task_id WHERE 1 = 1 GROUP BY tr.rule_id, f.day
                    """))
        }
        return statements
    }

    /// The median's counts: completed tasks by completion day and first trigger day (the earliest of the
    /// task's reasons in `trig`, a relation aliased `x`; '' when it has none).
    func lagDays(_ sign: Int, tasks: String, reasons: String, trig: String, _ dims: Dimensions = .both) -> [String] {
        let facts = """
            SELECT t.id AS task_id, t.assigned_agent_id AS agent, t.completed_on AS day,
              COALESCE((SELECT MIN(x.triggered_on) FROM \(trig) WHERE x.task_id = t.id), '') AS trig
            FROM \(tasks) WHERE t.status = 'completed' AND t.completed_on IS NOT NULL
            """
        let keys = ["dim", "k", "day", "trig"]
        var statements: [String] = []
        if dims.agent {
            statements.append(
                upsert(
                    "report_lag_days", keys: keys, sums: ["n"],
                    """
                    SELECT 'agent', \(agentText("f.agent")), f.day, f.trig, \(sign) * COUNT(*) FROM (\(facts)) f WHERE 1 = 1
                    GROUP BY \(agentText("f.agent")), f.day, f.trig
                    """))
        }
        if dims.rule {
            statements.append(
                upsert(
                    "report_lag_days", keys: keys, sums: ["n"],
                    """
                    SELECT 'rule', CAST(tr.rule_id AS TEXT), f.day, f.trig, \(sign) * COUNT(*) FROM (\(facts)) f
                    JOIN \(reasons) ON tr.task_id = f.task_id WHERE 1 = 1 GROUP BY tr.rule_id, f.day, f.trig
                    """))
        }
        return statements
    }

    static let answerSums = [
        "declined", "answers", "top", "scored", "scale_sum", "scale_count",
        "promoters", "passives", "detractors",
    ]

    /// Where a record's agent comes from: its task (`ag`), or a relation standing in for the task.
    static let taskAgents = "LEFT JOIN follow_up_tasks ag ON ag.id = r.task_id"

    /// Whether the record `alias` counts as a survey declined: the only fact a record of its own counts.
    static func declined(_ alias: String) -> String {
        "\(alias).survey_declined = TRUE AND \(alias).ended_at IS NOT NULL"
    }

    /// Completed follow-ups whose customer declined the survey, by the hour the record ended. `records` is a
    /// relation aliased `r`; `agents` joins `ag` (with `assigned_agent_id`) to it.
    func declined(
        _ sign: Int, records: String, agents: String = taskAgents, reasons: String,
        _ dims: Dimensions = .both
    ) -> [String] {
        let filter = Self.declined("r")
        let sums = "\(sign) * COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0"
        return hourStatements(
            dims, sums: sums, hour: hour("r.ended_at"), from: records, agents: agents,
            ruleJoin: "JOIN \(reasons) ON tr.task_id = r.task_id", filter: filter)
    }

    /// Answers by the hour they were given: how many, the top two levels, the scored ones, the 1–5 scale's sum
    /// and count and NPS's three groups. `answers` is aliased `a`, `records` `r` (the answer's record).
    func answers(
        _ sign: Int, answers: String, records: String, agents: String = taskAgents, reasons: String,
        _ dims: Dimensions = .both
    ) -> [String] {
        func count(_ condition: String) -> String {
            "\(sign) * COALESCE(SUM(CASE WHEN \(condition) THEN 1 ELSE 0 END), 0)"
        }
        let sums = [
            "\(sign) * COUNT(*)", count("a.is_top_two = TRUE"), count("a.is_top_two IS NOT NULL"),
            "\(sign) * CAST(COALESCE(SUM(CASE WHEN a.type = 'scale5' THEN a.score ELSE 0 END), 0) AS BIGINT)",
            count("a.type = 'scale5'"), count("a.type = 'nps' AND a.score >= 9"),
            count("a.type = 'nps' AND a.score BETWEEN 7 AND 8"), count("a.type = 'nps' AND a.score <= 6"),
        ]
        return hourStatements(
            dims, sums: "0, " + sums.joined(separator: ", "), hour: hour("a.answered_at"),
            from: "\(answers) JOIN \(records) ON r.id = a.record_id", agents: agents,
            ruleJoin: "JOIN \(reasons) ON tr.task_id = r.task_id",
            filter: "a.answered_at IS NOT NULL")
    }

    private func hourStatements(
        _ dims: Dimensions, sums: String, hour: String, from: String, agents: String,
        ruleJoin: String, filter: String
    ) -> [String] {
        let keys = ["dim", "k", "hour"]
        var statements: [String] = []
        if dims.agent {
            let agent = agentText("ag.assigned_agent_id")
            statements.append(
                upsert(
                    "report_answer_hours", keys: keys, sums: Self.answerSums,
                    """
                    SELECT 'agent', \(agent), \(hour), \(sums) FROM \(from) \(agents) WHERE \(filter)
                    GROUP BY \(agent), \(hour)
                    """))
        }
        if dims.rule {
            statements.append(
                upsert(
                    "report_answer_hours", keys: keys, sums: Self.answerSums,
                    """
                    SELECT 'rule', CAST(tr.rule_id AS TEXT), \(hour), \(sums) FROM \(from) \(ruleJoin) WHERE \(filter)
                    GROUP BY tr.rule_id, \(hour)
                    """))
        }
        return statements
    }

    /// Every roll-up counted again from the rows (the migration, and the benchmark after a bulk load).
    package func rebuild(on sql: any SQLDatabase) async throws {
        for table in ["report_task_days", "report_lag_days", "report_answer_hours"] {
            try await sql.raw("DELETE FROM \(unsafeRaw: table)").run()
        }
        let reasons = "follow_up_task_reasons tr"
        let statements =
            taskDays(1, tasks: "follow_up_tasks t", reasons: reasons)
            + lagDays(1, tasks: "follow_up_tasks t", reasons: reasons, trig: "follow_up_task_reasons x")
            + declined(1, records: "follow_up_records r", reasons: reasons)
            + answers(1, answers: "survey_answers a", records: "follow_up_records r", reasons: reasons)
        for statement in statements { try await sql.raw("\(unsafeRaw: statement)").run() }
    }
}
