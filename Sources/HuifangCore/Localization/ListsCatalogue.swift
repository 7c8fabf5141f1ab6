extension Catalogue {
    /// The lists' filters, totals and exports (tasks, calls, audit log, messages).
    static let lists: [String: (zh: String, en: String)] = [
        "problem.unknownStatus": ("不是可选的状态", "is not one of the statuses"),
        "tasks.listHeading": ("任务", "Tasks"),
        "tasks.anyAgent": ("全部客服", "Any agent"),
        "tasks.noAgent": ("未分配", "Nobody yet"),
        "tasks.anyStatus": ("全部状态", "Any status"),
        "tasks.dueFrom": ("应回访日期从", "Due from"),
        "tasks.dueBy": ("至", "to"),
        "tasks.overdueOnly": ("只看已过截止的", "Past their deadline only"),
        "tasks.exportFiltered": ("导出筛选结果（CSV）", "Export this list (CSV)"),
        "tasks.noneMatch": ("没有符合筛选条件的任务。", "No task matches the filter."),
        "tasks.filterProblem": ("筛选条件“{0}”{1}", "Filter “{0}” {1}"),
        "calls.ticketColumn": ("工单", "Ticket"),
        "report.csv.label": ("对象", "Who"),
        "report.csv.figure": ("指标", "Figure"),
        "report.csv.numerator": ("分子", "Numerator"),
        "report.csv.denominator": ("分母", "Denominator"),
        "report.csv.value": ("数值", "Value"),
        "calls.anyMatter": ("全部事项", "Any matter"),
        "calls.exportFiltered": ("导出筛选结果（CSV）", "Export this list (CSV)"),
        "problem.channel": ("只能是 email 或 sms", "must be email or sms"),
        "messages.to.filter": ("收件人", "Recipient"),
        "messages.from": ("创建日期从", "Created from"),
        "messages.until": ("至", "to"),
    ]
}
