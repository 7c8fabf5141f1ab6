import Fluent
import SQLKit

/// A user's notifications in id order (`notifications_user_id`): what the live stream resumes from
/// (`user_id = ? AND id > ?`) and the newest one a page shows (`max(id)` of a user), each one index probe however
/// many notifications a supervisor has collected.
struct M032NotificationsByUser: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw("CREATE INDEX notifications_user_id ON notifications (user_id, id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX notifications_user_id").run()
    }
}
