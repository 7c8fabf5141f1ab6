import Fluent
import Foundation
import HuifangCore
import Vapor

/// The demo organisation: departments, a user of every role, and a few thousand
/// customers. Loading it again adds nothing: everything is matched by name or member ID.
public enum DemoOrganisation {
    public struct Account: Sendable {
        public let username: String
        public let displayName: String
        public let role: Role
        public let department: String?
        /// Set only when the account was made by this run; it is never shown again.
        public let password: String?
    }

    public struct Summary: Sendable {
        public let accounts: [Account]
        public let customersCreated: Int
        public let customersTotal: Int
    }

    static let departments = ["客服中心", "售后服务部", "质量管理部", "物流配送部"]
    static let people: [(String, String, Role, String?)] = [
        ("admin", "系统管理员", .admin, nil),
        ("zhuguan", "李慧敏", .supervisor, "客服中心"),
        ("wangfang", "王芳", .agent, "客服中心"),
        ("zhangwei", "张伟", .agent, "客服中心"),
        ("liuyang", "刘洋", .agent, "客服中心"),
        ("chenjing", "陈静", .agent, "客服中心"),
        ("zhaolei", "赵磊", .handler, "售后服务部"),
        ("sunli", "孙丽", .handler, "质量管理部"),
        ("zhouxin", "周鑫", .analyst, nil),
    ]

    public static func load(on app: Application, customers count: Int = 2400) async throws -> Summary {
        let actor = Actor.commandLine("demo")
        let departmentService = DepartmentService(db: app.db, actor: actor)
        var departmentIDs: [String: UUID] = [:]
        for name in departments {
            if let existing = try await Department.query(on: app.db).filter(\.$name == name).first() {
                departmentIDs[name] = existing.id
            } else {
                let department = Department()
                try await departmentService.save(department, name: name, headUserID: nil)
                departmentIDs[name] = department.id
            }
        }
        let users = UserService(db: app.db, passwords: app.password.async, actor: actor)
        var accounts: [Account] = []
        for (username, name, role, department) in people {
            var password: String?
            if try await User.query(on: app.db).filter(\.$username == username).first() == nil {
                let made = makePassword()
                let user = try await users.create(.init(username: username, displayName: name, role: role,
                                                        departmentID: department.flatMap { departmentIDs[$0] }, password: made))
                password = made
                if role == .handler, let department, let id = departmentIDs[department],
                   let record = try await Department.find(id, on: app.db), record.headUserID == nil {
                    try await departmentService.save(record, name: record.name, headUserID: user.id)
                }
            }
            accounts.append(Account(username: username, displayName: name, role: role, department: department, password: password))
        }

        let agents = people.filter { $0.2 == .agent }.map(\.0)
        let tiers = try await Tier.names(on: app.db)
        let sample = SampleCustomers(agents: agents, tiers: tiers, today: app.huifang.today())
        let importer = CustomerImporter(db: app.db, rules: CustomerRules(tiers: tiers, today: app.huifang.today()),
                                        actor: actor, language: app.huifang.defaultLanguage)
        let report = try await importer.run(Array(sample.csv(count: count).utf8), .init(fileName: "demo-customers.csv"))
        return Summary(accounts: accounts, customersCreated: report.created,
                       customersTotal: try await Customer.query(on: app.db).count())
    }

    /// Twelve characters a person can type: no 0/O or 1/l.
    static func makePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}
