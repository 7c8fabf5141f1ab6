import Fluent
import SQLKit

/// On PostgreSQL, what `M042CallListVersions` keeps on SQLite: a number per agent that every change to what her
/// call list shows moves on, and one (`everyone`) for a customer's name or number, an agent's name or a rule's name,
/// kept by triggers inside the writing transaction whoever writes.
///
/// Not one row per agent bumped in place: its lock would make every writer of the agent's tasks (and the planner,
/// which writes everyone's in one transaction) wait for the others to commit. Each writing statement appends a row
/// per agent it changed instead, and the number is the sum of the agent's rows. Appends never wait on each other,
/// and a row becomes visible with the change it counts. A writer that finds more than `compactAbove` of an agent's
/// rows replaces those it sees by one holding their sum, in its own transaction — the sum any reader sees stays the
/// same — and only when no other transaction is doing so for the agent (a transaction-level advisory lock it does
/// not wait for), so writers never wait on each other here either. Only in read-committed transactions (the
/// server's): an older snapshot would miss another's compaction and fail on the rows it removed.
///
/// Statement-level triggers: the planner's statement of many rows appends once per agent. A task's update counts
/// only when a column the list shows (`shownTaskColumns`) actually changes (transition tables); a statement that
/// sets a customer's name or number, a user's display name or a rule's name counts for everyone, as does a delete
/// of any of these or a `TRUNCATE`. A reason's change counts for its task's agent when this transaction wrote the
/// task, else for everyone (see `agentsOf`).
struct M043CallListChanges: AsyncMigration {
    static let table = "call_list_changes"
    /// Stands for `CallListPages.everyone` in the table's uuid column.
    static let everyone = "00000000-0000-0000-0000-000000000000"
    static let compactAbove = 64
    /// The advisory lock space of compaction (the key within it is the agent's hash).
    static let lockSpace = 4301

    func prepare(on database: any Database) async throws {
        guard database.sql.dialect.name == "postgresql" else { return }
        try await database.transaction { database in
            for statement in Self.statements { try await database.sql.raw(SQLQueryString(statement)).run() }
        }
    }

