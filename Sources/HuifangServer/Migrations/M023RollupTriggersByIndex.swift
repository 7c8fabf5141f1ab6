import Fluent
import SQLKit

/// The roll-up triggers again, as `RollupTriggers` now writes them: on PostgreSQL they find the changed rows'
/// tasks, records and reasons on their indexes instead of through a semi-join planned for one row (a batch of
/// 128 reasons took 5 s). Replacing a trigger does not change what it counts.
struct M023RollupTriggersByIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let triggers = RollupTriggers(sql)
        guard triggers.facts.isPostgres else { return }  // SQLite's triggers read one row and are unchanged
        try await database.transaction { database in  // no moment without the triggers
            let sql = database.sql
            try await triggers.drop(on: sql)
            try await triggers.create(on: sql)
        }
    }

    func revert(on database: any Database) async throws {}
}
