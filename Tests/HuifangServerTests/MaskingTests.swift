import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Masking tried as an insider would: through the edit form, through search, by taking the customer over,
/// and through the event attributes.
@Suite struct MaskingTests {
    typealias Item = CustomerTests.Item

    struct People {
        let agent: User
        let agentPassword: String
        let agentToken: String
        let analystToken: String
        let supervisorToken: String
        let theirs: Item
    }

    /// An agent, an analyst, a supervisor, and a customer 李娜 assigned to nobody (so masked for the agent).
    func people(_ app: Application) async throws -> People {
        let (agent, agentPassword) = try await makeUser(app, .agent, username: "wangfang")
        let analystToken = try await makeToken(app, makeUser(app, .analyst).user)
        let supervisorToken = try await makeToken(app, makeUser(app, .supervisor).user)
        let theirs = try await CustomerTests().create(
            app, supervisorToken,
            [
                "name": "李娜", "mobile": "13912345678", "email": "lina@example.com", "externalId": "M0001",
            ])
        return People(
            agent: agent, agentPassword: agentPassword, agentToken: try await makeToken(app, agent),
            analystToken: analystToken, supervisorToken: supervisorToken, theirs: theirs)
    }

    @Test func theEditFormShowsMaskedContactDetailsAndAMaskedFieldCannotBeChanged() async throws {
        try await withHuifang { app in
            let people = try await people(app)
            var page = try await PageClient.signedIn(app, "wangfang", people.agentPassword)
            let form = try await page.get("/customers/\(people.theirs.id)/edit").body.string
            #expect(
                !form.contains("13912345678") && !form.contains("lina@example.com"),
                "the form shows no more than the profile")
            #expect(form.contains("139****5678") && form.contains("l***@example.com"))
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "customer.view").filter(\.$detail == "edit")
                    .count() == 1)

            // Sending the form back unchanged saves the other fields and leaves the contact details alone.
            let fields = [
                "name": "李娜娜", "mobile": "139****5678", "email": "l***@example.com", "tier": "普通", "consent": "1",
            ]
            #expect(try await page.post("/customers/\(people.theirs.id)", form: fields).status == .seeOther)
            var stored = try #require(try await Customer.find(people.theirs.id, on: app.db))
            #expect(stored.name == "李娜娜" && stored.mobile == "+8613912345678" && stored.email == "lina@example.com")

            // A new number for a masked customer is refused, on the form and the API, and nothing is saved.
            var changed = fields
            changed["mobile"] = "13700000000"
            changed["name"] = "别的名字"
            let refused = try await page.post("/customers/\(people.theirs.id)", form: changed)
            #expect(refused.status == .unprocessableEntity)
            #expect(!refused.body.string.contains("13912345678"), "a refused form does not echo the hidden number")
            let api = try await send(
                app, .PATCH, "/api/v1/customers/\(people.theirs.id)", token: people.agentToken,
                body: ["email": "other@example.com"])
            #expect(api.status == .unprocessableEntity && api.body.string.contains("\"email\""))
            stored = try #require(try await Customer.find(people.theirs.id, on: app.db))
            #expect(stored.name == "李娜娜" && stored.mobile == "+8613912345678" && stored.email == "lina@example.com")
        }
    }

    @Test func anAgentCannotMakeACustomerTheirsToUnmaskThem() async throws {
        try await withHuifang { app in
            let people = try await people(app)
            let path = "/api/v1/customers/\(people.theirs.id)"
            let api = try await send(app, .PATCH, path, token: people.agentToken, body: ["assignedAgent": "wangfang"])
            #expect(api.status == .unprocessableEntity && api.body.string.contains("\"assignedAgent\""))
            var page = try await PageClient.signedIn(app, "wangfang", people.agentPassword)
            let form = try await page.get("/customers/\(people.theirs.id)/edit").body.string
            #expect(form.contains("name=\"assignedAgent\" disabled"))
            let posted = try await page.post(
                "/customers/\(people.theirs.id)",
                form: [
                    "name": "李娜", "mobile": "139****5678", "email": "l***@example.com", "tier": "普通",
                    "assignedAgent": "wangfang",
                ])
            #expect(posted.status == .unprocessableEntity)
            #expect(try await Customer.find(people.theirs.id, on: app.db)?.$assignedAgent.id == nil)
            let created = try await send(
                app, .POST, "/api/v1/customers", token: people.agentToken,
                body: ["name": "新客户", "mobile": "13600000001", "assignedAgent": "wangfang"])
            #expect(created.status == .unprocessableEntity, "not on creation either")
            // A supervisor assigns; then the agent sees the number.
            let assigned = try await send(
                app, .PATCH, path, token: people.supervisorToken, body: ["assignedAgent": "wangfang"])
            #expect(assigned.status == .ok)
            let item = try await send(app, .GET, path, token: people.agentToken).content.decode(Item.self)
            #expect(item.mobile == "13912345678")
        }
    }

    @Test func anAnalystSearchingDigitsOfAMaskedNumberFindsNothing() async throws {
        try await withHuifang { app in
            let people = try await people(app)
            func found(_ token: String, _ q: String) async throws -> [Int] {
                let q = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await send(app, .GET, "/api/v1/customers?q=\(q)", token: token)
                #expect(response.status == .ok)
                return try response.content.decode(CustomerTests.Page.self).items.map(\.id)
            }
            for token in [people.analystToken, people.agentToken] {
                for digits in ["1391", "5678", "139123", "3912345678"] {
                    #expect(try await found(token, digits).isEmpty, "part of a number: \(digits)")
                }
                // The whole number finds the customer, and the search is audited with its term.
                #expect(try await found(token, "13912345678") == [people.theirs.id])
            }
            #expect(
                try await found(people.supervisorToken, "5678") == [people.theirs.id], "a role that sees numbers may")
            let audited = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.list").all().compactMap(
                \.detail)
            #expect(audited.contains { $0.contains("q=13912345678") } && audited.contains { $0.contains("q=1391") })
            // The pages apply the same rule.
            var page = try await PageClient.signedIn(app, "wangfang", people.agentPassword)
            #expect(!(try await page.get("/customers?q=5678")).body.string.contains("李娜"))
        }
    }

    @Test func percentAndUnderscoreInASearchAreLiteral() async throws {
        try await withHuifang { app in
            let people = try await people(app)
            _ = try await CustomerTests().create(app, people.supervisorToken, ["name": "王_芳", "mobile": "13800000002"])
            func names(_ q: String) async throws -> [String] {
                let q = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return try await send(app, .GET, "/api/v1/customers?q=\(q)", token: people.supervisorToken)
                    .content.decode(CustomerTests.Page.self).items.map(\.name)
            }
            #expect(try await names("%").isEmpty, "% matches a percent sign, not everyone")
            let underscore = try await names("_")
            #expect(underscore == ["王_芳"])
            #expect(try await names("李%").isEmpty)
        }
    }

    @Test func analystsSeeACustomersEventsWithoutTheirSensitiveAttributes() async throws {
        try await withHuifang { app in
            let people = try await people(app)
            let event = ServiceEvent()
            event.$customer.id = people.theirs.id
            event.kind = "discharge"
            event.occurredAt = Date()
            event.occurredOn = "2026-11-01"
            event.attributes = ServiceEvent.encode(["科室": "妇产科"])
            event.source = "api"
            try await event.create(on: app.db)
            let path = "/api/v1/customers/\(people.theirs.id)/events"
            #expect(try await send(app, .GET, path, token: people.agentToken).body.string.contains("妇产科"))
            let analyst = try await send(app, .GET, path, token: people.analystToken)
            #expect(analyst.status == .ok && !analyst.body.string.contains("妇产科"))
            let (user, password) = try await makeUser(app, .analyst, username: "zhouxin")
            _ = user
            var page = try await PageClient.signedIn(app, "zhouxin", password)
            #expect(!(try await page.get("/customers/\(people.theirs.id)")).body.string.contains("妇产科"))
        }
    }
}
