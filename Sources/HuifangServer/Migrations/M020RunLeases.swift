import Fluent
import Foundation
import SQLKit

/// Leases name runs, not processes, and planner runs say how they ended: `running`, `finished`, `failed`
/// or `abandoned` (found dead), with the reason. One scheduled run per day among those running or finished,
/// so a dead one no longer blocks its day.
struct M020RunLeases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await database.schema(PlannerRun.schema)
            .field("status", .string, .required, .sql(.default("finished"))).update()
        try await database.schema(PlannerRun.schema).field("run_id", .string).update()
        try await database.schema(PlannerRun.schema).field("reason", .string).update()
        // Runs left unfinished by a crash before now: the next run, or the scheduler's next tick, marks them abandoned.
        try await sql.raw("UPDATE planner_runs SET status = 'running' WHERE finished_at IS NULL").run()
        try await sql.raw("DROP INDEX planner_runs_scheduled_day").run()
        try await sql.raw(
            """
            CREATE UNIQUE INDEX planner_runs_scheduled_day_live ON planner_runs (day)
            WHERE \(ident: "trigger") = 'schedule' AND status IN ('running', 'finished')
            """
        ).run()
        try await sql.raw("ALTER TABLE job_leases ADD COLUMN taken_at DOUBLE PRECISION").run()
        try await sql.raw("ALTER TABLE job_leases ADD COLUMN instance VARCHAR(128)").run()
        // Leases taken for an hour by the processes of before lapse within two minutes, as from now on.
        let cap = Date().timeIntervalSince1970 + 120
        try await sql.raw("UPDATE job_leases SET expires_at = \(bind: cap) WHERE expires_at > \(bind: cap)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("ALTER TABLE job_leases DROP COLUMN instance").run()
        try await sql.raw("ALTER TABLE job_leases DROP COLUMN taken_at").run()
        try await sql.raw("DROP INDEX planner_runs_scheduled_day_live").run()
        try await sql.raw(
            """
            DELETE FROM planner_runs WHERE \(ident: "trigger") = 'schedule' AND status NOT IN ('running', 'finished')
            """
        ).run()
        try await sql.raw(
            """
            CREATE UNIQUE INDEX planner_runs_scheduled_day ON planner_runs (day) WHERE \(ident: "trigger") = 'schedule'
            """
        ).run()
        try await database.schema(PlannerRun.schema).deleteField("reason").update()
        try await database.schema(PlannerRun.schema).deleteField("run_id").update()
        try await database.schema(PlannerRun.schema).deleteField("status").update()
    }
}
