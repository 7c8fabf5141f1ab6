import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// An id, once given, is never given again: an old audit entry or call keeps pointing at whom it named.
@Suite struct IdentifierTests {
    func createCustomer(_ app: Application, _ token: String, _ name: String) async throws -> Int {
        struct Created: Decodable { let id: Int }
        let response = try await send(
            app, .POST, "/api/v1/customers", token: token, body: ["name": name, "tier": "普通"])
        #expect(response.status == .created, "\(response.body.string)")
        return try response.content.decode(Created.self).id
    }

    @Test func theIdOfADeletedNewestRowIsNotGivenAgain() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            _ = try await createCustomer(app, token, "王芳")
            let newest = try await createCustomer(app, token, "李娜")
            try await Customer.query(on: app.db).filter(\.$id == newest).delete()
            let next = try await createCustomer(app, token, "张伟")
            #expect(next > newest)
        }
    }

    @Test func anExistingSQLiteDatabaseIsMigratedToNeverReuseIds() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-ids-\(UUID()).sqlite").path
        try await withHuifang(["HUIFANG_DATABASE_URL": "sqlite:" + file]) { app in
            let sql = app.db.sql
            guard sql.dialect.name == "sqlite" else { return }  // PostgreSQL's identity columns never reused an id
            try await Self.makeIdsReusable(app.db)  // how every table was declared before this release
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            _ = try await createCustomer(app, token, "王芳")
            let newest = try await createCustomer(app, token, "李娜")
            try await Customer.query(on: app.db).filter(\.$id == newest).delete()
            #expect(try await createCustomer(app, token, "赵敏") == newest, "before the upgrade the id came back")

            try await migrate(app)  // the upgrade
            try await Customer.query(on: app.db).filter(\.$id == newest).delete()  // 赵敏, the newest again
            let declared = try await sql.raw("SELECT sql FROM sqlite_master WHERE name = 'customers'").first()!
                .decode(column: "sql", as: String.self)
            #expect(declared.contains("AUTOINCREMENT"))
            #expect(try await createCustomer(app, token, "张伟") > newest)
            let tables = try await sql.raw(
                """
                SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND instr(sql, '"id" INTEGER PRIMARY KEY,') > 0
                """
            ).first()!.decode(column: "n", as: Int.self)
            #expect(tables == 0, "every table with an integer id is upgraded")
        }
    }

    /// Rewrites every table back to a plain `INTEGER PRIMARY KEY`, as databases made before the upgrade are.
    static func makeIdsReusable(_ db: any Database) async throws {
        try await db.transaction { db in
            let sql = db.sql
            let version = try await sql.raw("PRAGMA schema_version").first()!.decode(
                column: "schema_version", as: Int.self)
            try await sql.raw("PRAGMA writable_schema = ON").run()
            try await sql.raw(
                """
                UPDATE sqlite_master SET sql = replace(sql, \(bind: SQLiteAutoincrement.autoincrement),
                \(bind: SQLiteAutoincrement.plain)) WHERE type = 'table'
                """
            ).run()
            try await sql.raw("DELETE FROM sqlite_sequence").run()
            try await sql.raw("PRAGMA schema_version = \(unsafeRaw: String(version + 1))").run()
            try await sql.raw("PRAGMA writable_schema = OFF").run()
        }
    }
}

/// Which statements may go to a reader connection: only plain queries; anything that may write goes to the writer.
@Suite struct StatementRoutingTests {
    @Test func onlySelectAndExplainGoToAReader() {
        #expect(SerialSQLiteDatabase.onlyReads("SELECT id FROM customers"))
        #expect(SerialSQLiteDatabase.onlyReads("  (select 1)"))
        #expect(SerialSQLiteDatabase.onlyReads("EXPLAIN QUERY PLAN SELECT 1"))
        #expect(!SerialSQLiteDatabase.onlyReads("WITH due AS (SELECT id FROM tickets)\nUPDATE tickets SET x = 1"))
        #expect(!SerialSQLiteDatabase.onlyReads("INSERT INTO audit_log (at) VALUES (1)"))
        #expect(!SerialSQLiteDatabase.onlyReads("PRAGMA writable_schema = ON"))
        #expect(!SerialSQLiteDatabase.onlyReads("DELETE FROM job_leases"))
    }
}
