import Foundation

/// Realistic Chinese customers, the same every time for the same seed: the
/// demo organisation's members and the benchmark's import file.
public struct SampleCustomers: Sendable {
    public static let headings = [
        "会员编号", "姓名", "手机", "性别", "生日", "注册日期", "会员等级", "标签", "邮箱", "专属客服", "同意回访", "免打扰", "备注",
    ]

    public let agents: [String]
    public let tiers: [String]
    public let today: LocalDate
    public let seed: UInt64

    public init(
        agents: [String] = [], tiers: [String] = ["普通", "银卡", "金卡", "白金卡"], today: LocalDate, seed: UInt64 = 2024
    ) {
        self.agents = agents
        self.tiers = tiers
        self.today = today
        self.seed = seed
    }

    static let surnames = Array(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    ).map(String.init)
    static let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌辉鹏飞宇浩然欣怡子涵梓萱雨轩思远佳琪晨阳嘉怡博文一诺俊杰").map(String.init)
    static let prefixes = [
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
        "158", "159", "166", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199",
    ]
    static let tags = ["新客", "老客户", "高价值", "投诉过", "车主", "住院患者", "门诊患者", "月结客户", "沉睡客户", "活动参与"]
    static let mailDomains = ["163.com", "qq.com", "126.com", "sina.com", "foxmail.com"]
    static let notes = ["偏好下午联系", "仅接受短信", "家属代接电话", "上次回访表示满意", "需用普通话沟通", "工作日晚上方便"]

    /// Row `index` (0-based) in the order of `headings`.
    public func row(_ index: Int) -> [String] {
        // Each row its own stream: seeding with a hash of the index keeps neighbouring rows unrelated.
        var seeder = SplitMix64(seed: seed &+ UInt64(index))
        var rng = SplitMix64(seed: seeder.next())
        let name = rng.pick(Self.surnames) + rng.pick(Self.given) + (rng.chance(0.7) ? rng.pick(Self.given) : "")
        let mobile = rng.pick(Self.prefixes) + digits(8, index: index, rng: &rng)
        let tierRoll = rng.unit()
        let tierIndex = tierRoll < 0.58 ? 0 : tierRoll < 0.83 ? 1 : tierRoll < 0.95 ? 2 : 3
        let tier = tiers[min(tierIndex, tiers.count - 1)]
        let birthday = LocalDate(year: 1950 + rng.below(56), month: 1 + rng.below(12), day: 1 + rng.below(28))!
        let registeredYear = max(2015, today.year - rng.below(11))
        let registered = min(today, LocalDate(year: registeredYear, month: 1 + rng.below(12), day: 1 + rng.below(28))!)
        var tagSet: [String] = []
        for _ in 0..<rng.below(3) {
            let tag = rng.pick(Self.tags)
            if !tagSet.contains(tag) { tagSet.append(tag) }
        }
        let email = rng.chance(0.3) ? "\(10_000_000 + rng.below(89_999_999))@\(rng.pick(Self.mailDomains))" : ""
        let agent = !agents.isEmpty && rng.chance(0.6) ? rng.pick(agents) : ""
        return [
            "HY" + pad(index + 1, 7), name, mobile, rng.chance(0.5) ? "男" : "女", birthday.iso, registered.iso, tier,
            tagSet.joined(separator: ","), email, agent, rng.chance(0.95) ? "是" : "否", rng.chance(0.03) ? "是" : "否",
            rng.chance(0.1) ? rng.pick(Self.notes) : "",
        ]
    }

    /// The whole file: headings then `count` rows, as CSV text (no byte-order mark: it may be re-encoded as GBK).
    public func csv(count: Int) -> String {
        CSVWriter.document(text: [Self.headings] + (0..<count).map(row), byteOrderMark: false)
    }

    /// Eight digits unique per index (so mobiles never repeat), scrambled to look random.
    private func digits(_ count: Int, index: Int, rng: inout SplitMix64) -> String {
        let scrambled = (index &* 7_919 &+ 12_345_678) % 100_000_000
        return pad(scrambled, count)
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
