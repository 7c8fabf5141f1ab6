import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct ImportTests {
    struct Report: Decodable {
        struct Problem: Decodable {
            let line: Int
            let column: String?
            let value: String?
            let reason: String
        }
        let encoding: String
        let totalRows: Int
        let created: Int
        let updated: Int
        let unchanged: Int
        let failed: Int
        let problems: [Problem]
        let applied: Bool
    }

    static let mixed = """
        会员编号,姓名,手机,会员等级,生日,标签,专属客服
        HY001,王芳,13812345678,金卡,1990-03-05,新客,agent1
        HY002,李娜,1381234,普通,,,
        HY003,张伟,13912345678,钻石卡,1988-13-01,,
        HY004,赵磊,13712345678,银卡,,车主,nobody
        HY005,刘洋,13612345678,,,,
        """

    func upload(_ app: Application, _ token: String, _ text: String, gbk: Bool = false, query: String = "") async throws
        -> (HTTPStatus, Report)
    {
        let bytes = gbk ? TextDecoding.encodeGB18030(text)! : Array(text.utf8)
        var result: (HTTPStatus, Report)?
        var headers = bearer(token)
        headers.contentType = HTTPMediaType(type: "text", subType: "csv")
        try await app.testing().test(
            .POST, "/api/v1/customers/import?fileName=t.csv" + query, headers: headers, body: ByteBuffer(bytes: bytes)
        ) { response in
            result = (response.status, try response.content.decode(Report.self))
        }
        return try #require(result)
    }

    @Test func appliesTheGoodRowsAndReportsExactlyTheBadOnes() async throws {
        try await withHuifang { app in
            try await makeUser(app, .agent)
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let (status, report) = try await upload(app, token, Self.mixed, gbk: true)
            #expect(status == .ok)
            #expect(report.encoding == "GBK/GB18030")
            #expect(report.totalRows == 5)
            #expect(report.created == 2)
            #expect(report.failed == 3)
            #expect(report.problems.map { "\($0.line) \($0.column ?? "")" } == ["3 手机", "4 会员等级", "4 生日", "5 专属客服"])
            #expect(report.problems[0].value == "1381234")
            #expect(report.problems[0].reason.contains("不是有效的手机号"))
            let names = try await Customer.query(on: app.db).sort(\.$externalID).all().map(\.name)
            #expect(names == ["王芳", "刘洋"])
            let wang = try #require(
                try await Customer.query(on: app.db).filter(\.$externalID == "HY001").with(\.$assignedAgent).first())
            #expect(wang.assignedAgent?.username == "agent1")
            #expect(wang.tier == "金卡")
            let liu = try #require(try await Customer.query(on: app.db).filter(\.$externalID == "HY005").first())
            #expect(liu.tier == "普通", "an empty tier gets the default")
            let audit = try #require(
                try await AuditEntry.query(on: app.db).filter(\.$action == "customer.import").first())
            #expect(audit.detail == "created=2 updated=0 failed=3")
        }
    }

    @Test func strictAndDryRunWriteNothing() async throws {
        try await withHuifang { app in
            try await makeUser(app, .agent)
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let (strictStatus, strict) = try await upload(app, token, Self.mixed, query: "&strict=true")
            #expect(strictStatus == .unprocessableEntity)
            #expect(!strict.applied && strict.failed == 3)
            let (_, dry) = try await upload(app, token, Self.mixed, query: "&dryRun=true")
            #expect(!dry.applied && dry.created == 2)
            #expect(try await Customer.query(on: app.db).count() == 0)
        }
    }

    @Test func upsertsByMemberIDElseByMobileAndKeepsHistory() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            _ = try await upload(app, token, "会员编号,姓名,手机,会员等级,备注\nHY001,王芳,13812345678,普通,老客户\n")
            _ = try await upload(app, token, "姓名,手机,会员等级\n李娜,13912345678,银卡\n")
            let (_, second) = try await upload(
                app, token,
                """
                member_id,name,mobile,tier,notes
                HY001,王芳,13812345678,金卡,
                ,李娜,+86 139 1234 5678,白金卡,
                HY003,张伟,13712345678,普通,
                """)
            #expect(second.created == 1)
            #expect(second.updated == 2)
            let wang = try #require(try await Customer.query(on: app.db).filter(\.$externalID == "HY001").first())
            #expect(wang.tier == "金卡")
            #expect(wang.notes == "老客户", "an empty cell leaves the value alone")
            #expect(try await Customer.query(on: app.db).filter(\.$mobile == "+8613912345678").first()?.tier == "白金卡")
            let history = try await CustomerChange.query(on: app.db).filter(\.$customerID == wang.id!).filter(
                \.$field == "tier"
            ).first()
            #expect(history?.oldValue == "普通" && history?.newValue == "金卡" && history?.source == "import")
            let (_, third) = try await upload(app, token, "会员编号,姓名,会员等级\nHY001,王芳,金卡\n")
            #expect(third.unchanged == 1 && third.updated == 0)
            #expect(try await Customer.query(on: app.db).count() == 3)
        }
    }

    @Test func aMobileSharedBySeveralCustomersNeedsTheMemberID() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            _ = try await upload(app, token, "会员编号,姓名,手机\nHY1,王芳,13812345678\nHY2,王小芳,13812345678\n")
            let (_, report) = try await upload(app, token, "姓名,手机,会员等级\n王芳,13812345678,金卡\n")
            #expect(report.failed == 1)
            #expect(report.problems.first?.reason.contains("对应多位客户") == true)
        }
    }

    @Test func aFileWithoutNeededColumnsIsRefusedWhole() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            var headers = bearer(token)
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            try await app.testing().test(
                .POST, "/api/v1/customers/import", headers: headers, body: ByteBuffer(string: "生日,性别\n1990-01-01,男\n")
            ) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("缺少“姓名”列"))
            }
        }
    }

    @Test func theUploadPageShowsTheSameReport() async throws {
        try await withHuifang { app in
            try await makeUser(app, .agent)
            let (supervisor, password) = try await makeUser(app, .supervisor)
            var client = try await PageClient.signedIn(app, supervisor.username, password)
            let response = try await client.upload(
                "/customers/import", file: TextDecoding.encodeGB18030(Self.mixed)!, fileName: "会员.csv")
            #expect(response.status == .ok)
            let html = response.body.string
            #expect(html.contains("GBK/GB18030"))
            #expect(html.contains("<dd id=\"created\">2</dd>"))
            #expect(html.contains("<dd id=\"failed\">3</dd>"))
            #expect(html.contains("不是已配置的会员等级"))
            #expect(html.contains("已导入正确的行，错误行未导入"))
            let strict = try await client.upload(
                "/customers/import", file: Array(Self.mixed.utf8), fileName: "会员.csv", fields: ["strict": "1"])
            #expect(strict.body.string.contains("严格模式下发现错误，未导入任何数据"))
            #expect(try await Customer.query(on: app.db).count() == 2)
        }
    }

    @Test func theDemoLoadsTwiceWithoutDuplicates() async throws {
        try await withHuifang { app in
            let first = try await DemoOrganisation.load(on: app, customers: 2000)
            #expect(first.customersTotal == 2000)
            #expect(Set(first.accounts.map(\.role)) == Set(Role.allCases))
            #expect(first.accounts.allSatisfy { $0.password != nil })
            let second = try await DemoOrganisation.load(on: app, customers: 2000)
            #expect(second.customersCreated == 0 && second.customersTotal == 2000)
            #expect(second.accounts.allSatisfy { $0.password == nil })
            #expect(try await User.query(on: app.db).count() == first.accounts.count)
            #expect(try await Department.query(on: app.db).count() == 4)
            let tiers = try await Customer.query(on: app.db).all().map(\.tier)
            #expect(Set(tiers) == Set(Tier.defaults))
        }
    }
}
