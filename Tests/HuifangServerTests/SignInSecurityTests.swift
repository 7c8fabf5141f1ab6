import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Sign-in as an attacker tries it: in parallel, against disabled accounts, with huge fields.
@Suite struct SignInSecurityTests {
    @Test func twentyParallelGuessesAreNotAllChecked() async throws {
        try await withHuifang { app in
            let (agent, password) = try await makeUser(app, .agent)
            let tester = try app.testing()
            let username = agent.username
            try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for guess in 1...20 { group.addTask { try await postLogin(tester, username, "guess-\(guess)").status } }
                for try await status in group { #expect(status == .unauthorized) }
            }
            #expect(try await auditCount(app, "login.failed") <= 5, "no more passwords checked than the limit")
            #expect(try await postLogin(tester, agent.username, password).status == .unauthorized, "and it is locked")
        }
    }

    @Test func aDisabledAccountAnswersExactlyLikeAWrongPassword() async throws {
        try await withHuifang { app in
            let (agent, password) = try await makeUser(app, .agent)
            let (other, _) = try await makeUser(app, .agent, username: "agent2")
            agent.isActive = false
            try await agent.save(on: app.db)
            let disabled = try await postLogin(try app.testing(), agent.username, password)
            let wrong = try await postLogin(try app.testing(), other.username, "not-the-password")
            #expect(disabled.status == .unauthorized && wrong.status == .unauthorized)
            let strip = { (page: String) in
                page.replacingOccurrences(of: agent.username, with: "U")
                    .replacingOccurrences(of: other.username, with: "U")
            }
            #expect(strip(disabled.body.string) == strip(wrong.body.string))
            #expect(!disabled.body.string.contains("停用"))
            #expect(disabled.headers.setCookie?["huifang_session"] == nil)
        }
    }

    @Test(arguments: [(String(repeating: "a", count: 65), "password"), ("agent1", String(repeating: "p", count: 1025))])
    func overlongCredentialsAreRefusedBeforeAnythingIsStoredOrShown(username: String, password: String) async throws {
        try await withHuifang { app in
            try await makeUser(app, .agent)
            let audit = try await AuditEntry.query(on: app.db).count()
            let response = try await postLogin(try app.testing(), username, password)
            #expect(response.status == .badRequest)
            #expect(!response.body.string.contains(String(repeating: "a", count: 65)))
            #expect(try await LoginAttempt.query(on: app.db).count() == 0)
            #expect(try await AuditEntry.query(on: app.db).count() == audit)
        }
    }

    @Test func aTenMegabyteUsernameIsRefusedAndLeavesNoTrace() async throws {
        try await withHuifang { app in
            let audit = try await AuditEntry.query(on: app.db).count()
            let huge = String(repeating: "x", count: 10 * 1024 * 1024)
            let response = try await postLogin(live(app), huge, "password")
            #expect([.badRequest, .unauthorized, .payloadTooLarge].contains(response.status))
            #expect(response.body.readableBytes < 64 * 1024, "nothing is echoed")
            #expect(try await AuditEntry.query(on: app.db).count() == audit)
            #expect(try await LoginAttempt.query(on: app.db).count() == 0)
        }
    }
}
