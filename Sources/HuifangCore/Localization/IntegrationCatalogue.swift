extension Catalogue {
    /// Webhooks: registering endpoints and their delivery log.
    static let webhooks: [String: (zh: String, en: String)] = [
        "webhook.problem.url": (
            "须为 https:// 地址（仅本机测试可用 http://127.0.0.1 或 http://localhost）",
            "must be an https:// address (http:// only on this machine's loopback, for tests)"
        ),
        "webhook.problem.events": ("须列出至少一种已知事件类型", "must list at least one known event type"),
        "webhook.problem.role": ("不是已知的角色", "is not a known role"),
        "nav.webhooks": ("Webhook", "Webhooks"),
        "webhooks.title": ("Webhook 推送", "Webhooks"),
        "webhooks.intro": (
            "发生所选事件时，回访系统把事件以签名的 JSON 推送到这些地址（HTTPS），失败会按 1、4、16、64、256 分钟重试。",
            "When a chosen event happens, Huifang posts it as signed JSON to these addresses (HTTPS), retrying after 1, 4, 16, 64 and 256 minutes."
        ),
        "webhooks.empty": ("还没有登记 Webhook。", "No webhooks registered yet."),
        "webhooks.new": ("登记 Webhook", "Register a webhook"),
        "webhooks.url": ("接收地址", "Receiving URL"),
        "webhooks.events": ("事件", "Events"),
        "webhooks.role": ("按此角色脱敏", "Masked as this role sees it"),
        "webhooks.roleHint": (
            "推送中客户的手机号和邮箱按所选角色能看到的样子给出（默认数据分析员：已脱敏）。",
            "The customer's mobile and email in each delivery are as the chosen role sees them (default analyst: masked)."
        ),
        "webhooks.register": ("登记", "Register"),
        "webhooks.registered": ("已登记 {0}。", "Registered {0}."),
        "webhooks.secret": ("签名密钥", "Signing secret"),
        "webhooks.secretOnce": (
            "密钥只显示这一次：请复制到接收方，用它核对 X-Huifang-Signature。",
            "The secret is shown this once: copy it to the receiver, which checks X-Huifang-Signature with it."
        ),
        "webhooks.createdAt": ("登记于", "Registered"),
        "webhooks.log": ("投递记录", "Delivery log"),
        "webhooks.deliveries": ("{0} 的投递记录", "Deliveries to {0}"),
        "webhooks.noDeliveries": ("还没有投递。", "Nothing delivered yet."),
        "webhooks.event": ("事件", "Event"),
        "webhooks.state": ("状态", "Status"),
        "webhooks.attempts": ("尝试次数", "Attempts"),
        "webhooks.queuedAt": ("产生于", "Queued"),
        "webhooks.sentAt": ("送达于", "Delivered"),
        "webhooks.answer": ("对方回应", "Response"),
        "webhooks.redeliver": ("重新投递", "Send again"),
        "webhooks.queued": ("已排队重新投递，下一轮发送。", "Queued to be sent again at the next run."),
        "webhooks.remove": ("删除此 Webhook 及其投递记录", "Remove this webhook and its log"),
        "webhooks.removed": ("已删除 Webhook。", "Webhook removed."),
        "webhooks.status.sent": ("已送达", "Delivered"),
        "webhooks.status.pending": ("待发送", "Waiting"),
        "webhooks.status.failed": ("已放弃", "Gave up"),
        "webhooks.field.url": ("接收地址", "Receiving URL"),
        "webhooks.field.events": ("事件", "Events"),
        "webhooks.field.role": ("角色", "Role"),
        "webhooks.event.customer.created": ("新建客户", "Customer created"),
        "webhooks.event.customer.changed": ("客户资料变更", "Customer changed"),
        "webhooks.event.customer.erased": ("客户资料删除", "Customer erased"),
        "webhooks.event.task.planned": ("生成回访任务", "Follow-ups planned"),
        "webhooks.event.task.completed": ("回访完成", "Follow-up completed"),
        "webhooks.event.record.saved": ("记录联系", "Contact recorded"),
        "webhooks.event.survey.answered": ("问卷作答", "Survey answered"),
        "webhooks.event.ticket.opened": ("新建工单", "Ticket opened"),
        "webhooks.event.ticket.changed": ("工单变更", "Ticket changed"),
        "webhooks.event.ticket.escalated": ("工单升级", "Ticket escalated"),
        "webhooks.event.ticket.closed": ("工单关闭", "Ticket closed"),
        "webhooks.event.call.logged": ("登记来电", "Call logged"),
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
        "record.field.callId": ("电话系统的通话", "Phone system call"),
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
