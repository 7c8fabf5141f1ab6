extension Catalogue {
    /// Webhooks: registering endpoints and their delivery log.
    static let webhooks: [String: (zh: String, en: String)] = [
        "webhook.problem.url": (
            "须为 https:// 地址（仅本机测试可用 http://127.0.0.1 或 http://localhost）",
            "must be an https:// address (http:// only on this machine's loopback, for tests)"
        ),
        "webhook.problem.events": ("须列出至少一种已知事件类型", "must list at least one known event type"),
        "webhook.problem.role": ("不是已知的角色", "is not a known role"),
        "webhook.problem.purged": ("这次投递的内容已按保留期限清除，无法重发", "this delivery's body was purged by the retention rules"),
        "action.webhook.create": ("登记 Webhook", "Webhook registered"),
        "action.webhook.delete": ("删除 Webhook", "Webhook removed"),
        "action.webhook.deliveries": ("查看 Webhook 投递记录", "Webhook deliveries viewed"),
        "action.webhook.redeliver": ("重新投递 Webhook", "Webhook delivery sent again"),
        "audit.sentence.webhook.create": ("{0} 登记了 Webhook {1}", "{0} registered webhook {1}"),
        "audit.sentence.webhook.delete": ("{0} 删除了 Webhook {1}", "{0} removed webhook {1}"),
        "audit.sentence.webhook.deliveries": ("{0} 查看了 Webhook {1} 的投递记录", "{0} viewed the deliveries of webhook {1}"),
        "audit.sentence.webhook.redeliver": ("{0} 重新投递了 Webhook {1} 的一次事件", "{0} sent an event to webhook {1} again"),
    ]
}

extension Catalogue {
    /// The phone system: its events, the ringing call's pop-up, the call's record.
    static let telephony: [String: (zh: String, en: String)] = [
        "telephony.problem.event": ("须为 ringing、answered 或 ended", "must be ringing, answered or ended"),
        "telephony.problem.callId": ("须为 1 至 100 个字符的通话编号", "must be the call's id, 1 to 100 characters"),
        "telephony.problem.direction": ("须为 inbound 或 outbound", "must be inbound or outbound"),
        "telephony.problem.extension": ("须为至多 20 位的分机号（数字、* 或 #）", "must be an extension of at most 20 digits, * or #"),
        "telephony.problem.extensionTaken": ("已是另一位用户的分机", "is another user's extension"),
        "telephony.problem.phoneCall": ("不是打到您分机的来电", "is not a call that rang at your extension"),
        "telephony.problem.callTaken": ("这通电话已记在另一次联系中", "already times another contact"),
        "workspace.timedByPhoneSystem": ("通话时间取自电话系统（{0} 秒）。", "Call times from the phone system ({0} s). "),
        "telephony.popUp.customer": (
            "{0}（{1}）{2} · 未完成回访 {3} 个 · 未结工单 {4} 个", "{0} ({1}) {2} · {3} open follow-ups · {4} open tickets"
        ),
        "telephony.popUp.newCaller": ("新来电 {0}（不是已知客户）", "New caller {0} (not a known customer)"),
        "users.phoneExtension": ("分机号", "Desk phone extension"),
        "live.kind.call": ("来电", "Incoming call"),
        "live.openCall": ("登记来电", "Log the call"),
        "action.telephony.view": ("查看通话记录", "Phone call viewed"),
        "audit.sentence.telephony.view": ("{0} 查看了通话 {1} 的记录", "{0} viewed the record of call {1}"),
    ]
}
