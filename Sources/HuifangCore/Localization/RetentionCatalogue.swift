extension Catalogue {
    /// Retention of personal information: the admin's rules, the daily purge, its runs.
    static let retention: [String: (zh: String, en: String)] = [
        "retention.title": ("个人信息保留期限", "Retention of personal information"),
        "retention.intro": (
            "每天清理一次超过保留期限的个人信息（多实例时只有一个实例执行）。统计数字不受影响。",
            "Once a day, personal information past its limit is purged (on one instance only). The figures stay "
                + "the same."
        ),
        "retention.inactiveCustomerYears": (
            "客户无活动满几年后删除其个人信息（留空为不删除）", "Erase customers inactive for this many years (empty: never)"
        ),
        "retention.messageBodyDays": ("已发送短信和邮件的正文保留天数", "Days a sent message's subject and body are kept"),
        "retention.notificationDays": ("站内通知保留天数", "Days in-app notifications are kept"),
        "retention.auditDetailYears": (
            "审计日志详情和 IP 地址保留年数（条目本身保留）", "Years audit details and addresses are kept (the entries stay)"
        ),
        "retention.runs": ("最近的清理", "Recent runs"),
        "retention.runNow": ("立即清理", "Purge now"),
        "retention.ran": (
            "已清理：{0} 位客户的个人信息，{1} 条消息正文，{2} 条通知，{3} 条审计详情",
            "Purged: {0} customers' personal information, {1} message bodies, {2} notifications, {3} audit details"
        ),
        "retention.started": ("开始", "Started"),
        "retention.finished": ("结束", "Finished"),
        "retention.trigger": ("方式", "Trigger"),
        "retention.instance": ("实例", "Instance"),
        "retention.report": ("结果", "Report"),
        "retention.none": ("还没有清理记录", "No runs yet"),
        "retention.trigger.schedule": ("每日", "daily"),
        "retention.trigger.manual": ("手动", "by hand"),
        "retention.requestedBy": ("保留期限规则", "Retention rule"),
        "retention.reason": ("{0} 年无活动", "No activity for {0} years"),
        "job.retention": ("个人信息清理", "The retention purge"),
        "problem.range": ("应在 {0} 到 {1} 之间", "must be between {0} and {1}"),
        "problem.wholeNumber": ("应为整数", "must be a whole number"),
    ]
}
