extension Catalogue {
    /// Tickets: why a change is refused.
    static let tickets: [String: (zh: String, en: String)] = [
        "ticket.problem.kind": ("工单类型应为 service、quality、complaint、suggestion 或 other", "Kind must be service, quality, complaint, suggestion or other"),
        "ticket.problem.severity": ("严重程度应为 serious、general 或 minor", "Severity must be serious, general or minor"),
        "ticket.problem.category": ("类别应为 attitude、delay、damage、loss、communication、price 或 other", "Category must be attitude, delay, damage, loss, communication, price or other"),
        "ticket.problem.source": ("来源应为 followUp、call、survey 或 api", "Source must be followUp, call, survey or api"),
        "ticket.problem.action": ("没有这个操作", "No such action"),
        "ticket.problem.noteRequired": ("重新打开须记录客户原话，采纳或不采纳须写明给客户的说明", "Re-opening needs the customer's words; adopting or declining needs the explanation given to the customer"),
        "ticket.refuse.suggestionDecides": ("建议类工单以“采纳”或“不采纳”结束，不经过解决、告知和关闭", "A suggestion ends adopted or declined, not resolved, informed or closed"),
        "ticket.refuse.onlySuggestions": ("只有建议类工单可以采纳或不采纳", "Only suggestions are adopted or declined"),
        "ticket.refuse.finished": ("工单已结束，如客户不满意请先重新打开", "The ticket is finished; re-open it if the customer is not satisfied"),
        "ticket.refuse.notInProgress": ("工单须先分配并开始处理", "The ticket must be assigned and in progress first"),
        "ticket.refuse.notResolved": ("工单解决后才能告知客户", "The customer is told only after the ticket is resolved"),
        "ticket.refuse.notInformed": ("告知客户处理结果后才能关闭", "A ticket closes only after the customer is told the result"),
        "ticket.refuse.notReopenable": ("只有已解决、已告知或已关闭的工单可以重新打开", "Only resolved, informed or closed tickets can be re-opened"),
    ]
}
