/// The rules a new organisation starts with, drawn from the seeds' policies.
/// The event kinds they read are the default kinds (`EventKinds.defaults`).
public enum DefaultRules {
    public static let all: [FollowUpRule] = [
        FollowUpRule(
            name: "新会员回访", kind: .newCustomer, priority: 2,
            script: "您好，我是客服中心回访专员，感谢您成为我们的会员，想了解一下您的入会体验。", windowDays: 3),
        FollowUpRule(
            name: "会员定期回访", kind: .periodic, priority: 4,
            script: "您好，我们做一次定期回访，了解您近期使用我们服务的感受。", windowDays: 10,
            monthsByTier: ["普通": 12, "银卡": 6, "金卡": 3, "白金卡": 1]),
        FollowUpRule(
            name: "出院七日回访", kind: .afterEvent, priority: 1, script: "您好，请问您出院后恢复得怎么样？有没有按时复查、按医嘱用药？",
            windowDays: 2, requiredSkill: "medical", days: 7, eventKind: "discharge"),
        FollowUpRule(
            name: "维修后回访", kind: .afterEvent, priority: 2, script: "您好，您的车辆/产品维修后使用是否正常？对维修服务是否满意？",
            windowDays: 3, days: 3, countsWorkingDays: true, eventKind: "repair"),
        FollowUpRule(name: "生日关怀", kind: .birthday, priority: 5, channel: .sms, script: "祝您生日快乐！", windowDays: 0),
        FollowUpRule(
            name: "流失挽回", kind: .churn, priority: 5, script: "您好，好久没见到您了，想了解一下我们哪里做得不够好。",
            windowDays: 10, days: 180),
        FollowUpRule(
            name: "保险到期提醒", kind: .expiryReminder, priority: 3, script: "您好，您的保险将于近期到期，提醒您及时续保。",
            windowDays: 5, days: 30, eventKind: "insurance_expiry", dateAttribute: "expires_on"),
        FollowUpRule(
            name: "售后周期回访", kind: .afterSales, priority: 4, script: "您好，这是质保期内的例行回访，请问产品使用是否正常？",
            windowDays: 5, eventKind: "warranty_start", dateAttribute: "warranty_until", firstMonths: 1, everyMonths: 6),
        FollowUpRule(
            name: "投诉处理后回访", kind: .triggered, priority: 1, script: "您好，您反映的问题已处理，想确认您是否满意处理结果。",
            windowDays: 1, bypassesContactCap: true),
    ]
}

extension DefaultRules {
    /// The reply promised to a caller by a time (来电承诺回复): a triggered rule, due when promised.
    public static let callback = FollowUpRule(
        name: "来电承诺回复", kind: .triggered, priority: 1,
        script: "您好，您来电咨询的问题我们答应今天给您回复，现在向您说明处理情况。",
        windowDays: 1, bypassesContactCap: true)
}

/// Service event kinds (configurable); these are the defaults.
public enum EventKinds {
    public static let defaults: [(code: String, name: String)] = [
        ("purchase", "购买"), ("repair", "维修"), ("discharge", "出院"), ("outpatient", "门诊"), ("delivery", "配送"),
        ("inquiry", "咨询"), ("event_attendance", "参加活动"), ("warranty_start", "质保开始"),
        ("insurance_expiry", "保险到期"), ("card_expiry", "会员卡到期"),
    ]
}
