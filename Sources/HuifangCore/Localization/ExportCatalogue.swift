extension Catalogue {
    /// A customer's data exported on request (PIPL): the page's button, the summary in the archive, the command.
    static let customerExport: [String: (zh: String, en: String)] = [
        "customers.export": ("导出个人信息", "Export personal data"),
        "customers.exportHint": (
            "下载该客户在系统中的全部个人信息（ZIP：JSON 数据和中文摘要），导出会记入审计日志。",
            "Download everything held about this customer (ZIP: JSON data and a readable summary); "
                + "the export is audited."
        ),
        "customers.erase": ("删除个人信息", "Erase personal data"),
        "customers.eraseTitle": ("删除客户个人信息", "Erase a customer's personal information"),
        "customers.eraseExplain": (
            "将永久清除该客户的姓名、手机号、邮箱、性别、生日、会员编号、备注、标签和变更记录，以及服务事件、回访记录、问卷文字回答、工单、"
                + "来电、消息、通知和审计日志中关于他/她的文字；未完成的回访任务结束，未用的问卷链接失效。回访、工单和来电的统计保持不变，"
                + "已签核的月份不受影响。此操作不可撤销，会记入删除登记簿。",
            "Permanently removes this customer's name, number, email, gender, birthday, member ID, notes, tags and change "
                + "history, and what service events, contact records, free-text survey answers, tickets, calls, messages, "
                + "notifications and the audit log say about them; open follow-ups end and unused survey links expire. "
                + "Every figure stays the same and signed-off months are untouched. This cannot be undone and is "
                + "recorded in the erasure register."
        ),
        "customers.eraseNoPersonal": (
            "请勿在申请人和原因中写入客户的姓名或手机号：它们会保留在删除登记簿中。",
            "Do not write the customer's name or number in these fields: they are kept in the erasure register."
        ),
        "customers.eraseConfirmMember": ("输入会员编号 {0} 以确认", "Type the member ID {0} to confirm"),
        "customers.eraseConfirmNumber": ("输入客户编号 {0} 以确认", "Type the customer number {0} to confirm"),
        "customers.erased": ("客户编号 {0} 的个人信息已删除", "The personal information of customer {0} was erased"),
        "customers.erasedName": ("（个人信息已删除）", "(personal information erased)"),
        "customers.erase.already": ("该客户的个人信息已删除", "This customer's personal information was already erased"),
        "field.requestedBy": ("申请人/渠道", "Requested by"),
        "field.reason": ("原因", "Reason"),
        "field.confirm": ("确认", "Confirmation"),
        "problem.namesCustomer": (
            "不能写入客户的姓名、手机号、邮箱或会员编号", "must not name the customer (name, number, email or member ID)"
        ),
        "problem.confirmMismatch": ("与要求输入的编号不符", "does not match the number asked for"),
        "export.title": ("客户个人信息导出：{0}", "Personal data export: {0}"),
        "export.intro": (
            "本文件列出回访系统保存的该客户的全部个人信息。导出时间 {0}（时区 {1}），导出人 {2}。完整的机器可读数据见同一压缩包中的 JSON 文件。",
            "Everything Huifang holds about this customer. Exported {0} (time zone {1}) by {2}. The same archive holds "
                + "the complete machine-readable data as a JSON file."
        ),
        "export.profile": ("客户资料", "Profile"),
        "export.consent": ("同意与免打扰记录", "Consent and do-not-disturb"),
        "export.changes": ("资料变更记录", "Change history"),
        "export.events": ("服务事件", "Service events"),
        "export.tasks": ("回访任务", "Follow-up tasks"),
        "export.contacts": ("回访记录与问卷回答", "Contact records and survey answers"),
        "export.tickets": ("工单及处理过程", "Tickets and their timelines"),
        "export.calls": ("来电记录", "Inbound calls"),
        "export.messages": ("发送的短信和邮件", "Messages sent"),
        "export.access": ("查看、查看完整联系方式与导出记录", "Who viewed, revealed, changed or exported the data"),
        "export.none": ("无", "None"),
        "export.createdAt": ("建档时间", "Created"),
        "export.updatedAt": ("最后修改时间", "Last changed"),
        "export.id": ("编号", "No."),
        "export.at": ("时间", "When"),
        "export.kind": ("类型", "Kind"),
        "export.detail": ("详情", "Detail"),
        "export.reasons": ("回访原因", "Reasons"),
        "export.due": ("应回访时间", "Due"),
        "export.deadline": ("截止时间", "Deadline"),
        "export.status": ("状态", "Status"),
        "export.agent": ("客服", "Agent"),
        "export.task": ("回访任务编号", "Task no."),
        "export.contactTitle": ("{0} 回访（{1}）", "{0} contact ({1})"),
        "export.outcome": ("联系结果", "Outcome"),
        "export.result": ("任务结果", "Result"),
        "export.duration": ("通话时长", "Duration"),
        "export.seconds": ("{0} 秒", "{0} s"),
        "export.notes": ("备注", "Notes"),
        "export.corrections": ("核实更正的资料", "Data corrected"),
        "export.recordingConsent": ("同意录音", "Consented to recording"),
        "export.question": ("问题", "Question"),
        "export.indicator": ("评价指标", "Indicator"),
        "export.answer": ("回答", "Answer"),
        "export.ticketTitle": ("工单 {0}（{1}）", "Ticket {0} ({1})"),
        "export.openedAt": ("受理时间", "Opened"),
        "export.severity": ("严重程度", "Severity"),
        "export.description": ("问题描述", "Description"),
        "export.department": ("处理部门", "Department"),
        "export.measures": ("处理措施", "Measures"),
        "export.compensation": ("补偿", "Compensation"),
        "export.actor": ("操作人", "Who"),
        "export.action": ("操作", "Action"),
        "export.note": ("说明", "Note"),
        "export.phone": ("来电号码", "Number"),
        "export.summary": ("来电内容", "Summary"),
        "export.handling": ("处理方式", "Handling"),
        "export.channel": ("渠道", "Channel"),
        "export.to": ("发送至", "To"),
        "export.body": ("内容", "Text"),
        "export.message.pending": ("待发送", "Pending"),
        "export.message.sent": ("已发送", "Sent"),
        "export.message.failed": ("发送失败", "Failed"),
        "export.audit.customer.view": ("查看资料", "Viewed"),
        "export.audit.customer.reveal": ("查看完整联系方式", "Revealed contact details"),
        "export.audit.customer.create": ("建档", "Created"),
        "export.audit.customer.update": ("修改资料", "Changed"),
        "export.audit.customer.export": ("导出个人信息", "Exported"),
        "export.audit.task.view": ("查看回访任务", "Viewed a follow-up task"),
        "export.audit.call.lookup": ("来电查找", "Looked up by a call"),
        "export.unknownCustomer": ("没有编号为 {0} 的客户", "No customer with id {0}"),
        "export.fileExists": ("{0} 已存在，未覆盖", "{0} exists; not overwritten"),
        "export.cannotWrite": ("无法写入 {0}", "Cannot write {0}"),
        "export.written": ("已写入 {0}（{1} 字节）", "Wrote {0} ({1} bytes)"),
    ]
}
