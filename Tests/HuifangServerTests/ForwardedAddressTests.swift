import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// The client's address behind proxies, as an attacker who writes `X-Forwarded-For` would like it to be.
@Suite struct ForwardedAddressTests {
    @Test func aSpoofedForwardedForFromAnUntrustedPeerDoesNotEscapeTheAddressLock() async throws {
        // HUIFANG_TRUST_PROXY=true trusts a proxy on loopback only; the in-memory peer is not one.
        try await withHuifang(["HUIFANG_TRUST_PROXY": "true"]) { app in
            let (agent, password) = try await makeUser(app, .agent)
            let tester = try app.testing()
            for attempt in 1...20 {
                let spoofed: HTTPHeaders = ["X-Forwarded-For": "198.51.100.\(attempt)"]
                _ = try await postLogin(tester, "guess\(attempt)", "wrong", headers: spoofed)
            }
            let last: HTTPHeaders = ["X-Forwarded-For": "198.51.100.99"]
            let locked = try await postLogin(tester, agent.username, password, headers: last)
            #expect(locked.status == .unauthorized && locked.body.string.contains("分钟后再试"))
        }
    }

    @Test func behindATrustedProxyFakeEntriesPrependedByTheClientAreIgnored() async throws {
        try await withHuifang(["HUIFANG_TRUSTED_PROXIES": "127.0.0.1, ::1, 10.0.0.0/8"]) { app in
            let (agent, password) = try await makeUser(app, .agent)
            let tester = live(app)
            for attempt in 1...20 {
                // The client wrote the first entries; the proxy at 10.0.0.2, then the one on loopback, appended theirs.
                let chain = "198.51.100.\(attempt), 10.0.0.\(attempt), 203.0.113.7, 10.0.0.2"
                _ = try await postLogin(tester, "guess\(attempt)", "wrong", headers: ["X-Forwarded-For": chain])
            }
            let failures = try await AuditEntry.query(on: app.db).filter(\.$action == "login.failed").all()
            let addresses = failures.map(\.address)
            #expect(Set(addresses) == ["203.0.113.7"])
            let chain: HTTPHeaders = ["X-Forwarded-For": "1.1.1.1, 203.0.113.7"]
            let locked = try await postLogin(tester, agent.username, password, headers: chain)
            #expect(locked.status == .unauthorized)
            _ = try await postLogin(tester, agent.username, password, headers: ["X-Forwarded-For": "198.51.100.1"])
            #expect(try await auditCount(app, "login") == 1, "another client behind the same proxy is not locked out")
        }
    }
}
