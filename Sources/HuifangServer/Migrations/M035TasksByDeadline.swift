import Fluent
import SQLKit

/// The board by deadline (`sort=deadline`): open tasks read in deadline order off the index, a page at a time by
/// key, instead of sorting every open task for each page.
struct M035TasksByDeadline: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw(
            "CREATE INDEX tasks_status_deadline ON follow_up_tasks (status, deadline_at, priority, id)"
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX tasks_status_deadline").run()
    }
}
