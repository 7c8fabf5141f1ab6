import Fluent
import SQLKit

/// An attempt's phone call (issue 17): the phone system's call whose answer and hang-up gave the attempt its times.
/// One call times one attempt, and is one logged inbound call, only: unique where set, so two saves at once cannot
/// both take it. And the index that finds an agent's latest calls.
struct M038RecordPhoneCalls: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FollowUpRecord.schema).field("phone_call_id", .int).update()
        let sql = database.sql
        for (index, table) in Self.oneEach {
            try await sql.raw(
                "CREATE UNIQUE INDEX \(unsafeRaw: index) ON \(unsafeRaw: table) (phone_call_id) WHERE phone_call_id IS NOT NULL"
            ).run()
        }
        try await sql.create(index: "phone_calls_agent_rang").on(PhoneCall.schema).column("agent_id").column("rang_at")
            .run()
    }

    static let oneEach = [
        ("follow_up_records_phone_call", FollowUpRecord.schema), ("calls_phone_call", InboundCall.schema),
    ]

    func revert(on database: any Database) async throws {
        let sql = database.sql
        try await sql.drop(index: "phone_calls_agent_rang").run()
        for (index, _) in Self.oneEach { try await sql.drop(index: index).run() }
        try await database.schema(FollowUpRecord.schema).deleteField("phone_call_id").update()
    }
}
