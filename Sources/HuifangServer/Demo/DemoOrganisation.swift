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
        public let openTickets: Int
        public let escalations: Int
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

    // Long: a demo script read top to bottom: departments, accounts, customers, then each loader in order.
    public static func load(on app: Application, customers count: Int = 2400) async throws -> Summary {
        let actor = Actor.commandLine("demo")
        let departmentService = DepartmentService(db: app.db, actor: actor, now: app.clock.now())
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
        let users = UserService(db: app.db, passwords: app.password.async, actor: actor, now: app.clock.now())
        var accounts: [Account] = []
        for (username, name, role, department) in people {
            var password: String?
            if try await User.query(on: app.db).filter(\.$username == username).first() == nil {
                let made = makePassword()
                let user = try await users.create(
                    .init(
                        username: username, displayName: name, role: role,
                        departmentID: department.flatMap { departmentIDs[$0] }, password: made))
                password = made
                if role == .handler, let department, let id = departmentIDs[department],
                    let record = try await Department.find(id, on: app.db), record.headUserID == nil
                {
                    try await departmentService.save(record, name: record.name, headUserID: user.id)
                }
            }
            accounts.append(
                Account(username: username, displayName: name, role: role, department: department, password: password))
        }

        let agents = people.filter { $0.2 == .agent }.map(\.0)
        let tiers = try await Tier.names(on: app.db)
        let sample = SampleCustomers(agents: agents, tiers: tiers, today: app.today)
        let importer = CustomerImporter(
            db: app.db, rules: CustomerRules(tiers: tiers, today: app.today),
            actor: actor, language: app.huifang.defaultLanguage, now: app.clock.now())
        let report = try await importer.run(Array(sample.csv(count: count).utf8), .init(fileName: "demo-customers.csv"))
        for (username, skills) in [("wangfang", "medical,vip"), ("zhangwei", "medical")] {
            if let user = try await User.query(on: app.db).filter(\.$username == username).first(), user.skills.isEmpty
            {
                user.skills = skills
                try await user.update(on: app.db)
            }
        }
        // Desk phones: the phone system's pop-ups reach the agent at each extension (scripts/pbx.py plays one).
        for (username, phoneExtension) in [("wangfang", "801"), ("zhangwei", "802"), ("liuyang", "803")] {
            if let user = try await User.query(on: app.db).filter(\.$username == username).first(),
                user.phoneExtension == nil
            {
                user.phoneExtension = phoneExtension
                try await user.update(on: app.db)
            }
        }
        try await loadEvents(on: app)
        try await loadKnowledgeBase(on: app)
        try await loadTickets(on: app)
        try await loadSurveys(on: app)
        try await DemoHistory.load(on: app)
        let planning = app.domain(as: .commandLine("demo")).planning
        _ = try await planning.runNow(day: app.today, trigger: "demo", now: app.clock.now())
        return Summary(
            accounts: accounts, customersCreated: report.created,
            customersTotal: try await Customer.query(on: app.db).count(),
            eventsTotal: try await ServiceEvent.query(on: app.db).count(),
            openTasks: try await FollowUpTask.query(on: app.db).filter(\.$status == .open).count(),
            openTickets: try await Ticket.query(on: app.db).filter(\.$status !~ [.closed, .adopted, .declined]).count(),
            escalations: try await TicketEscalation.query(on: app.db).count())
    }

    /// Two or three service events per customer over the last year, some recent enough that today's
    /// plan has discharges, repairs, expiring policies and warranties to follow up. Keyed `DEMO-…`, so loaded once.
    static func loadEvents(on app: Application) async throws {
        let today = app.today
        let ids = try await Customer.query(on: app.db).sort(\.$id).all().compactMap(\.id)
        var items: [(line: Int, input: EventInput)] = []
        for id in ids {
            var rng = SplitMix64(seed: UInt64(id) &* 7_919)
            for n in 0..<(2 + Int(rng.next() % 2)) {
                let roll = Int(rng.next() % 100)
                let daysAgo = roll < 8 ? 7 : roll < 14 ? 4 : Int(rng.next() % 400)
                let day = today.adding(days: -daysAgo)
                let (kind, attributes): (String, [String: String]) =
                    switch roll % 6 {
                    case 0: ("discharge", ["科室": ["心内科", "骨科", "消化内科"][Int(rng.next() % 3)]])
                    case 1: ("repair", ["产品": ["空调", "冰箱", "洗衣机"][Int(rng.next() % 3)]])
                    case 2: ("insurance_expiry", ["expires_on": today.adding(days: Int(rng.next() % 60)).iso])
                    case 3: ("warranty_start", ["warranty_until": day.adding(months: 24).iso, "产品": "热水器"])
                    case 4: ("inquiry", [:])
                    default: ("purchase", ["金额": String(100 + Int(rng.next() % 5000))])
                    }
                items.append(
                    (
                        items.count + 1,
                        EventInput(
                            externalID: "DEMO-E\(id)-\(n)", customerID: id, kind: kind,
                            occurredAt: day.iso + " 10:00", attributes: attributes)
                    ))
            }
        }
        let ingest = EventIngest(
            db: app.db, timeZone: app.huifang.timeZone, language: app.huifang.defaultLanguage, now: app.clock.now())
        for chunk in items.chunked(2000) {
            _ = try await ingest.run(Array(chunk), source: "demo", allOrNothing: false)
        }
    }

    static let articles: [(String, String, String)] = [
        ("会员积分怎么查询？", "在门店收银台或会员小程序“我的积分”中查询；积分在消费后次日到账。", "积分 查询 会员"),
        ("积分有效期多久？", "积分自获得之日起两年有效，到期前一个月短信提醒。", "积分 过期 有效期"),
        ("产品保修期多长？", "整机保修一年，压缩机等核心部件保修三年，凭发票或电子保修卡享受。", "保修 质保 维修"),
        ("如何预约上门维修？", "拨打服务热线或在小程序“报修”中填写地址和故障，工程师 24 小时内联系您确认时间。", "维修 上门 预约 报修"),
        ("快递多久能到？", "同城次日达，省内 2 天，跨省 3–5 天；偏远地区另加 1–2 天。", "快递 配送 时效 物流"),
        ("包裹破损怎么办？", "请拍照保留外包装和物品，签收后 48 小时内联系客服登记，我们将在 3 个工作日内给出处理结果。", "破损 损坏 理赔"),
        ("会员升级条件是什么？", "年度累计消费满 5000 元升银卡，满 20000 元升金卡，满 50000 元升白金卡。", "升级 等级 金卡 银卡"),
    ]

    /// Common questions for the call form; added once, matched by question.
    static func loadKnowledgeBase(on app: Application) async throws {
        for (question, answer, keywords) in articles
        where try await KnowledgeArticle.query(on: app.db).filter(\.$question == question).first() == nil {
            let article = KnowledgeArticle()
            article.question = question
            article.answer = answer
            article.keywords = keywords
            article.updatedBy = "演示数据"
            try await article.create(on: app.db)
        }
    }

    /// Two surveys from the seeds' record forms, asked by the rules that follow up a service;
    /// only into a database without surveys.
    static func loadSurveys(on app: Application) async throws {
        guard try await SurveyRecord.query(on: app.db).count() == 0 else { return }
        let store = SurveyStore(db: app.db)
        let actor = Actor.commandLine("demo")
        func q(_ text: String, _ type: String, _ indicator: String, required: Bool = true, options: [String] = [])
            -> SurveyInput.Question
        {
            .init(key: nil, text: text, type: type, indicator: indicator, required: required, options: options)
        }
        let service = try await store.create(
            SurveyInput(
                name: "服务满意度回访", intro: "感谢您选择我们的服务，以下几个问题大约需要一分钟。", threshold: "lowest", ticketAction: "propose",
                questions: [
                    q("您对本次服务总体是否满意？", "satisfaction3", "总体满意度"),
                    q("您对服务人员的态度打几分？", "scale5", "服务态度", options: ["很不满意", "不满意", "一般", "满意", "非常满意"]),
                    q("您对产品/维修的质量打几分？", "scale5", "产品质量", options: ["很不满意", "不满意", "一般", "满意", "非常满意"]),
                    q("您愿意把我们推荐给亲友吗？（0–10 分）", "nps", "推荐意愿", required: false),
                    q("您还有什么意见或建议？", "text", "", required: false),
                ]), by: actor, at: app.clock.now())
        let hospital = try await store.create(
            SurveyInput(
                name: "出院患者满意度", intro: "祝您早日康复！请您对住院期间的服务做个评价。", threshold: "dissatisfied", ticketAction: "propose",
                questions: [
                    q("您对医护人员的服务态度是否满意？", "satisfaction3", "服务态度"),
                    q("您对治疗效果是否满意？", "satisfaction3", "治疗效果"),
                    q("您对病房环境是否满意？", "satisfaction3", "环境设施"),
                    q("出院后是否按医嘱复查、用药？", "yesNo", "健康宣教", required: false),
                    q("您对医院还有什么意见和建议？", "text", "", required: false),
                ]), by: actor, at: app.clock.now())
        let surveys = [
            "新会员回访": service.familyID!, "会员定期回访": service.familyID!, "维修后回访": service.familyID!,
            "售后周期回访": service.familyID!, "出院七日回访": hospital.familyID!,
        ]
        for record in try await RuleRecord.query(on: app.db).all() {
            guard let family = surveys[record.name] else { continue }
            var rule = try record.rule()
            guard rule.surveyID == nil else { continue }
            rule.surveyID = family
            try record.apply(rule)
            try await record.update(on: app.db)
        }
    }

    /// A handful of tickets at different stages, opened over the last days so that some are already
    /// overdue and escalated. Only into a database without tickets.
    static func loadTickets(on app: Application) async throws {
        guard try await Ticket.query(on: app.db).count() == 0 else { return }
        let customers = try await Customer.query(on: app.db).sort(\.$id).limit(6).all().compactMap(\.id)
        guard customers.count == 6 else { return }
        let actor = Actor.commandLine("demo")
        let now = app.clock.now()
        func service(hoursAgo: Double) -> TicketService {
            TicketService(db: app.db, config: app.huifang, actor: actor, now: now.addingTimeInterval(-hoursAgo * 3600))
        }
        let opened: [(Double, TicketInput, [TicketAction])] = [
            (
                30,
                TicketInput(
                    kind: "complaint", category: "attitude", severity: "general", urgent: true, source: "call",
                    customerID: customers[0],
                    description: "客户投诉门店店员态度冷淡，询问价格时不耐烦。", department: "客服中心"), []
            ),
            (
                50,
                TicketInput(
                    kind: "quality", category: "damage", severity: "serious", source: "followUp",
                    customerID: customers[1],
                    description: "空调维修后第二天又漏水，客户要求更换。", handler: "zhaolei"), [.start]
            ),
            (
                2,
                TicketInput(
                    kind: "service", category: "delay", severity: "general", source: "call", customerID: customers[2],
                    description: "快递比承诺晚了三天还没到。", department: "物流配送部"), []
            ),
            (
                80,
                TicketInput(
                    kind: "suggestion", category: "other", severity: "minor", source: "survey",
                    customerID: customers[3],
                    description: "建议会员日增加晚间场次。", handler: "sunli"), []
            ),
            (
                120,
                TicketInput(
                    kind: "complaint", category: "price", severity: "general", source: "followUp",
                    customerID: customers[4],
                    description: "会员价与宣传不符，多收了 50 元。", handler: "zhaolei"), [.start, .resolve]
            ),
        ]
        for (hoursAgo, input, actions) in opened {
            var ticket = try await service(hoursAgo: hoursAgo).open(input)
            for (index, action) in actions.enumerated() {
                ticket = try await service(hoursAgo: hoursAgo - Double(index + 1)).act(
                    ticket, action, note: action == .resolve ? "已退还差价 50 元并致歉。" : "")
            }
        }
        _ = try await EscalationSweep(db: app.db, config: app.huifang).run(now: now)
    }

    /// Twelve characters a person can type: no 0/O or 1/l.
    static func makePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}
