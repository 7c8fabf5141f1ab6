extension Catalogue {
    /// The navigation's groups and the live notifications (banners, the stream's refusals).
    static let navigation: [String: (zh: String, en: String)] = [
        "nav.label": ("主导航", "Main navigation"),
        "nav.group.followUp": ("回访", "Follow-up"),
        "nav.group.tickets": ("工单", "Tickets"),
        "nav.group.calls": ("来电", "Calls"),
        "nav.group.reports": ("报表", "Reports"),
        "nav.group.admin": ("管理", "Admin"),
        "live.kind.new": ("新工单", "New ticket"),
        "live.kind.assigned": ("工单已分配给您", "A ticket was assigned to you"),
        "live.kind.urgent": ("紧急投诉", "Urgent complaint"),
        "live.kind.escalation": ("工单升级", "Ticket escalated"),
        "live.kind.survey": ("问卷反馈待您决定", "Survey feedback for you to decide"),
        "live.kind.other": ("新通知", "New notification"),
        "live.open": ("查看", "Open"),
        "live.dismiss": ("关闭", "Dismiss"),
        "live.tooManyStreams": (
            "打开实时通知的页面过多，请关闭一些标签页", "Too many pages are receiving live notifications; close some tabs"
        ),
        "live.closing": ("服务器正在停止，请稍后重新打开页面", "The server is stopping; open the page again shortly"),
    ]
}
