import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct AuthenticationTests {
    /// Tokens are stored as their SHA-256 digest in hex: a digest written any other way would lock out every token
    /// already handed out.
    @Test func aTokensStoredDigestIsItsSHA256InLowercaseHex() {
        #expect(APIToken.digest("hf_0123") == "16bc93614b615500004ea241de56e0676e74d60fdbac206e00957c9795a37b8d")
        let (token, hash) = APIToken.generate()
        #expect(token.hasPrefix("hf_") && token.count == 67 && hash == APIToken.digest(token))
    }

    @Test func signingInSetsAnHttpOnlySameSiteCookieWithANewSessionID() async throws {
        try await withHuifang { app in
            let (user, password) = try await makeUser(app, .agent)
            var client = PageClient(app)
            try await client.get("/login")
            #expect(client.cookie == nil, "no session for an anonymous visitor")
            let before = "planted-by-an-attacker"
            client.cookie = before
            let response = try await client.post(
                "/login", form: ["username": user.username, "password": password, "next": "/customers"])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/customers")
            let cookie = try #require(response.headers.setCookie?["huifang_session"])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(cookie.string != before, "the session id must change on sign-in")
            #expect(try await client.get("/customers").status == .ok)
            let logins = try await AuditEntry.query(on: app.db).filter(\.$action == "login").count()
            #expect(logins == 1)
        }
    }

    @Test func aWrongPasswordIsRefusedAndAudited() async throws {
        try await withHuifang { app in
            let (user, _) = try await makeUser(app, .agent)
            var client = PageClient(app)
            let response = try await client.signIn(user.username, "not-the-password")
            #expect(response.status == .unauthorized)
            #expect(response.body.string.contains("用户名或密码错误"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "login.failed").count() == 1)
        }
    }

    @Test func fiveFailuresLockTheAccountAndTheLockOutIsAuditedOnce() async throws {
        try await withHuifang { app in
            let (user, password) = try await makeUser(app, .agent)
            var client = PageClient(app)
            for _ in 1...6 { _ = try await client.signIn(user.username, "wrong") }
            let locked = try await client.signIn(user.username, password)
            #expect(locked.status == .unauthorized)
            #expect(locked.body.string.contains("15 分钟后再试"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "login.lockout").count() == 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "login").count() == 0)
            // Another account from elsewhere is not affected.
            let (other, otherPassword) = try await makeUser(app, .supervisor)
            var second = PageClient(app)
            #expect(try await second.signIn(other.username, otherPassword).status == .seeOther)
        }
    }

    @Test func twentyFailuresFromOneAddressLockItOutForEveryAccount() async throws {
        try await withHuifang { app in
            let (user, password) = try await makeUser(app, .agent)
            var client = PageClient(app)
            for attempt in 1...20 { _ = try await client.signIn("guess\(attempt)", "wrong") }
            let locked = try await client.signIn(user.username, password)
            #expect(locked.status == .unauthorized)
            #expect(locked.body.string.contains("分钟后再试"))
            let lockout = try #require(
                try await AuditEntry.query(on: app.db).filter(\.$action == "login.lockout").first())
            #expect(lockout.detail == "address")
        }
    }

    @Test func formsWithoutTheSessionsCSRFTokenAreRefused() async throws {
        try await withHuifang { app in
            let (user, password) = try await makeUser(app, .supervisor)
            var client = try await PageClient.signedIn(app, user.username, password)
            let forged = try await client.post(
                "/customers", form: ["name": "王芳", "mobile": "13812345678"], csrf: "forged")
            #expect(forged.status == .forbidden)
            #expect(forged.body.string.contains("表单已过期"))
            #expect(try await Customer.query(on: app.db).count() == 0)
            let genuine = try await client.post("/customers", form: ["name": "王芳", "mobile": "13812345678"])
            #expect(genuine.status == .seeOther)
            #expect(try await Customer.query(on: app.db).count() == 1)
        }
    }

    @Test func signingOutEndsTheSession() async throws {
        try await withHuifang { app in
            let (user, password) = try await makeUser(app, .agent)
            var client = try await PageClient.signedIn(app, user.username, password)
            let out = try await client.post("/logout", form: [:])
            #expect(out.headers.first(name: .location) == "/login?signedOut=1")
            let after = try await client.get("/customers")
            #expect(after.status == .seeOther)
        }
    }

    @Test func revokedTokensAndDisabledUsersAreRefused() async throws {
        try await withHuifang { app in
            let (admin, _) = try await makeUser(app, .admin)
            let (agent, _) = try await makeUser(app, .agent)
            let adminToken = try await makeToken(app, admin)
            let agentToken = try await makeToken(app, agent)
            try await app.testing().test(.GET, "/api/v1/customers", headers: bearer(agentToken)) {
                #expect($0.status == .ok)
            }
            #expect(
                try await APIToken.query(on: app.db).filter(\.$tokenHash == APIToken.digest(agentToken)).count() == 1,
                "only the digest is stored")
            let record = try #require(try await APIToken.query(on: app.db).filter(\.$user.$id == agent.id!).first())
            try await app.testing().test(.DELETE, "/api/v1/tokens/\(record.id!)", headers: bearer(adminToken)) {
                #expect($0.status == .noContent)
            }
            try await app.testing().test(.GET, "/api/v1/customers", headers: bearer(agentToken)) {
                #expect($0.status == .unauthorized)
            }

            let second = try await makeToken(app, agent)
            let (headers, body) = try json(["isActive": false], headers: bearer(adminToken))
            try await app.testing().test(.PATCH, "/api/v1/users/\(agent.id!)", headers: headers, body: body) {
                #expect($0.status == .ok)
            }
            try await app.testing().test(.GET, "/api/v1/customers", headers: bearer(second)) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test func theLanguageSwitchesToEnglishAndBack() async throws {
        try await withHuifang { app in
            var client = PageClient(app)
            #expect(try await client.get("/login").body.string.contains("<html lang=\"zh-CN\">"))
            let switched = try await client.get("/lang/en?next=/login")
            #expect(switched.headers.setCookie?["lang"]?.string == "en")
            client.language = "en"
            let english = try await client.get("/login").body.string
            #expect(english.contains("<html lang=\"en\">"))
            #expect(english.contains("Sign in"))
            try await app.testing().test(.GET, "/api/v1/customers", headers: ["Accept-Language": "en-US"]) {
                #expect($0.body.string.contains("Please sign in"))
            }
        }
    }

    @Test func healthAnswersWhenTheDatabaseDoes() async throws {
        try await withHuifang { app in
            try await app.testing().test(.GET, "/healthz") {
                #expect($0.status == .ok)
                #expect($0.body.string.contains("\"database\":\"ok\""))
            }
        }
    }
}
