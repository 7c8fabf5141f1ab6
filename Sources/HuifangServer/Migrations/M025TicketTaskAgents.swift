import Fluent
import SQLKit

/// An agent sees the tickets opened from their tasks and those whose verification task is theirs. Found
/// through the agent's tasks, that scope read every task the agent ever had (333,333 tasks: 0.24–0.67 s a
/// page). Each ticket now carries the agents of its two tasks, `task_agent_id` and `verification_agent_id`,
/// so the agent's queue is an index range in list order like the others.
///
/// The database keeps them, not the application: triggers copy a task's agent when a ticket is linked to the
/// task, when the task is reassigned (by a person, the planner or an import) and when it is deleted, so no
/// write path can leave a ticket showing a former agent. The columns are not in the `Ticket` model. A later
/// migration that drops or renames `task_id`, `verification_task_id` or `assigned_agent_id` must drop these
/// triggers first (SQLite refuses to drop a column a trigger names).
struct M025TicketTaskAgents: AsyncMigration {
    static let columns = ["task_agent_id", "verification_agent_id"]
    /// Partial: only tickets opened from a task (a seventh in a busy call centre) have an entry.
    static let indexes = [
        "CREATE INDEX tickets_list_task_agent ON tickets (task_agent_id, list_rank, list_urgency, id) "
            + "WHERE task_agent_id IS NOT NULL",
        "CREATE INDEX tickets_list_verification_agent ON tickets (verification_agent_id, list_rank, list_urgency, id) "
            + "WHERE verification_agent_id IS NOT NULL",
        "CREATE INDEX tickets_task ON tickets (task_id) WHERE task_id IS NOT NULL",
        "CREATE INDEX tickets_verification_task ON tickets (verification_task_id) WHERE verification_task_id IS NOT NULL",
    ]
    static let triggers = [
        "tickets_task_agents_insert", "tickets_task_agents_update", "tasks_agent_to_tickets",
        "tasks_gone_from_tickets",
    ]

    func prepare(on database: any Database) async throws {
        try await database.transaction { database in  // no moment with a ticket linked and its agent not copied
            let sql = database.sql
            if sql.dialect.name == "postgresql" {
                // No reassignment may commit between the copy below and the triggers that keep it (another
                // instance or the command line at work during the upgrade); tickets are locked by the ALTER.
                try await sql.raw("LOCK TABLE follow_up_tasks IN SHARE ROW EXCLUSIVE MODE").run()
            }
            for column in Self.columns {
                try await database.schema(Ticket.schema).field(FieldKey(stringLiteral: column), .uuid).update()
            }
            for (column, task) in [("task_agent_id", "task_id"), ("verification_agent_id", "verification_task_id")] {
                try await sql.raw(
                    """
                    UPDATE tickets SET \(ident: column) =
                      (SELECT assigned_agent_id FROM follow_up_tasks WHERE follow_up_tasks.id = tickets.\(ident: task))
                    WHERE \(ident: task) IS NOT NULL
                    """
                ).run()
            }
            for name in ["tickets_list_task", "tickets_list_verification"] { try await sql.drop(index: name).run() }
            for statement in Self.indexes { try await sql.raw("\(unsafeRaw: statement)").run() }
            let statements = sql.dialect.name == "postgresql" ? Self.postgresTriggers : Self.sqliteTriggers
            for statement in statements { try await sql.raw("\(unsafeRaw: statement)").run() }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.transaction { database in
            let sql = database.sql
            let postgres = sql.dialect.name == "postgresql"
            for name in Self.triggers {
                let table = name.hasPrefix("tasks") ? FollowUpTask.schema : Ticket.schema
                try await sql.raw(
                    "DROP TRIGGER IF EXISTS \(unsafeRaw: name)\(unsafeRaw: postgres ? " ON " + table : "")"
                )
                .run()
            }
            if postgres {
                for name in ["tickets_task_agents", "tasks_agent_to_tickets", "tasks_gone_from_tickets"] {
                    try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: name)()").run()
                }
            }
            for name in [
                "tickets_list_task_agent", "tickets_list_verification_agent", "tickets_task",
                "tickets_verification_task",
            ] {
                try await sql.drop(index: name).run()
            }
            for (name, column) in [
                ("tickets_list_task", "task_id"), ("tickets_list_verification", "verification_task_id"),
            ] {
                try await sql.create(index: name).on(Ticket.schema)
                    .column(column).column("list_rank").column("list_urgency").column("id").run()
            }
            for column in Self.columns {
                try await database.schema(Ticket.schema).deleteField(FieldKey(stringLiteral: column)).update()
            }
        }
    }

