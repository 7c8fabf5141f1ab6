extension Catalogue {
    /// Consent as a history: the customer page's table, the export, the customer's own opt-out (survey page and
    /// SMS reply) and the outbox's cancelled messages.
    static let consent: [String: (zh: String, en: String)] = [
        "consent.history": ("同意与免打扰记录", "Consent history"),
        "consent.historyEmpty": ("暂无记录", "No entries yet"),
        "consent.at": ("时间", "When"),
        "consent.state": ("同意回访", "Consents"),
        "consent.dnd": ("免打扰", "Do not disturb"),
        "consent.how": ("方式", "How"),
        "consent.by": ("记录人", "Recorded by"),
        "consent.note": ("备注", "Note"),
        "consent.customerSelf": ("客户本人", "The customer"),
        "consent.how.migration": ("记录开始时的状态", "State when the history began"),
        "consent.how.import": ("导入", "Import"),
        "consent.how.api": ("接口", "API"),
        "consent.how.page": ("网页", "Web page"),
        "consent.how.call": ("电话", "Call"),
        "consent.how.survey_link": ("问卷页面（客户本人）", "Survey page (the customer)"),
        "consent.how.sms_reply": ("短信回复（客户本人）", "SMS reply (the customer)"),
        "consent.how.command_line": ("命令行", "Command line"),
        "consent.how.demo": ("演示数据", "Demo"),
        "source.link": ("问卷链接", "Survey link"),
        "source.sms": ("短信回复", "SMS reply"),
        "source.job": ("系统任务", "Scheduled job"),
        "sms.customer": ("客户本人（短信回复）", "The customer (SMS reply)"),
        "sms.gateway": ("短信网关", "SMS gateway"),
        "sms.problem.from": ("应为手机号码", "must be a mobile number"),
        "sms.problem.text": ("应为回复的短信内容，不超过 1000 个字符", "must be the reply's text, at most 1,000 characters"),
        "sms.problem.receivedAt": (
            "应为 ISO 8601 时间，如 2026-03-02T10:34:00+08:00", "must be an ISO 8601 time such as 2026-03-02T10:34:00+08:00"
        ),
        "link.stop": ("不再联系我", "Stop contacting me"),
        "link.stopTitle": ("不再联系我", "Stop contacting me"),
        "link.stopText": (
            "确认后，我们将不再通过短信、邮件或电话与您联系回访。",
            "Once you confirm, we will no longer contact you for follow-ups by SMS, email or phone."
        ),
        "link.stopConfirm": ("确认，不再联系我", "Yes, stop contacting me"),
        "link.stopCancel": ("返回", "Go back"),
        "link.stoppedTitle": ("已为您设置免打扰", "You will not be contacted"),
        "link.stopped": (
            "我们已记录您的要求，今后不再与您联系回访。如需恢复，请联系客服。",
            "We have recorded your request and will not contact you for follow-ups again. "
                + "To change this, please contact customer service."
        ),
        "messages.status.cancelled": ("已取消", "Cancelled"),
        "export.message.cancelled": ("已取消（客户不再接受联系）", "Cancelled (the customer is not to be contacted)"),
        "messages.cancelled.noContact": (
            "客户已设置免打扰或未同意回访，消息未发送", "The customer asked not to be contacted or has not consented; not sent"
        ),
    ]
}
