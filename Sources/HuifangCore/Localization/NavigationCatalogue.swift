extension Catalogue {
    /// The navigation's groups.
    static let navigation: [String: (zh: String, en: String)] = [
        "nav.label": ("主导航", "Main navigation"),
        "nav.group.followUp": ("回访", "Follow-up"),
        "nav.group.tickets": ("工单", "Tickets"),
        "nav.group.calls": ("来电", "Calls"),
        "nav.group.reports": ("报表", "Reports"),
        "nav.group.admin": ("管理", "Admin"),
    ]
}
