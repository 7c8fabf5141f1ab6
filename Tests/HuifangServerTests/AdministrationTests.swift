import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct AdministrationTests {
    @Test func adminsManageDepartmentsAndUsersThroughTheAPI() async throws {
        try await withHuifang { app in
            let (admin, _) = try await makeUser(app, .admin)
            let token = try await makeToken(app, admin)
            var departmentID: UUID?
            let (h1, b1) = try json(["name": "售后服务部"], headers: bearer(token))
            try await app.testing().test(.POST, "/api/v1/departments", headers: h1, body: b1) { response in
                #expect(response.status == .created)
                struct Created: Decodable { let id: UUID }
                departmentID = try response.content.decode(Created.self).id
            }
            try await app.testing().test(.POST, "/api/v1/departments", headers: h1, body: b1) {
                #expect($0.status == .unprocessableEntity)
            }

            struct NewUser: Encodable {
                let username, displayName, role, password: String
                let departmentId: UUID?
            }
            let (h2, b2) = try json(
                NewUser(
                    username: "zhaolei", displayName: "赵磊", role: "handler", password: "long-enough",
                    departmentId: departmentID), headers: bearer(token))
            try await app.testing().test(.POST, "/api/v1/users", headers: h2, body: b2) {
                #expect($0.status == .created)
            }
            try await app.testing().test(.POST, "/api/v1/users", headers: h2, body: b2) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("username"))
            }
            let (h3, b3) = try json(
                NewUser(username: "x", displayName: "短", role: "agent", password: "short", departmentId: nil),
                headers: bearer(token))
            try await app.testing().test(.POST, "/api/v1/users", headers: h3, body: b3) {
                #expect($0.status == .unprocessableEntity)
            }

            try await app.testing().test(.DELETE, "/api/v1/departments/\(departmentID!)", headers: bearer(token)) {
                response in
                #expect(response.status == .unprocessableEntity, "a department with users stays")
            }
            let actions = try await AuditEntry.query(on: app.db).all().map(\.action)
            #expect(actions.contains("department.create") && actions.contains("user.create"))
        }
    }

    @Test func adminsCreateUsersAndTokensOnThePages() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin)
            var client = try await PageClient.signedIn(app, admin.username, password)
            let refused = try await client.post(
                "/users", form: ["username": "李", "displayName": "李娜", "role": "agent", "password": "long-enough"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("只能包含字母"))
            let created = try await client.post(
                "/users", form: ["username": "lina", "displayName": "李娜", "role": "agent", "password": "long-enough"])
            let location = try #require(created.headers.first(name: .location))
            let lina = try #require(try await User.query(on: app.db).filter(\.$username == "lina").first())
            #expect(lina.role == .agent)

            let page = try await client.post(location + "/tokens", form: ["name": "呼叫中心"]).body.string
            let start = try #require(page.range(of: "<code id=\"new-token\">"))
            let token = String(page[start.upperBound...].prefix { $0 != "<" })
            #expect(token.hasPrefix("hf_"))
            try await app.testing().test(.GET, "/api/v1/customers", headers: bearer(token)) {
                #expect($0.status == .ok)
            }
            #expect(!(try await client.get(location).body.string.contains(token)), "a token is shown only once")

            let record = try #require(try await APIToken.query(on: app.db).filter(\.$user.$id == lina.id!).first())
            _ = try await client.post(location + "/tokens/\(record.id!)/revoke", form: [:])
            try await app.testing().test(.GET, "/api/v1/customers", headers: bearer(token)) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test func theLastAdministratorCannotBeDemotedOrDisabled() async throws {
        try await withHuifang { app in
            let (admin, _) = try await makeUser(app, .admin)
            let token = try await makeToken(app, admin)
            let (headers, body) = try json(["role": "agent"], headers: bearer(token))
            try await app.testing().test(.PATCH, "/api/v1/users/\(admin.id!)", headers: headers, body: body) {
                response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("最后一位系统管理员"))
            }
        }
    }

    @Test func aTierInUseCannotBeRemoved() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .admin).user)
            let (h1, b1) = try json(["name": "王芳", "mobile": "13812345678", "tier": "金卡"], headers: bearer(token))
            try await app.testing().test(.POST, "/api/v1/customers", headers: h1, body: b1) {
                #expect($0.status == .created)
            }
            let (h2, b2) = try json(["tiers": ["普通", "银卡", "白金卡"]], headers: bearer(token))
            try await app.testing().test(.PUT, "/api/v1/settings/tiers", headers: h2, body: b2) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("金卡"))
            }
            let (h3, b3) = try json(["tiers": ["普通", "银卡", "金卡", "白金卡", "钻石卡"]], headers: bearer(token))
            try await app.testing().test(.PUT, "/api/v1/settings/tiers", headers: h3, body: b3) {
                #expect($0.status == .ok)
            }
            #expect(try await Tier.names(on: app.db) == ["普通", "银卡", "金卡", "白金卡", "钻石卡"])
        }
    }

    @Test func adminsFilterTheAuditLog() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin)
            var client = try await PageClient.signedIn(app, admin.username, password)
            var stranger = PageClient(app)
            _ = try await stranger.signIn(admin.username, "wrong")
            var nobody = PageClient(app)
            _ = try await nobody.signIn("ghost", "wrong")
            let page = try await client.get("/audit?action=login.failed").body.string
            #expect(page.contains("ghost"))
            #expect(!page.contains("<td>登录</td>"))
            let token = try await makeToken(app, admin)
            try await app.testing().test(.GET, "/api/v1/audit?action=login.failed", headers: bearer(token)) {
                response in
                struct Entry: Decodable {
                    let action: String
                    let actor: String
                }
                let entries = try response.content.decode(ListPage<Entry>.self).items
                #expect(entries.count == 2 && entries.allSatisfy { $0.action == "login.failed" })
            }
        }
    }

    @Test func everyPageRendersForItsRoleInBothLanguages() async throws {
        try await withHuifang { app in
            _ = try await DemoOrganisation.load(on: app, customers: 30)
            let (admin, password) = try await makeUser(app, .admin, username: "root")
            let customer = try #require(try await Customer.query(on: app.db).first())
            let user = try #require(try await User.query(on: app.db).first())
            let department = try #require(try await Department.query(on: app.db).first())
            for language in ["zh", "en"] {
                var client = try await PageClient.signedIn(app, admin.username, password)
                client.language = language
                for path in [
                    "/", "/customers", "/customers?q=HY&tier=%E9%87%91%E5%8D%A1", "/customers/new",
                    "/customers/\(customer.id!)",
                    "/customers/\(customer.id!)/edit", "/customers/import", "/departments",
                    "/departments/\(department.id!)",
                    "/users", "/users/new", "/users/\(user.id!)", "/audit", "/settings",
                ] {
                    let response = try await client.get(path)
                    #expect(response.status == .ok, "\(path) in \(language)")
                    #expect(
                        response.body.string.contains("<html lang=\"\(language == "zh" ? "zh-CN" : "en")\">"), "\(path)"
                    )
                    #expect(!response.body.string.contains("#t("), "\(path) left a tag unrendered")
                }
            }
        }
    }

    @Test func everyKeyTheTemplatesUseIsInTheCatalogue() throws {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Sources/HuifangServer/Resources/Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!.compactMap {
            $0 as? URL
        }.filter { $0.pathExtension == "leaf" }
        #expect(files.count >= 10)
        let pattern = try Regex(#"#t\("([^"]+)""#)
        for file in files {
            for match in try String(contentsOf: file, encoding: .utf8).matches(of: pattern) {
                let key = String(match.output[1].substring!)
                #expect(Catalogue.contains(key), "\(file.lastPathComponent) uses \(key)")
            }
        }
    }
}
