import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Each role's home page (工作台): its own numbers, each the count of the list it links to.
@Suite struct DashboardTests {
    /// The value shown in the tile with `id`.
    func tile(_ html: String, _ id: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
        let rest = html[start.upperBound...]
        guard let open = rest.range(of: "<span class=\"big\">"), let close = rest.range(of: "</span>") else {
            return nil
        }
        return String(rest[open.upperBound..<close.lowerBound])
    }

    @Test func everyRoleGetsItsOwnHomePageInBothLanguages() async throws {
        try await withHuifang { app in
            let demo = try await DemoOrganisation.load(on: app, customers: 40)
            let expected: [Role: [String]] = [
                .agent: ["today-progress", "today-due", "callbacks", "my-month"],
                .supervisor: [
                    "today-progress", "overdue-tickets", "escalated-tickets", "overdue", "at-risk", "agents",
                    "week",
                ],
                .handler: ["my-open", "my-overdue", "untaken", "queue", "new-tickets"],
                .analyst: ["figure-completion", "figure-satisfaction", "trend"],
                .admin: ["outbox-failed", "locked-out", "database-size", "jobs", "planner-runs", "activity"],
            ]
            for account in demo.accounts {
                for language in ["zh", "en"] {
                    let password = try #require(account.password)
                    var client = try await PageClient.signedIn(app, account.username, password)
                    client.language = language
                    let page = try await client.get("/")
                    #expect(page.status == .ok)
                    let html = page.body.string
                    #expect(html.contains("data-role=\"\(account.role.rawValue)\""))
                    for id in expected[account.role] ?? [] {
                        #expect(html.contains("id=\"\(id)\""), "\(account.username) \(language): \(id)")
                    }
                    #expect(!html.contains("#t(") && !html.contains("home."), "\(account.username): a raw key")
                }
            }
        }
    }

    @Test func theSupervisorsOverdueCountIsTheOverdueList() async throws {
        try await withHuifang { app in
            let demo = try await DemoOrganisation.load(on: app, customers: 40)
            let late = TicketService(
                db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai("2026-03-02 10:00"))
            for text in ["早就超时的投诉", "也超时的投诉"] {
                _ = try await late.open(TicketInput(kind: "complaint", description: text))
            }
            let supervisor = try #require(demo.accounts.first { $0.role == .supervisor })
            let password = try #require(supervisor.password)
            var client = try await PageClient.signedIn(app, supervisor.username, password)
            let html = try await client.get("/").body.string
            let shown = try #require(tile(html, "overdue-tickets").flatMap { Int($0) })
            var filter = TicketFilter(overdueOnly: true, limit: 1000)
            let user = try #require(try await User.query(on: app.db).filter(\.$username == supervisor.username).first())
            filter.scope = user.viewer
            let listed = try await app.domain(as: .job).ticketQueries.page(filter).rows
            #expect(shown == listed.count && shown >= 2)
            #expect(html.contains("href=\"/tickets?overdue=1\""))
            let overdueList = try await client.get("/tickets?overdue=1").body.string
            for row in listed { #expect(overdueList.contains("/tickets/\(row.id)\"")) }
        }
    }

    @Test func theAdminSeesLockedOutAccountsAndEachJobsLastRunPerInstance() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin, username: "root")
            for _ in 0..<app.huifang.loginThrottle.maxFailuresPerAccount {
                try await LoginAttempt(username: "wangfang", address: "10.0.0.9", at: Date(), succeeded: false)
                    .create(on: app.db)
            }
            struct Broken: Error, CustomStringConvertible { var description: String { "SMTP 服务器拒绝连接" } }
            let job = PeriodicJob("outbox delivery", every: .seconds(3600)) { _ in throw Broken() }
            try await job.didBootAsync(app)
            var beats: [JobHeartbeat] = []
            for _ in 0..<15_000 where beats.isEmpty {  // up to five minutes on a busy machine
                beats = try await JobHeartbeat.all(on: app.db)
                if beats.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            }
            await job.shutdownAsync(app)
            #expect(beats.first?.outcome == "failed" && beats.first?.instance == JobLease.process)
            var client = try await PageClient.signedIn(app, admin.username, password)
            let html = try await client.get("/").body.string
            #expect(tile(html, "locked-out") == "1" && html.contains("wangfang"))
            #expect(html.contains("消息发送") && html.contains("SMTP 服务器拒绝连接") && html.contains("失败"))
        }
    }
}
