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
        public let eventsTotal: Int
        public let openTasks: Int
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
        for (username, skills) in [("wangfang", "medical,vip"), ("zhangwei", "medical")] {
            if let user = try await User.query(on: app.db).filter(\.$username == username).first(), user.skills.isEmpty {
                user.skills = skills
                try await user.update(on: app.db)
            }
        }
        try await loadEvents(on: app)
        _ = try await DailyPlanning(db: app.db, config: app.huifang, logger: app.logger).runNow(day: app.huifang.today(), trigger: "demo")
        return Summary(accounts: accounts, customersCreated: report.created,
                       customersTotal: try await Customer.query(on: app.db).count(),
                       eventsTotal: try await ServiceEvent.query(on: app.db).count(),
                       openTasks: try await FollowUpTask.query(on: app.db).filter(\.$status == .open).count())
    }

    /// Two or three service events per customer over the last year, some recent enough that today's
    /// plan has discharges, repairs, expiring policies and warranties to follow up. Keyed `DEMO-…`, so loaded once.
    static func loadEvents(on app: Application) async throws {
        let today = app.huifang.today()
        let ids = try await Customer.query(on: app.db).sort(\.$id).all().compactMap(\.id)
        var items: [(line: Int, input: EventInput)] = []
        for id in ids {
            var rng = SplitMix64(seed: UInt64(id) &* 7_919)
            for n in 0..<(2 + Int(rng.next() % 2)) {
                let roll = Int(rng.next() % 100)
                let daysAgo = roll < 8 ? 7 : roll < 14 ? 4 : Int(rng.next() % 400)
                let day = today.adding(days: -daysAgo)
                let (kind, attributes): (String, [String: String]) = switch roll % 6 {
                case 0: ("discharge", ["科室": ["心内科", "骨科", "消化内科"][Int(rng.next() % 3)]])
                case 1: ("repair", ["产品": ["空调", "冰箱", "洗衣机"][Int(rng.next() % 3)]])
                case 2: ("insurance_expiry", ["expires_on": today.adding(days: Int(rng.next() % 60)).iso])
                case 3: ("warranty_start", ["warranty_until": day.adding(months: 24).iso, "产品": "热水器"])
                case 4: ("inquiry", [:])
                default: ("purchase", ["金额": String(100 + Int(rng.next() % 5000))])
                }
                items.append((items.count + 1, EventInput(externalID: "DEMO-E\(id)-\(n)", customerID: id, kind: kind,
                                                           occurredAt: day.iso + " 10:00", attributes: attributes)))
            }
        }
        let ingest = EventIngest(db: app.db, timeZone: app.huifang.timeZone, language: app.huifang.defaultLanguage)
        for chunk in items.chunked(2000) {
            _ = try await ingest.run(Array(chunk), source: "demo", allOrNothing: false)
        }
    }

    /// Twelve characters a person can type: no 0/O or 1/l.
    static func makePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}
