import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Sessions end when their user's terms change or their time is up, and anonymous visitors make none.
@Suite struct SessionSecurityTests {
    /// The edit form of `/users/:id` as an admin sends it, with `changes` over the user's current values.
    func edit(
        _ admin: inout PageClient, _ user: User,
        _ changes: [String: String]
    ) async throws -> TestingHTTPResponse {
        let fields = [
            "displayName": user.displayName, "role": user.role.rawValue, "department": "", "isActive": "1",
            "password": "", "email": "",
        ].merging(changes) { $1 }
        let sent = fields.filter { !($0.key == "isActive" && $0.value.isEmpty) }  // an unticked box is not sent
        return try await admin.post("/users/\(user.id!)", form: sent)
    }

    @Test(arguments: [["password": "a-new-password"], ["role": "handler"], ["isActive": ""]])
    func anAdminChangingAPasswordRoleOrActivityEndsThatUsersSessions(change: [String: String]) async throws {
        try await withHuifang { app in
            // setup
            let (admin, adminPassword) = try await makeUser(app, .admin)
            let (agent, agentPassword) = try await makeUser(app, .agent)
            var stolen = try await PageClient.signedIn(app, agent.username, agentPassword)
            #expect(try await stolen.get("/tasks/mine").status == .ok)
            var console = try await PageClient.signedIn(app, admin.username, adminPassword)
            // MUT
            #expect(try await edit(&console, agent, change).status == .seeOther)
            // validation
            let after = try await stolen.get("/tasks/mine")
            #expect(after.status == .seeOther && after.headers.first(name: .location)?.hasPrefix("/login") == true)
            #expect(try await console.get("/users").status == .ok, "the admin's own session is untouched")
        }
    }

    @Test func changingOnesOwnPasswordKeepsThisSessionAndEndsTheOthers() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin)
            var here = try await PageClient.signedIn(app, admin.username, password)
            var elsewhere = try await PageClient.signedIn(app, admin.username, password)
            #expect(try await edit(&here, admin, ["password": "another-long-password"]).status == .seeOther)
            #expect(try await here.get("/users").status == .ok)
            #expect(try await elsewhere.get("/users").status == .seeOther)
        }
    }

    @Test func everyTokenOfAUserIsRevokedAtOnceFromThePageAndTheAPI() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin)
            let (agent, _) = try await makeUser(app, .agent)
            let tokens = [try await makeToken(app, agent), try await makeToken(app, agent)]
            var console = try await PageClient.signedIn(app, admin.username, password)
            #expect(try await console.post("/users/\(agent.id!)/tokens/revoke-all", form: [:]).status == .seeOther)
            for token in tokens {
                #expect(try await send(app, .GET, "/api/v1/customers", token: token).status == .unauthorized)
            }
            let adminToken = try await makeToken(app, admin)
            let third = try await makeToken(app, agent)
            let revoked = try await send(app, .DELETE, "/api/v1/users/\(agent.id!)/tokens", token: adminToken)
            #expect(revoked.status == .ok && revoked.body.string.contains("\"revoked\":1"))
            #expect(try await send(app, .GET, "/api/v1/customers", token: third).status == .unauthorized)
            #expect(try await send(app, .GET, "/api/v1/customers", token: adminToken).status == .ok)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "token.revokeAll").count() == 2)
        }
    }

    /// Moves the stored time `key` of every session `seconds` into the past.
    func age(_ app: Application, _ key: String, by seconds: Double) async throws {
        for record in try await SessionRecord.query(on: app.db).all() {
            record.data[key] = String(Double(record.data[key] ?? "0")! - seconds)
            try await record.save(on: app.db)
        }
    }

    @Test(arguments: [("seen", 121.0 * 60), ("at", 12.0 * 3600 + 1)])
    func aSessionPastItsIdleOrAbsoluteLimitEndsOnTheServer(key: String, seconds: Double) async throws {
        try await withHuifang { app in
            let (agent, password) = try await makeUser(app, .agent)
            var client = try await PageClient.signedIn(app, agent.username, password)
            let cookie = client.cookie
            try await age(app, key, by: seconds)
            #expect(try await client.get("/tasks/mine").status == .seeOther)
            client.cookie = cookie  // a copy of the cookie kept by an attacker
            #expect(try await client.get("/tasks/mine").status == .seeOther)
            #expect(try await SessionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aBusySessionStaysWhileItIsUsed() async throws {
        try await withHuifang(["HUIFANG_SESSION_IDLE_MINUTES": "30"]) { app in
            let (agent, password) = try await makeUser(app, .agent)
            var client = try await PageClient.signedIn(app, agent.username, password)
            try await age(app, "seen", by: 29 * 60)
            try await age(app, "at", by: 29 * 60)
            #expect(try await client.get("/tasks/mine").status == .ok)
            try await age(app, "seen", by: 29 * 60)
            #expect(try await client.get("/tasks/mine").status == .ok, "the last request counts as seen")
        }
    }

    @Test func anonymousVisitorsMakeNoSessionRows() async throws {
        try await withHuifang { app in
            let (agent, _) = try await makeUser(app, .agent)
            var visitor = PageClient(app)
            try await visitor.get("/login")
            try await visitor.get("/no-such-page")
            try await visitor.get("/customers")
            _ = try await visitor.signIn(agent.username, "wrong-password")
            visitor.cookie = "forged-session-id"
            try await visitor.get("/login")
            #expect(try await SessionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aSignInPostedFromAnotherSiteIsRefused() async throws {
        try await withHuifang { app in
            let (agent, password) = try await makeUser(app, .agent)
            let body = "username=\(agent.username)&password=\(password)"
            var headers: HTTPHeaders = ["Origin": "https://evil.example", "Host": "127.0.0.1:8080"]
            headers.contentType = .urlEncodedForm
            let forged = try await app.testing().sendRequest(
                .POST, "/login", headers: headers,
                body: .init(string: body))
            #expect(forged.status == .forbidden && forged.headers.setCookie?["huifang_session"] == nil)
            headers.replaceOrAdd(name: "Origin", value: "http://127.0.0.1:8080")
            let genuine = try await app.testing().sendRequest(
                .POST, "/login", headers: headers,
                body: .init(string: body))
            #expect(genuine.status == .seeOther && genuine.headers.setCookie?["huifang_session"] != nil)
        }
    }

    @Test func housekeepingPurgesExpiredSessionsAndOldSignInAttempts() async throws {
        try await withHuifang { app in
            let (agent, password) = try await makeUser(app, .agent)
            _ = try await PageClient.signedIn(app, agent.username, password)
            _ = try await PageClient.signedIn(app, agent.username, password)
            let dayOld = Date().addingTimeInterval(-25 * 3600)
            try await LoginAttempt(username: "x", address: "1.2.3.4", at: dayOld, succeeded: false).create(on: app.db)
            let housekeeping = Housekeeping(db: app.db, config: app.huifang)
            let now = try await housekeeping.run(now: Date())
            #expect(now.sessions == 0 && now.attempts == 1)
            let later = try await housekeeping.run(now: Date().addingTimeInterval(3 * 3600))
            #expect(later.sessions == 2)
            #expect(try await SessionRecord.query(on: app.db).count() == 0)
            #expect(try await LoginAttempt.query(on: app.db).count() == 2, "this day's attempts stay")
        }
    }
}
