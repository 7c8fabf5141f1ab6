import Fluent
import Foundation
import SQLKit

/// Survey link keys that can be rotated: the newest is current, older ones are accepted until their grace
/// ends. The key made at migration 15 becomes the first; links are signed with each key stretched with
/// `HUIFANG_SECRET`, so the database alone no longer signs anything.
struct M017CreateLinkKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw(
            """
            CREATE TABLE link_keys (id INTEGER PRIMARY KEY, secret VARCHAR(128) NOT NULL,
            created_at DOUBLE PRECISION NOT NULL, accepted_until DOUBLE PRECISION)
            """
        ).run()
        try await sql.raw(
            """
            INSERT INTO link_keys (id, secret, created_at)
            SELECT 1, secret, \(bind: Date().timeIntervalSince1970) FROM signing_keys WHERE name = 'survey-link'
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE link_keys").run()
    }
}
