import Fluent
import SQLKit

/// An attempt's phone call (issue 17): the phone system's call whose answer and hang-up gave the attempt its times,
/// so that one call times one attempt only; and the index that finds an agent's latest calls.
struct M038RecordPhoneCalls: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FollowUpRecord.schema).field("phone_call_id", .int).update()
        let sql = database.sql
        try await sql.create(index: "follow_up_records_phone_call").on(FollowUpRecord.schema).column("phone_call_id")
            .run()
        try await sql.create(index: "phone_calls_agent_rang").on(PhoneCall.schema).column("agent_id").column("rang_at")
            .run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        try await sql.drop(index: "phone_calls_agent_rang").run()
        try await sql.drop(index: "follow_up_records_phone_call").run()
        try await database.schema(FollowUpRecord.schema).deleteField("phone_call_id").update()
    }
}