    /// A ticket's two agents, read from its tasks.
    private static let sqliteCopy = """
        UPDATE tickets SET
          task_agent_id = (SELECT assigned_agent_id FROM follow_up_tasks WHERE id = NEW.task_id),
          verification_agent_id = (SELECT assigned_agent_id FROM follow_up_tasks WHERE id = NEW.verification_task_id)
        WHERE id = NEW.id;
        """

    static let sqliteTriggers = [
        """
        CREATE TRIGGER tickets_task_agents_insert AFTER INSERT ON tickets FOR EACH ROW
        WHEN NEW.task_id IS NOT NULL OR NEW.verification_task_id IS NOT NULL
        BEGIN \(sqliteCopy) END
        """,
        """
        CREATE TRIGGER tickets_task_agents_update AFTER UPDATE OF task_id, verification_task_id ON tickets FOR EACH ROW
        WHEN OLD.task_id IS NOT NEW.task_id OR OLD.verification_task_id IS NOT NEW.verification_task_id
        BEGIN \(sqliteCopy) END
        """,
        """
        CREATE TRIGGER tasks_agent_to_tickets AFTER UPDATE OF assigned_agent_id ON follow_up_tasks FOR EACH ROW
        WHEN OLD.assigned_agent_id IS NOT NEW.assigned_agent_id
        BEGIN
          UPDATE tickets SET task_agent_id = NEW.assigned_agent_id WHERE task_id = NEW.id;
          UPDATE tickets SET verification_agent_id = NEW.assigned_agent_id WHERE verification_task_id = NEW.id;
        END
        """,
        """
        CREATE TRIGGER tasks_gone_from_tickets AFTER DELETE ON follow_up_tasks FOR EACH ROW
        BEGIN
          UPDATE tickets SET task_agent_id = NULL WHERE task_id = OLD.id;
          UPDATE tickets SET verification_agent_id = NULL WHERE verification_task_id = OLD.id;
        END
        """,
    ]

    /// On PostgreSQL the ticket's own trigger runs before the row is written and sets its columns. It reads the
    /// task whose link changed `FOR SHARE` (only that one: locking both could deadlock against a reassignment):
    /// a reassignment committing meanwhile is waited for and seen, and one that starts later waits for the ticket
    /// and then finds it.
    static let postgresTriggers = [
        """
        CREATE FUNCTION tickets_task_agents() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          IF TG_OP = 'INSERT' OR NEW.task_id IS DISTINCT FROM OLD.task_id THEN
            SELECT assigned_agent_id INTO NEW.task_agent_id FROM follow_up_tasks WHERE id = NEW.task_id FOR SHARE;
          END IF;
          IF TG_OP = 'INSERT' OR NEW.verification_task_id IS DISTINCT FROM OLD.verification_task_id THEN
            SELECT assigned_agent_id INTO NEW.verification_agent_id FROM follow_up_tasks
              WHERE id = NEW.verification_task_id FOR SHARE;
          END IF;
          RETURN NEW;
        END $f$
        """,
        """
        CREATE TRIGGER tickets_task_agents_insert BEFORE INSERT ON tickets FOR EACH ROW
        WHEN (NEW.task_id IS NOT NULL OR NEW.verification_task_id IS NOT NULL) EXECUTE FUNCTION tickets_task_agents()
        """,
        """
        CREATE TRIGGER tickets_task_agents_update BEFORE UPDATE OF task_id, verification_task_id ON tickets FOR EACH ROW
        WHEN (OLD.task_id IS DISTINCT FROM NEW.task_id OR OLD.verification_task_id IS DISTINCT FROM NEW.verification_task_id)
        EXECUTE FUNCTION tickets_task_agents()
        """,
        """
        CREATE FUNCTION tasks_agent_to_tickets() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          UPDATE tickets SET task_agent_id = NEW.assigned_agent_id WHERE task_id = NEW.id;
          UPDATE tickets SET verification_agent_id = NEW.assigned_agent_id WHERE verification_task_id = NEW.id;
          RETURN NULL;
        END $f$
        """,
        """
        CREATE TRIGGER tasks_agent_to_tickets AFTER UPDATE OF assigned_agent_id ON follow_up_tasks FOR EACH ROW
        WHEN (OLD.assigned_agent_id IS DISTINCT FROM NEW.assigned_agent_id) EXECUTE FUNCTION tasks_agent_to_tickets()
        """,
        """
        CREATE FUNCTION tasks_gone_from_tickets() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          UPDATE tickets SET task_agent_id = NULL WHERE task_id = OLD.id;
          UPDATE tickets SET verification_agent_id = NULL WHERE verification_task_id = OLD.id;
          RETURN NULL;
        END $f$
        """,
        """
        CREATE TRIGGER tasks_gone_from_tickets AFTER DELETE ON follow_up_tasks FOR EACH ROW
        EXECUTE FUNCTION tasks_gone_from_tickets()
        """,
    ]
}
