import SQLKit

/// The triggers that keep the roll-ups (`RollupFacts`) equal to counting the rows, inside the transaction
/// that writes the rows — whoever writes: the record service, the planner, imports, the demo, plain SQL.
///
/// Each trigger takes away the facts of the rows as they were and adds those of the rows as they are, for
/// the facts that involve the changed rows only, so the order in which rows change never matters:
/// - inserts and updates run after the statement (PostgreSQL: once per statement, over its transition
///   tables; SQLite: after each row);
/// - deleting a task or a record runs before each row goes, while its reasons, records and answers are
///   still there (a cascade deletes them afterwards, and finds their facts already taken away);
/// - a task's new agent carries its records' and answers' facts along.
package struct RollupTriggers {
    let facts: RollupFacts

    package init(_ sql: any SQLDatabase) {
        facts = RollupFacts(sql)
    }

    enum Event: String {
        case insert = "INSERT"
        case update = "UPDATE"
        case delete = "DELETE"
    }

    struct Trigger {
        let name: String
        let table: String
        let event: Event
        /// The table's columns the facts read; an update that changes none of `changed` does nothing.
        let columns: [String]
        var changed: [String] = []
        /// For an insert: what a new row (the alias given) meets when the trigger counts anything for it.
        var counts: ((String) -> String)? = nil
        /// Runs before each row is deleted (a delete whose cascades must find the facts already taken away).
        var beforeRow = false
        /// The statements, given the new and the old rows as relations (without alias).
        let body: (_ new: String, _ old: String) -> [String]
    }

    private static let tasks = "follow_up_tasks", reasons = "follow_up_task_reasons"
    private static let records = "follow_up_records", answers = "survey_answers"

    private func select(_ columns: [String], from table: String, where condition: String) -> String {
        "(SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE \(condition))"
    }

    /// `column` is one of the values `query` gives (or, `negated`, none of them). On PostgreSQL as an array the
    /// query fills once, read on the column's index: the transition tables have no statistics, and a semi-join
    /// planned for one row ran through every completed task for each changed row (5 s a statement in the demo).
    private func member(_ column: String, of query: String, negated: Bool = false) -> String {
        guard facts.isPostgres else { return "\(column) \(negated ? "NOT IN" : "IN") (\(query))" }
        return "\(column) \(negated ? "<> ALL" : "= ANY") (ARRAY(\(query)))"
    }

    var all: [Trigger] {
        let reasonTable = "\(Self.reasons) tr"
        let trigTable = "\(Self.reasons) x"
        let taskColumns = RollupFacts.taskColumns
        let recordColumns = RollupFacts.recordColumns
        let answerColumns = RollupFacts.answerColumns
        let reasonColumns = RollupFacts.reasonColumns
        func tasksOf(_ relation: String) -> String {
            let condition = member("id", of: "SELECT task_id FROM \(relation) q")
            return select(taskColumns, from: Self.tasks, where: condition) + " t"
        }
        func recordsOf(_ relation: String) -> String {
            let condition = member("task_id", of: "SELECT task_id FROM \(relation) q")
            return select(recordColumns, from: Self.records, where: condition) + " r"
        }
        func answersOf(_ records: String) -> String {
            let condition = member("record_id", of: "SELECT id FROM \(records) q")
            return select(answerColumns, from: Self.answers, where: condition) + " a"
        }
        /// The reasons of the tasks whose ids `relation` holds in `key`, for the rule groups: read on their index
        /// whatever the number of rows (joined to the whole table, a statement of thousands of tasks hashed all
        /// reasons — a second a statement at a million customers).
        func reasonsOf(_ relation: String, key: String = "id") -> String {
            select(reasonColumns, from: Self.reasons, where: member("task_id", of: "SELECT \(key) FROM \(relation) q"))
                + " tr"
        }
        /// The facts of reasons `relation` joined to their tasks and records, for the rule groups.
        func reasonFacts(_ sign: Int, _ relation: String) -> [String] {
            facts.taskDays(sign, tasks: tasksOf(relation), reasons: "\(relation) tr", .rule)
                + facts.declined(sign, records: recordsOf(relation), reasons: "\(relation) tr", .rule)
                + facts.answers(
                    sign, answers: "\(Self.answers) a", records: recordsOf(relation),
                    reasons: "\(relation) tr", .rule)
        }
        /// A task's records and answers, counted for the agent in `agents` (a relation with id and assigned_agent_id).
        func recordsOfAgents(_ sign: Int, _ agents: String) -> [String] {
            let join = "JOIN \(agents) ag ON ag.id = r.task_id"
            let records = select(
                recordColumns, from: Self.records, where: member("task_id", of: "SELECT id FROM \(agents) q"))
            return facts.declined(sign, records: records + " r", agents: join, reasons: reasonTable, .agent)
                + facts.answers(
                    sign, answers: answersOf(records), records: records + " r", agents: join,
                    reasons: reasonTable, .agent)
        }
        return [
            Trigger(name: "rollup_tasks_insert", table: Self.tasks, event: .insert, columns: taskColumns) { new, _ in
                facts.taskDays(1, tasks: "\(new) t", reasons: reasonsOf(new))
                    + facts.lagDays(1, tasks: "\(new) t", reasons: reasonsOf(new), trig: trigTable)
            },
            Trigger(
                name: "rollup_tasks_update", table: Self.tasks, event: .update, columns: taskColumns,
                changed: Array(taskColumns.dropFirst())
            ) { new, old in
                facts.taskDays(-1, tasks: "\(old) t", reasons: reasonsOf(old))
                    + facts.taskDays(1, tasks: "\(new) t", reasons: reasonsOf(new))
                    + facts.lagDays(-1, tasks: "\(old) t", reasons: reasonsOf(old), trig: trigTable)
                    + facts.lagDays(1, tasks: "\(new) t", reasons: reasonsOf(new), trig: trigTable)
            },
            Trigger(
                name: "rollup_tasks_agent", table: Self.tasks, event: .update, columns: ["id", "assigned_agent_id"],
                changed: ["assigned_agent_id"]
            ) { new, old in
                recordsOfAgents(-1, old) + recordsOfAgents(1, new)
            },
            Trigger(
                name: "rollup_tasks_delete", table: Self.tasks, event: .delete, columns: taskColumns,
                beforeRow: true
            ) { _, old in
                facts.taskDays(-1, tasks: "\(old) t", reasons: reasonsOf(old))
                    + facts.lagDays(-1, tasks: "\(old) t", reasons: reasonsOf(old), trig: trigTable)
                    // Its records stay counted, without an agent, until they go too.
                    + recordsOfAgents(-1, old) + recordsOfAgents(1, "(SELECT OLD.id AS id, NULL AS assigned_agent_id)")
            },
            Trigger(
                name: "rollup_reasons_insert", table: Self.reasons, event: .insert,
                columns: reasonColumns
            ) { new, old in
                reasonFacts(1, new) + lagDelta(new: new, old: old)
            },
            Trigger(
                name: "rollup_reasons_update", table: Self.reasons, event: .update, columns: reasonColumns,
                changed: ["task_id", "rule_id", "triggered_on"]
            ) { new, old in
                reasonFacts(-1, old) + reasonFacts(1, new) + lagDelta(new: new, old: old)
            },
            Trigger(
                name: "rollup_reasons_delete", table: Self.reasons, event: .delete,
                columns: reasonColumns
            ) { new, old in
                reasonFacts(-1, old) + lagDelta(new: new, old: old)
            },
            Trigger(
                name: "rollup_records_insert", table: Self.records, event: .insert,
                columns: recordColumns, counts: RollupFacts.declined
            ) { new, _ in
                facts.declined(1, records: "\(new) r", reasons: reasonsOf(new, key: "task_id"))
            },
            Trigger(
                name: "rollup_records_update", table: Self.records, event: .update, columns: recordColumns,
                changed: ["task_id", "ended_at", "survey_declined"]
            ) { new, old in
                facts.declined(-1, records: "\(old) r", reasons: reasonsOf(old, key: "task_id"))
                    + facts.declined(1, records: "\(new) r", reasons: reasonsOf(new, key: "task_id"))
                    + facts.answers(
                        -1, answers: answersOf(old), records: "\(old) r", reasons: reasonsOf(old, key: "task_id"))
                    + facts.answers(
                        1, answers: answersOf(new), records: "\(new) r", reasons: reasonsOf(new, key: "task_id"))
            },
            Trigger(
                name: "rollup_records_delete", table: Self.records, event: .delete, columns: recordColumns,
                beforeRow: true
            ) { _, old in
                facts.declined(-1, records: "\(old) r", reasons: reasonsOf(old, key: "task_id"))
                    + facts.answers(
                        -1, answers: answersOf(old), records: "\(old) r", reasons: reasonsOf(old, key: "task_id"))
            },
            Trigger(
                name: "rollup_answers_insert", table: Self.answers, event: .insert,
                columns: answerColumns
            ) { new, _ in
                facts.answers(1, answers: "\(new) a", records: "\(Self.records) r", reasons: reasonTable)
            },
            Trigger(
                name: "rollup_answers_update", table: Self.answers, event: .update, columns: answerColumns,
                changed: Array(answerColumns.dropFirst())
            ) { new, old in
                facts.answers(-1, answers: "\(old) a", records: "\(Self.records) r", reasons: reasonTable)
                    + facts.answers(1, answers: "\(new) a", records: "\(Self.records) r", reasons: reasonTable)
            },
            Trigger(
                name: "rollup_answers_delete", table: Self.answers, event: .delete, columns: answerColumns,
                beforeRow: true
            ) { _, old in
                facts.answers(-1, answers: "\(old) a", records: "\(Self.records) r", reasons: reasonTable)
            },
        ]
    }

    /// A task's first trigger day is the earliest of its reasons: when reasons come, go or change, the
    /// completed tasks they belong to are counted again — taken away as they were (the reasons now less
    /// the new ones, plus the old ones) and added as they are.
    private func lagDelta(new: String, old: String) -> [String] {
        let columns = RollupFacts.reasonColumns.joined(separator: ", ")
        let affected = "SELECT task_id FROM \(new) qn UNION SELECT task_id FROM \(old) qo"
        let tasks =
            select(
                RollupFacts.taskColumns, from: Self.tasks,
                where: "status = 'completed' AND " + member("id", of: affected)) + " t"
        let now = select(RollupFacts.reasonColumns, from: Self.reasons, where: member("task_id", of: affected))
        let before =
            "(SELECT \(columns) FROM \(Self.reasons) WHERE " + member("task_id", of: affected)
            + " AND " + member("id", of: "SELECT id FROM \(new) qn", negated: true)
            + " UNION ALL SELECT \(columns) FROM \(old) qo)"
        return facts.lagDays(-1, tasks: tasks, reasons: "\(before) tr", trig: "\(before) x")
            + facts.lagDays(1, tasks: tasks, reasons: "\(now) tr", trig: "\(now) x")
    }

    /// No rows, typed like the table's (an insert has no old rows, a delete no new ones).
    private func empty(_ trigger: Trigger) -> String {
        let types = ["id": "BIGINT", "task_id": "BIGINT", "rule_id": "BIGINT", "record_id": "BIGINT"]
        let columns = trigger.columns.map { "CAST(NULL AS \(types[$0] ?? "TEXT")) AS \($0)" }
        return "(SELECT \(columns.joined(separator: ", ")) WHERE 1 = 0)"
    }

    /// One row's values (`NEW` or `OLD`) as a relation.
    private func row(_ prefix: String, _ columns: [String]) -> String {
        "(SELECT \(columns.map { "\(prefix).\($0) AS \($0)" }.joined(separator: ", ")))"
    }

    package func create(on sql: any SQLDatabase) async throws {
        for trigger in all {
            precondition(trigger.counts == nil || trigger.event == .insert, "\(trigger.name): `counts` is for inserts")
            for statement in facts.isPostgres ? postgres(trigger) : sqlite(trigger) {
                try await sql.raw("\(unsafeRaw: statement)").run()
            }
        }
    }

    package func drop(on sql: any SQLDatabase) async throws {
        for trigger in all {
            if facts.isPostgres {
                let name = trigger.name
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name) ON \(unsafeRaw: trigger.table)").run()
                try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: trigger.name)()").run()
            } else {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: trigger.name)").run()
            }
        }
    }

    private func sqlite(_ trigger: Trigger) -> [String] {
        let new = trigger.event == .delete ? empty(trigger) : row("NEW", trigger.columns)
        let old = trigger.event == .insert ? empty(trigger) : row("OLD", trigger.columns)
        var when =
            trigger.changed.isEmpty
            ? ""
            : " WHEN " + trigger.changed.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
        if let counts = trigger.counts { when = " WHEN " + counts("NEW") }
        let body = trigger.body(new, old).map { $0 + ";" }.joined(separator: "\n")
        let timing = trigger.beforeRow ? "BEFORE" : "AFTER"
        let event = "\(timing) \(trigger.event.rawValue) ON \(trigger.table) FOR EACH ROW\(when)"
        return ["CREATE TRIGGER \(trigger.name) \(event) BEGIN\n\(body)\nEND"]
    }

    private func postgres(_ trigger: Trigger) -> [String] {
        let new: String
        let old: String
        let timing: String
        let returning: String
        var leaveEarly = ""
        if trigger.beforeRow {
            (new, old) = (empty(trigger), row("OLD", trigger.columns))
            (timing, returning) = ("BEFORE DELETE ON \(trigger.table) FOR EACH ROW", "OLD")
        } else {
            switch trigger.event {
            case .insert:
                (new, old) = ("new_rows", empty(trigger))
                if let counts = trigger.counts {  // most records are no declined survey: nothing to count
                    leaveEarly =
                        "IF NOT EXISTS (SELECT 1 FROM new_rows n WHERE \(counts("n"))) THEN RETURN NULL; END IF;\n"
                }
                timing = "AFTER INSERT ON \(trigger.table) REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
            case .delete:
                (new, old) = (empty(trigger), "old_rows")
                timing = "AFTER DELETE ON \(trigger.table) REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
            case .update:
                // Only the rows whose counted columns changed.
                let differs =
                    "ROW(\(trigger.changed.map { "o.\($0)" }.joined(separator: ", "))) IS DISTINCT FROM "
                    + "ROW(\(trigger.changed.map { "n.\($0)" }.joined(separator: ", ")))"
                func changed(_ side: String) -> String {
                    "(SELECT \(trigger.columns.map { "\(side).\($0)" }.joined(separator: ", ")) FROM old_rows o "
                        + "JOIN new_rows n ON n.id = o.id WHERE \(differs))"
                }
                (new, old) = (changed("n"), changed("o"))
                // Most updates change none of the counted columns (an attempt moves only the task's count and
                // callback): those leave at once instead of running every statement over no rows.
                leaveEarly =
                    "IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE \(differs)) "
                    + "THEN RETURN NULL; END IF;\n"
                timing =
                    "AFTER UPDATE ON \(trigger.table) "
                    + "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
            }
            returning = "NULL"
        }
        let body = trigger.body(new, old).map { $0 + ";" }.joined(separator: "\n")
        return [
            "CREATE FUNCTION \(trigger.name)() RETURNS trigger LANGUAGE plpgsql AS $rollup$\n"
                + "BEGIN\n\(leaveEarly)\(body)\nRETURN \(returning);\nEND\n$rollup$",
            "CREATE TRIGGER \(trigger.name) \(timing) EXECUTE FUNCTION \(trigger.name)()",
        ]
    }
}
