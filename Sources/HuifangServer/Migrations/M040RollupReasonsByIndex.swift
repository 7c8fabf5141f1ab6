import Fluent
import SQLKit

/// A migration that writes the roll-up triggers again, as `RollupTriggers` now writes them. Replacing a trigger
/// does not change what it counts.
protocol RollupTriggersRewrite: AsyncMigration {}

extension RollupTriggersRewrite {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in  // no moment without the triggers
            let sql = database.sql
            let triggers = RollupTriggers(sql)
            try await triggers.drop(on: sql)
            try await triggers.create(on: sql)
        }
    }

    func revert(on database: any Database) async throws {}
}

/// The rule groups read the changed tasks' and records' reasons, and an agent change its tasks' records, on their
/// indexes. Joined to the whole tables, a statement over thousands of rows made PostgreSQL hash every reason (a
/// second a statement at a million customers).
struct M040RollupReasonsByIndex: RollupTriggersRewrite {}
