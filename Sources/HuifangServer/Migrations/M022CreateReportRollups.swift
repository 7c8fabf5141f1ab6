import Fluent
import SQLKit

/// The figures' roll-ups (`RollupFacts`): tasks by day, the median's counts by day and trigger day, declined
/// surveys and answers by UTC hour — per agent and per rule — filled from the rows already there and kept
/// equal to them by triggers (`RollupTriggers`).
struct M022CreateReportRollups: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        func sums(_ builder: SchemaBuilder, _ columns: [String]) -> SchemaBuilder {
            columns.reduce(builder) { $0.field(FieldKey(stringLiteral: $1), .int64, .required, .sql(.default(0))) }
        }
        func keyed(_ table: String) -> SchemaBuilder {
            database.schema(table).field("dim", .string, .required).field("k", .string, .required)
        }
        try await sums(keyed("report_task_days").field("day", .string, .required), RollupFacts.taskSums)
            .unique(on: "dim", "k", "day").create()
        try await keyed("report_lag_days").field("day", .string, .required).field("trig", .string, .required)
            .field("n", .int64, .required)
            .unique(on: "dim", "k", "day", "trig").create()
        try await sums(keyed("report_answer_hours").field("hour", .int64, .required), RollupFacts.answerSums)
            .unique(on: "dim", "k", "hour").create()
        try await RollupFacts(sql).rebuild(on: sql)
        try await RollupTriggers(sql).create(on: sql)
    }

    func revert(on database: any Database) async throws {
        try await RollupTriggers(database.sql).drop(on: database.sql)
        for table in ["report_answer_hours", "report_lag_days", "report_task_days"] {
            try await database.schema(table).delete()
        }
    }
}
