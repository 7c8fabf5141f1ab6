import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct CustomerTests {
    struct Page: Decodable {
        let items: [Item]
        let nextCursor: Int?
    }
    struct Item: Decodable {
        let id: Int
        let name: String
        let mobile: String?
        let email: String?
        let contactMasked: Bool
        let tier: String
        let tags: [String]
        let externalId: String?
    }
    struct Change: Decodable {
        let field: String
        let oldValue: String?
        let newValue: String?
        let actor: String
        let source: String
    }
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let status: Int
            let fields: [Field]
        }
        struct Field: Decodable {
            let field: String
            let message: String
        }
        let error: Detail
    }

    func create(_ app: Application, _ token: String, _ body: [String: String]) async throws -> Item {
        var item: Item?
        let (headers, buffer) = try json(body, headers: bearer(token))
        try await app.testing().test(.POST, "/api/v1/customers", headers: headers, body: buffer) { response in
            #expect(response.status == .created, "\(response.body.string)")
            item = try response.content.decode(Item.self)
        }
        return try #require(item)
    }

    @Test func createsAndNormalisesACustomer() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let item = try await create(
                app, token,
                [
                    "name": " 王芳 ", "mobile": "+86 138-1234-5678", "email": "WF@Example.com",
                    "tier": "金卡", "tags": "新客，高价值", "externalId": "HY001", "birthday": "1990/3/5",
                ])
            #expect(item.name == "王芳")
            #expect(item.mobile == "13812345678")
            #expect(item.email == "wf@example.com")
            #expect(item.tags == ["新客", "高价值"])
            let storedTags = try await CustomerTag.query(on: app.db).filter(\.$customerID == item.id).sort(\.$id).all()
            #expect(storedTags.map(\.tag) == item.tags, "the answer shows the tags as stored, in order")
            let stored = try #require(try await Customer.find(item.id, on: app.db))
            #expect(stored.mobile == "+8613812345678")
            #expect(stored.birthday == "1990-03-05")
        }
    }

    @Test func refusesBadValuesNamingEachField() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let (headers, body) = try json(
                ["name": "", "mobile": "12345", "tier": "钻石卡", "email": "nope"], headers: bearer(token))
            try await app.testing().test(.POST, "/api/v1/customers", headers: headers, body: body) { response in
                #expect(response.status == .unprocessableEntity)
                let error = try response.content.decode(ErrorBody.self)
                #expect(Set(error.error.fields.map(\.field)) == ["name", "mobile", "tier", "email"])
                #expect(error.error.fields.first { $0.field == "mobile" }?.message.contains("不是有效的手机号") == true)
            }
            let (h2, b2) = try json(["name": "王芳", "nickname": "芳芳"], headers: bearer(token))
            try await app.testing().test(.POST, "/api/v1/customers", headers: h2, body: b2) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("nickname"))
            }
            #expect(try await Customer.query(on: app.db).count() == 0)
        }
    }

    @Test func aMemberIDBelongsToOneCustomer() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            _ = try await create(app, token, ["name": "王芳", "externalId": "HY001"])
            let (headers, body) = try json(["name": "李娜", "externalId": "HY001"], headers: bearer(token))
            try await app.testing().test(.POST, "/api/v1/customers", headers: headers, body: body) { response in
                let fields = try response.content.decode(ErrorBody.self).error.fields.map(\.field)
                #expect(response.status == .unprocessableEntity)
                #expect(fields == ["externalID"])
            }
        }
    }

    @Test func editsAreKeptAsHistoryOldToNewAndAudited() async throws {
        try await withHuifang { app in
            let (supervisor, _) = try await makeUser(app, .supervisor)
            let token = try await makeToken(app, supervisor)
            let item = try await create(app, token, ["name": "王芳", "mobile": "13812345678", "tier": "普通"])
            let (headers, body) = try json(
                ["tier": "金卡", "mobile": "13912345678", "notes": "偏好下午联系"], headers: bearer(token))
            try await app.testing().test(.PATCH, "/api/v1/customers/\(item.id)", headers: headers, body: body) {
                #expect($0.status == .ok)
            }
            // A PATCH that changes nothing writes nothing.
            try await app.testing().test(.PATCH, "/api/v1/customers/\(item.id)", headers: headers, body: body) {
                #expect($0.status == .ok)
            }
            try await app.testing().test(.GET, "/api/v1/customers/\(item.id)/history", headers: bearer(token)) {
                response in
                let changes = try response.content.decode([Change].self)
                #expect(changes.map(\.field) == ["notes", "tier", "mobile", "created"])
                #expect(changes.first { $0.field == "tier" }.map { [$0.oldValue, $0.newValue] } == ["普通", "金卡"])
                #expect(
                    changes.first { $0.field == "mobile" }.map { [$0.oldValue, $0.newValue] } == [
                        "13812345678", "13912345678",
                    ])
                #expect(changes.allSatisfy { $0.actor == supervisor.username && $0.source == "api" })
            }
            let updates = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.update").all()
            #expect(updates.count == 1)
            #expect(updates.first?.detail == "mobile,tier,notes")
        }
    }

    @Test func contactDetailsAreMaskedForRolesThatDoNotNeedThem() async throws {
        try await withHuifang { app in
            let (agent, agentPassword) = try await makeUser(app, .agent)
            let (analyst, _) = try await makeUser(app, .analyst)
            let supervisorToken = try await makeToken(app, makeUser(app, .supervisor).user)
            let mine = try await create(
                app, supervisorToken,
                ["name": "王芳", "mobile": "13812345678", "email": "wf@example.com", "assignedAgent": agent.username])
            let theirs = try await create(app, supervisorToken, ["name": "李娜", "mobile": "13912345678"])
            let agentToken = try await makeToken(app, agent)
            let analystToken = try await makeToken(app, analyst)

            try await app.testing().test(.GET, "/api/v1/customers/\(mine.id)", headers: bearer(agentToken)) {
                response in
                let item = try response.content.decode(Item.self)
                #expect(item.mobile == "13812345678" && !item.contactMasked)
            }
            try await app.testing().test(.GET, "/api/v1/customers/\(theirs.id)", headers: bearer(agentToken)) {
                response in
                let item = try response.content.decode(Item.self)
                #expect(item.mobile == "139****5678" && item.contactMasked)
            }
            try await app.testing().test(.GET, "/api/v1/customers/\(mine.id)", headers: bearer(analystToken)) {
                response in
                let item = try response.content.decode(Item.self)
                #expect(item.mobile == "138****5678" && item.email == "w***@example.com")
            }
            try await app.testing().test(.POST, "/api/v1/customers/\(mine.id)/reveal", headers: bearer(analystToken)) {
                #expect($0.status == .forbidden)
            }
            try await app.testing().test(.POST, "/api/v1/customers/\(theirs.id)/reveal", headers: bearer(agentToken)) {
                response in
                #expect(response.body.string.contains("13912345678"))
            }
            let reveals = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.reveal").all()
            #expect(reveals.map(\.actorName) == [agent.username])
            #expect(reveals.first?.subjectID == String(theirs.id))

            // The page masks the same way, and its reveal button is audited too.
            var page = try await PageClient.signedIn(app, agent.username, agentPassword)
            let shown = try await page.get("/customers/\(theirs.id)").body.string
            #expect(shown.contains("139****5678") && !shown.contains("13912345678"))
            let revealed = try await page.post("/customers/\(theirs.id)/reveal", form: [:]).body.string
            #expect(revealed.contains("13912345678"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "customer.reveal").count() == 2)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "customer.view").count() >= 3)
        }
    }

    @Test func keysetPagesVisitEveryCustomerOnceAndFiltersNarrowThem() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let importer = CustomerImporter(
                db: app.db, rules: CustomerRules(tiers: Tier.defaults, today: app.today),
                actor: .commandLine(), language: .zh, now: Date())
            let sample = SampleCustomers(today: app.today)
            _ = try await importer.run(Array(sample.csv(count: 230).utf8), .init(fileName: "sample.csv"))

            var seen: [Int] = []
            var cursor: Int?
            repeat {
                try await app.testing().test(
                    .GET, "/api/v1/customers?limit=50" + (cursor.map { "&after=\($0)" } ?? ""), headers: bearer(token)
                ) { response in
                    let page = try response.content.decode(Page.self)
                    seen += page.items.map(\.id)
                    cursor = page.nextCursor
                }
            } while cursor != nil
            #expect(seen.count == 230)
            #expect(Set(seen).count == 230)
            #expect(seen == seen.sorted(by: >))

            let row = sample.row(17)
            for query in [row[2], String(row[2].suffix(4)), row[0], row[1]] {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await app.testing().test(.GET, "/api/v1/customers?q=\(encoded)&limit=500", headers: bearer(token)) {
                    response in
                    let items = try response.content.decode(Page.self).items
                    #expect(items.contains { $0.externalId == row[0] }, "search \(query)")
                }
            }
            try await app.testing().test(
                .GET, "/api/v1/customers?tier=%E9%87%91%E5%8D%A1&limit=500", headers: bearer(token)
            ) { response in
                let items = try response.content.decode(Page.self).items
                #expect(!items.isEmpty && items.allSatisfy { $0.tier == "金卡" })
            }
            let tag = "车主".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let tagged = try await CustomerTag.query(on: app.db).filter(\.$tag == "车主").count()
            #expect(tagged > 10)
            var taggedSeen: [Int] = []
            cursor = nil
            repeat {
                try await app.testing().test(
                    .GET, "/api/v1/customers?tag=\(tag)&limit=7" + (cursor.map { "&after=\($0)" } ?? ""),
                    headers: bearer(token)
                ) { response in
                    let page = try response.content.decode(Page.self)
                    #expect(page.items.allSatisfy { $0.tags.contains("车主") })
                    taggedSeen += page.items.map(\.id)
                    cursor = page.nextCursor
                }
            } while cursor != nil
            #expect(taggedSeen.count == tagged && Set(taggedSeen).count == tagged)
            #expect(taggedSeen == taggedSeen.sorted(by: >))
        }
    }

    @Test func deletingACustomerErasesTheirDataButNotTheAuditEntry() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let item = try await create(
                app, token, ["name": "王芳", "mobile": "13812345678", "tags": "新客", "externalId": "HY9"])
            let path = "/api/v1/customers/\(item.id)?requestedBy=%E6%9C%AC%E4%BA%BA&reason=%E6%B3%A8%E9%94%80"
            try await app.testing().test(.DELETE, path, headers: bearer(token)) {
                #expect($0.status == .ok)
            }
            try await app.testing().test(.GET, "/api/v1/customers/\(item.id)", headers: bearer(token)) {
                #expect($0.status == .notFound)
            }
            #expect(try await CustomerTag.query(on: app.db).count() == 0)
            #expect(try await CustomerChange.query(on: app.db).count() == 0)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "customer.erase").first()?.subjectID
                    == String(item.id))
        }
    }

    @Test func theAuditLogCannotBeChangedOrDeleted() async throws {
        try await withHuifang { app in
            try await AuditLog.record("login", by: .commandLine(), at: Date(), on: app.db)
            let sql = app.db.sql
            await #expect(throws: (any Error).self) {
                try await sql.raw("UPDATE audit_log SET actor_name = 'someone else'").run()
            }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_log").run() }
            #expect(try await AuditEntry.query(on: app.db).first()?.actorName.hasPrefix("命令行") == true)
        }
    }

    @Test func theFormReportsErrorsNextToTheirFieldsAndKeepsWhatWasTyped() async throws {
        try await withHuifang { app in
            let (supervisor, password) = try await makeUser(app, .supervisor)
            var client = try await PageClient.signedIn(app, supervisor.username, password)
            let response = try await client.post(
                "/customers", form: ["name": "王芳", "mobile": "1234", "notes": "保留这段话"])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("不是有效的手机号"))
            #expect(html.contains("保留这段话"))
            let saved = try await client.post(
                "/customers", form: ["name": "王芳", "mobile": "13812345678", "tier": "银卡", "consent": "1"])
            let location = try #require(saved.headers.first(name: .location))
            let profile = try await client.get(location).body.string
            #expect(profile.contains("王芳") && profile.contains("银卡") && profile.contains("创建客户"))
        }
    }
}
