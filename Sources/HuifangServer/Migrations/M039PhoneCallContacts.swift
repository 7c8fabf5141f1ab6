import Fluent
import SQLKit

/// One phone call is one contact across attempts and logged inbound calls alike. M038's unique indexes hold within
/// each table only, so an attempt and a logged call saved at the same instant could both take one call. A save now
/// takes its call by inserting the call's id here, in its own transaction: the primary key lets the first have it.
struct M039PhoneCallContacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PhoneCall.contacts)
            .field("phone_call_id", .int, .identifier(auto: false))
            .create()
        let sql = database.sql
        for table in [FollowUpRecord.schema, InboundCall.schema] {
            try await sql.raw(
                """
                INSERT INTO \(ident: PhoneCall.contacts) (phone_call_id)
                SELECT phone_call_id FROM \(ident: table) WHERE phone_call_id IS NOT NULL
                AND phone_call_id NOT IN (SELECT phone_call_id FROM \(ident: PhoneCall.contacts))
                """
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PhoneCall.contacts).delete()
    }
}
