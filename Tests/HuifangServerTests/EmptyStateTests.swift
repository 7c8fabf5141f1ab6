import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// An empty list says in one sentence what fills it, with a link to that action for those who may take it.
@Suite struct EmptyStateTests {
    @Test func emptyListsSayWhatFillsThemWithTheActionsTheReaderMayTake() async throws {
        try await withHuifang { app in
            // setup
            let (_, password) = try await makeUser(app, .supervisor)
            let (_, agentPassword) = try await makeUser(app, .agent)
            var supervisor = try await PageClient.signedIn(app, "supervisor1", password)
            var agent = try await PageClient.signedIn(app, "agent1", agentPassword)
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李娜", mobile: try PhoneNumber(parsing: "13800138000"), tier: "普通"),
                by: .commandLine())

            // MUT
            let calls = try await supervisor.get("/calls").body.string
            let filtered = try await supervisor.get("/calls?from=2026-01-01").body.string
            let tickets = try await supervisor.get("/tickets").body.string
            let surveys = try await supervisor.get("/surveys").body.string
            let board = try await supervisor.get("/tasks").body.string
            let timeline = try await supervisor.get("/customers/\(customer.id!)").body.string
            let searched = try await supervisor.get("/customers?q=nobody").body.string
            let mine = try await agent.get("/tasks/mine").body.string
            let agentsTimeline = try await agent.get("/customers/\(customer.id!)").body.string

            // validation
            #expect(calls.contains("还没有来电记录。") && calls.contains("<a href=\"/calls/new\">登记一通来电</a>"))
            #expect(filtered.contains("没有符合条件的来电。") && filtered.contains("<a href=\"/calls\">清除筛选条件</a>"))
            #expect(tickets.contains("<a href=\"/calls/new\">登记来电并转为工单</a>"))
            #expect(surveys.contains("还没有问卷。") && surveys.contains("<a href=\"/surveys/new\">新建问卷</a>"))
            #expect(board.contains("<a href=\"/rules\">查看回访规则</a>"))
            #expect(timeline.contains("<a href=\"/events/import\">导入服务事件</a>"))
            #expect(searched.contains("没有符合条件的客户。") && searched.contains("清除筛选条件"))
            #expect(mine.contains("名单上没有待回访的任务") && mine.contains("<a href=\"/calls/new\">接听来电</a>"))
            #expect(!agentsTimeline.contains("/events/import"), "an agent cannot import events")
        }
    }

    @Test func anEmptyCustomerListOffersImportOnlyToThoseWhoMayImport() async throws {
        try await withHuifang { app in
            // setup
            let (_, password) = try await makeUser(app, .supervisor)
            let (_, agentPassword) = try await makeUser(app, .agent)
            var supervisor = try await PageClient.signedIn(app, "supervisor1", password)
            var agent = try await PageClient.signedIn(app, "agent1", agentPassword)

            // MUT
            let forSupervisor = try await supervisor.get("/customers").body.string
            let forAgent = try await agent.get("/customers").body.string

            // validation
            #expect(forSupervisor.contains("还没有客户。"))
            #expect(forSupervisor.contains("<a href=\"/customers/import\">导入客户名单</a>"))
            #expect(!forAgent.contains("/customers/import\">导入客户名单") && forAgent.contains("新建一位客户"))
        }
    }
}
