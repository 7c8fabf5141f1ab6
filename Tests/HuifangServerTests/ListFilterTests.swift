import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// The lists a team works from say how many rows their filter found, filter the way people look for rows,
/// export exactly what they show and never stop without saying so.
@Suite struct ListFilterTests {
    let paging = ListPagingTests()

    /// The text of the element with `id`.
    func text(_ html: String, id: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\">") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "<" })
    }

    // Long: one board seen through the API, the page, its export and a reassignment that keeps the filter.
    @Test func theBoardFiltersCountsExportsAndReassignsWithinItsFilter() async throws {
        try await withHuifang { app in
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            let other = try await makeUser(app, .agent, username: "lina").user
            let (boss, password) = try await makeUser(app, .supervisor, username: "zhuguan")
            let token = try await makeToken(app, boss)
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李娜", tier: "普通"), by: .commandLine())
            var tasks: [FollowUpTask] = []
            for index in 0..<12 {
                let overdue = index < 3
                let task = openTask(
                    customer: customer.id!, agent: [agent.id, other.id, nil][index % 3],
                    due: index % 2 == 0 ? "2026-03-02 10:00" : "2026-03-05 10:00",
                    deadline: overdue ? "2026-03-03 17:00" : "2099-03-09 17:00")
                task.status = index >= 10 ? .completed : .open
                tasks.append(task)
            }
            try await tasks.create(on: app.db)
            tasks = try await FollowUpTask.query(on: app.db).sort(\.$id).all()
            let open = tasks.filter { $0.status == .open }
            func ids(_ tasks: [FollowUpTask]) -> Set<Int> { Set(tasks.map { $0.id! }) }
            func listed(_ query: String) async throws -> Set<Int> {
                Set(try await paging.allPages(app, "/api/v1/tasks?" + query, token: token, limit: 4))
            }
            #expect(try await listed("agent=none") == ids(open.filter { $0.$assignedAgent.id == nil }))
            #expect(try await listed("overdue=1") == ids(open.filter { $0.deadlineAt < Date() }))
            #expect(try await listed("status=all") == ids(tasks))
            #expect(
                try await listed("dueFrom=2026-03-04&dueBy=2026-03-05") == ids(open.filter { $0.dueOn >= "2026-03-04" })
            )
            for (query, field) in [
                ("dueFrom=yesterday", "dueFrom"), ("status=done", "status"), ("agent=nobody", "agent"),
            ] {
                let refused = try await send(app, .GET, "/api/v1/tasks?" + query, token: token)
                #expect(refused.status == .unprocessableEntity && refused.body.string.contains(field), "\(query)")
            }

            var client = try await PageClient.signedIn(app, "zhuguan", password)
            let page = try await client.get("/tasks?agent=none&status=all").body.string
            let unassigned = tasks.filter { $0.$assignedAgent.id == nil }
            #expect(text(page, id: "task-total") == "共 \(unassigned.count) 条")
            #expect(page.contains("href=\"/tasks/export.csv?agent=none&amp;status=all\""))
            let wrong = try await client.get("/tasks?dueBy=3月5日")
            #expect(wrong.status == .ok && wrong.body.string.contains("dueBy") && wrong.body.string.contains("不是有效的日期"))
            #expect(
                wrong.body.string.contains("href=\"/tasks/export.csv\"")
                    && wrong.body.string.contains("name=\"back\" value=\"/tasks\""),
                "a refused filter is not carried into the export link or the way back: they show the default list")

            let csv = try await client.get("/tasks/export.csv?overdue=1").body.string
            let lines = csv.split(whereSeparator: \.isNewline)
            #expect(lines.count == 1 + open.filter { $0.deadlineAt < Date() }.count, "a heading and each overdue task")

            // Reassigning from a filtered list comes back to it; a foreign address does not leave the site.
            let moved = try #require(unassigned.first { $0.status == .open }).id!
            let back = try await client.post(
                "/tasks/reassign", form: ["task-\(moved)": "on", "agent": "lina", "back": "/tasks?agent=none"])
            #expect(back.status == .seeOther && back.headers.first(name: .location) == "/tasks?agent=none")
            #expect(try await FollowUpTask.find(moved, on: app.db)?.$assignedAgent.id == other.id)
            let next = try #require(unassigned.last { $0.status == .open && $0.id != moved }).id!
            let away = try await client.post(
                "/tasks/reassign", form: ["task-\(next)": "on", "agent": "lina", "back": "https://evil.example/"])
            #expect(away.headers.first(name: .location) == "/tasks", "a foreign address falls back to the board")
        }
    }

    @Test func theBoardByDeadlinePagesEarliestFirstThroughTies() async throws {
        try await withHuifang { app in
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李娜", tier: "普通"), by: .commandLine())
            var tasks: [FollowUpTask] = []
            for index in 0..<25 {
                let task = openTask(
                    customer: customer.id!, agent: agent.id, due: "2026-03-02 10:00",
                    deadline: ["2026-03-09 17:00", "2026-03-04 12:00", "2026-03-06 09:30"][index % 3])
                task.priority = index % 4 + 1
                tasks.append(task)
            }
            try await tasks.create(on: app.db)
            tasks = try await FollowUpTask.query(on: app.db).all()
            let expected = tasks.sorted { ($0.deadlineAt, $0.priority, $0.id!) < ($1.deadlineAt, $1.priority, $1.id!) }
            for limit in [1, 4, 30] {
                let listed = try await paging.allPages(app, "/api/v1/tasks?sort=deadline", token: token, limit: limit)
                #expect(listed == expected.map { $0.id! }, "limit \(limit)")
            }
            let refused = try await send(app, .GET, "/api/v1/tasks?sort=name", token: token)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("sort"))
        }
    }

    @Test func theCustomersNarrowToOneAgentsBookOnThePageAndInTheAPI() async throws {
        try await withHuifang { app in
            let wangfang = try await makeUser(app, .agent, username: "wangfang").user
            let lina = try await makeUser(app, .agent, username: "lina").user
            let (boss, password) = try await makeUser(app, .supervisor, username: "zhuguan")
            let token = try await makeToken(app, boss)
            let store = CustomerStore(db: app.db, now: Date())
            for index in 0..<5 {
                var record = CustomerRecord(name: "客户\(index)", tier: "普通")
                record.assignedAgentID = index < 3 ? wangfang.id : lina.id
                _ = try await store.create(record, by: .commandLine())
            }
            let page = try await send(app, .GET, "/api/v1/customers?agent=lina", token: token)
            struct Customers: Decodable { let items: [CustomerDTO] }
            let names = try page.content.decode(Customers.self).items.map(\.name)
            #expect(names.sorted() == ["客户3", "客户4"])
            lina.isActive = false  // she left; her book is still hers until someone moves it
            try await lina.update(on: app.db)
            let left = try await send(app, .GET, "/api/v1/customers?agent=lina", token: token)
            #expect(try left.content.decode(Customers.self).items.count == 2)
            let refused = try await send(app, .GET, "/api/v1/customers?agent=zhuguan", token: token)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("agent"))
            var client = try await PageClient.signedIn(app, "zhuguan", password)
            let html = try await client.get("/customers?agent=wangfang").body.string
            #expect(text(html, id: "customer-total") == "共 3 位客户")
            #expect(html.contains("<option value=\"wangfang\" selected>"))
        }
    }

    @Test func theCallLogFiltersByMatterCountsAndExportsMaskedAndAudited() async throws {
        try await withHuifang { app in
            let (agent, password) = try await makeUser(app, .agent, username: "wangfang")
            let (colleague, supervisorPassword) = try await makeUser(app, .supervisor, username: "zhuguan")
            let token = try await makeToken(app, agent)
            var calls: [InboundCall] = []
            for index in 0..<8 {
                let call = InboundCall()
                call.at = shanghai("2026-03-02 09:15").addingTimeInterval(Double(index) * 60)
                call.$agent.id = index == 7 ? colleague.id : agent.id
                call.agentName = index == 7 ? "李主管" : "王芳"
                call.phone = "+8613912345678"
                call.matter = index < 3 || index == 7 ? "repair" : "other"
                call.summary = "来电\(index)"
                call.handling = .answered
                call.recordingConsent = false
                calls.append(call)
            }
            try await calls.create(on: app.db)
            let repairs = try await paging.allPages(app, "/api/v1/calls?matter=repair", token: token, limit: 2)
            #expect(repairs.count == 4)
            let refused = try await send(app, .GET, "/api/v1/calls?matter=weather", token: token)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("repair(维修进度)"))

            var client = try await PageClient.signedIn(app, "wangfang", password)
            let page = try await client.get("/calls?matter=repair").body.string
            #expect(text(page, id: "call-total") == "共 4 条")
            #expect(page.contains("href=\"/calls/export.csv?matter=repair\""))
            let csv = try await client.get("/calls/export.csv?matter=repair").body.string
            let lines = csv.split(whereSeparator: \.isNewline)
            #expect(lines.count == 4 && lines.dropFirst().allSatisfy { $0.contains("维修进度") })
            #expect(!csv.contains("13912345678"), "an agent's export masks a caller who is nobody's customer")
            #expect(!csv.contains("李主管"), "an agent exports only the calls they took")
            var supervisor = try await PageClient.signedIn(app, "zhuguan", supervisorPassword)
            let all = try await supervisor.get("/calls/export.csv?matter=repair").body.string
            #expect(all.split(whereSeparator: \.isNewline).count == 5 && all.contains("13912345678"))
            let audited = try await AuditEntry.query(on: app.db).filter(\.$action == "call.export").sort(\.$id).all()
            #expect(audited.map(\.detail) == ["count=3 matter=repair", "count=4 matter=repair"], "with the filter")
        }
    }

    @Test func theOutboxPagesFiltersByRecipientAndSaysWhenThereAreMoreThanItCounts() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin, username: "root")
            let token = try await makeToken(app, admin)
            var messages: [MailMessage] = []
            for index in 0..<1005 {
                let message = MailMessage()
                message.channel = index % 5 == 0 ? "sms" : "email"
                message.to = index % 5 == 0 ? "+86139000\(String(format: "%05d", index))" : "kehu\(index)@example.com"
                message.subject = "满意度回访"
                message.body = "请点击链接"
                message.status = index % 100 == 0 ? .failed : .sent
                message.attempts = 1
                message.createdAt = shanghai("2026-03-02 09:00").timeIntervalSince1970 + Double(index)
                message.nextAttemptAt = message.createdAt
                messages.append(message)
            }
            try await messages.create(on: app.db)
            let all = try await paging.allPages(app, "/api/v1/messages", token: token, limit: 300)
            #expect(all.count == 1005 && all == all.sorted(by: >), "every message once, newest first")
            #expect(
                try await paging.allPages(app, "/api/v1/messages?status=failed", token: token, limit: 3).count == 11)
            #expect(try await paging.allPages(app, "/api/v1/messages?to=kehu77@", token: token, limit: 3).count == 1)
            let refused = try await send(app, .GET, "/api/v1/messages?status=lost", token: token)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("status"))

            var client = try await PageClient.signedIn(app, "root", password)
            let page = try await client.get("/messages").body.string
            #expect(text(page, id: "message-total") == "超过 1000 条，请用筛选缩小范围")
            #expect(page.contains("rel=\"next\""), "the first page links to the next")
            let sms = try await client.get("/messages?channel=sms&until=2026-03-02").body.string
            #expect(text(sms, id: "message-total") == "共 201 条")
        }
    }

    @Test func theAuditLogCountsItsFilterAndRefusesADateItCannotRead() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin, username: "root")
            let token = try await makeToken(app, admin)
            for index in 0..<5 {
                let entry = AuditEntry()
                entry.at = shanghai("2026-03-02 10:00").addingTimeInterval(Double(index))
                entry.actorName = "wangfang"
                entry.action = "customer.view"
                entry.subjectType = "customer"
                try await entry.create(on: app.db)
            }
            var client = try await PageClient.signedIn(app, "root", password)
            let page = try await client.get("/audit?actor=wangfang&action=customer.view").body.string
            #expect(text(page, id: "audit-total") == "共 5 条")
            let refused = try await send(app, .GET, "/api/v1/audit?from=2026-13-01", token: token)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("from"))
        }
    }
}
