extension Catalogue {
    /// Webhooks: registering endpoints and their delivery log.
    static let webhooks: [String: (zh: String, en: String)] = [
        "webhook.problem.url": (
            "须为 https:// 地址（仅本机测试可用 http://127.0.0.1 或 http://localhost）",
            "must be an https:// address (http:// only on this machine's loopback, for tests)"
        ),
        "webhook.problem.events": ("须列出至少一种已知事件类型", "must list at least one known event type"),
        "webhook.problem.role": ("不是已知的角色", "is not a known role"),
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