    func revert(on database: any Database) async throws {
        guard database.sql.dialect.name == "postgresql" else { return }
        try await database.transaction { database in
            let sql = database.sql
            for trigger in Self.triggers {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: trigger.name) ON \(unsafeRaw: trigger.table)")
                    .run()
                try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: trigger.name)()").run()
            }
            try await sql.raw("DROP FUNCTION IF EXISTS call_list_changed(uuid[])").run()
            try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: Self.table)").run()
        }
    }

    /// The task columns the list shows, orders or chooses by, as `M042CallListVersions.shownTaskColumns` read when
    /// this migration was written: a column read by the list later needs a migration that replaces
    /// `call_list_task_update` (`CREATE OR REPLACE FUNCTION`). PostgreSQL does not track the columns a function
    /// body names: renaming or dropping one of these makes every update of a task fail until that is done.
    static let shownTaskColumns = [
        "customer_id", "status", "priority", "channel", "script", "due_at", "deadline_at", "callback_at",
        "assigned_agent_id", "assignment_basis", "assignment_load",
    ]

    static var statements: [String] {
        [
            "CREATE TABLE \(table) (agent uuid NOT NULL, n bigint NOT NULL)",
            "CREATE INDEX call_list_changes_agent ON \(table) (agent) INCLUDE (n)",
            changedFunction,
        ]
            + triggers.flatMap { trigger in
                [
                    """
                    CREATE FUNCTION \(trigger.name)() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN \(trigger.body) RETURN NULL; END $$
                    """,
                    """
                    CREATE TRIGGER \(trigger.name) AFTER \(trigger.event) ON \(trigger.table)
                    \(trigger.transitionTables) FOR EACH STATEMENT EXECUTE FUNCTION \(trigger.name)()
                    """,
                ]
            }
    }

    /// Appends a row for each of `agents`, compacting an agent's rows when there are many (see above). The
    /// isolation level first: in a serializable transaction even reading the agent's rows could make two writers of
    /// her tasks fail each other's serialization.
    private static let changedFunction = """
        CREATE FUNCTION call_list_changed(agents uuid[]) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE a uuid;
        BEGIN
          FOREACH a IN ARRAY agents LOOP
            INSERT INTO \(table) (agent, n) VALUES (a, 1);
            IF current_setting('transaction_isolation') = 'read committed' THEN  -- IFs nested: in this order
              IF (SELECT count(*) FROM (SELECT 1 FROM \(table) WHERE agent = a LIMIT \(compactAbove + 1)) x)
                   > \(compactAbove) THEN
                IF pg_try_advisory_xact_lock(\(lockSpace), hashtext(a::text)) THEN
                  WITH gone AS (DELETE FROM \(table) WHERE agent = a RETURNING n)
                  INSERT INTO \(table) (agent, n) SELECT a, sum(n) FROM gone HAVING count(*) > 0;
                END IF;
              END IF;
            END IF;
          END LOOP;
        END $$
        """

    /// Calls `call_list_changed` with the distinct non-null agents `query` selects (as `x`).
    private static func append(_ query: String) -> String {
        "PERFORM call_list_changed(ARRAY(SELECT DISTINCT x FROM (\(query)) q WHERE x IS NOT NULL));"
    }
    private static let toEveryone = "PERFORM call_list_changed(ARRAY['\(everyone)'::uuid]);"

    /// Rows of the shown columns (with `id`) in `rows` and not in `other`: set difference, which PostgreSQL hashes,
    /// rather than a join of the transition tables (a plan kept from a statement of one row made a nested loop of a
    /// 100,000-row one, for many minutes).
    private static func changed(in rows: String, notIn other: String) -> String {
        let list = (["id"] + shownTaskColumns).joined(separator: ", ")
        return "SELECT \(list) FROM \(rows) EXCEPT SELECT \(list) FROM \(other)"
    }

    /// Whose lists a change of the reasons `rows` may show in. A task this transaction wrote (its row's `xmin`)
    /// stays with the agent read here until it commits: a reassignment waits for its lock, or cannot see a task
    /// inserted here. Any other task may be moved to another agent by a transaction committing meanwhile, whose own
    /// trigger cannot see this reason yet, so the change counts for everyone. Each task is looked up by its key: a
    /// plan PL/pgSQL keeps from a statement of few rows must not become a hash of every task for one of many.
    private static func agentsOf(_ rows: String) -> String {
        """
        SELECT (SELECT CASE WHEN t.xmin = pg_current_xact_id()::xid THEN t.assigned_agent_id
                            ELSE '\(everyone)'::uuid END
                FROM \(FollowUpTask.schema) t WHERE t.id = r.task_id) AS x
        FROM \(rows) r
        """
    }

    struct Trigger {
        let table: String
        let name: String
        let event: String
        let body: String

        /// Row changes read the rows before (`old_rows`) and after (`new_rows`); the rest have none.
        var transitionTables: String {
            switch event {
            case "INSERT": "REFERENCING NEW TABLE AS new_rows"
            case "DELETE": "REFERENCING OLD TABLE AS old_rows"
            case "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            default: ""
            }
        }
    }

    static let triggers: [Trigger] = {
        let (tasks, reasons) = (FollowUpTask.schema, TaskReason.schema)
        // A changed task's agent after the change and before (the agent is one of the shown columns).
        let bothAgents =
            "SELECT assigned_agent_id AS x FROM (\(changed(in: "new_rows", notIn: "old_rows"))) n "
            + "UNION ALL SELECT assigned_agent_id FROM (\(changed(in: "old_rows", notIn: "new_rows"))) o"
        var triggers = [
            Trigger(
                table: tasks, name: "call_list_task_insert", event: "INSERT",
                body: append("SELECT assigned_agent_id AS x FROM new_rows")),
            Trigger(table: tasks, name: "call_list_task_update", event: "UPDATE", body: append(bothAgents)),
            Trigger(
                table: tasks, name: "call_list_task_delete", event: "DELETE",
                body: append("SELECT assigned_agent_id AS x FROM old_rows")),
            Trigger(
                table: reasons, name: "call_list_reason_insert", event: "INSERT", body: append(agentsOf("new_rows"))),
            Trigger(
                table: reasons, name: "call_list_reason_update", event: "UPDATE",
                body: append(agentsOf("new_rows") + " UNION ALL " + agentsOf("old_rows"))),
            Trigger(
                table: reasons, name: "call_list_reason_delete", event: "DELETE", body: append(agentsOf("old_rows"))),
        ]
        // Names shown in anyone's list: a statement that sets one counts once, whether or not it changed a value
        // (as on SQLite), and without transition tables (an update of other columns of every customer pays nothing).
        for (table, columns) in [
            (Customer.schema, "name, mobile"), (User.schema, "display_name"), (RuleRecord.schema, "name"),
        ] {
            let stem = "call_list_\(table)"
            triggers += [
                Trigger(table: table, name: stem + "_update", event: "UPDATE OF \(columns)", body: toEveryone),
                Trigger(table: table, name: stem + "_delete", event: "DELETE", body: toEveryone),
            ]
        }
        // Plain SQL may empty a table at once.
        for table in [tasks, reasons, Customer.schema, User.schema, RuleRecord.schema] {
            triggers.append(
                Trigger(table: table, name: "call_list_\(table)_truncate", event: "TRUNCATE", body: toEveryone))
        }
        return triggers
    }()
}
