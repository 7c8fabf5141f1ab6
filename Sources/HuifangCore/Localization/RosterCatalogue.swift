extension Catalogue {
    /// Agents' weekly rosters (排班) and the shifts shown with the call list and the distribution.
    static let roster: [String: (zh: String, en: String)] = [
        "nav.rosters": ("排班", "Rosters"),
        "roster.title": ("排班", "Rosters"),
        "roster.intro": (
            "每位客服一周的班次，每周重复。当天的任务只分给在班的客服，并按班次时长分配；请假仍在任务分配页登记。未排班的客服按全天计，与以前相同。",
            "Each agent's shifts for the week, repeated every week. A day's tasks go only to agents on shift, in "
                + "proportion to their hours; leave is still recorded on the distribution page. An agent without a "
                + "roster counts as working the full day, as before."
        ),
        "roster.edit": ("{0} 的排班", "{0}'s roster"),
        "roster.agent": ("客服", "Agent"),
        "roster.today": ("今日", "Today"),
        "roster.todayShift": ("今日班次：{0}", "Today's shift: {0}"),
        "roster.week": ("本周排班", "This week's roster"),
        "roster.day.mon": ("周一", "Monday"),
        "roster.day.tue": ("周二", "Tuesday"),
        "roster.day.wed": ("周三", "Wednesday"),
        "roster.day.thu": ("周四", "Thursday"),
        "roster.day.fri": ("周五", "Friday"),
        "roster.day.sat": ("周六", "Saturday"),
        "roster.day.sun": ("周日", "Sunday"),
        "roster.shift": ("班次", "Shift"),
        "roster.start": ("上班", "Start"),
        "roster.end": ("下班", "End"),
        "roster.shift.off": ("休息", "Off"),
        "roster.shift.early": ("早班", "Early"),
        "roster.shift.late": ("晚班", "Late"),
        "roster.shift.custom": ("自定义", "Custom"),
        "roster.fullDay": ("全天（未排班）", "Full day (no roster)"),
        "roster.noRoster": ("未排班：每天按全天分配", "No roster: a full day, every day"),
        "roster.clear": ("取消排班（恢复全天）", "Remove the roster (full days again)"),
        "roster.clearConfirm": (
            "确定取消这位客服的排班吗？取消后每天按全天分配。", "Remove this roster? The agent then counts as working full days."
        ),
        "roster.saved": ("已保存 {0} 的排班", "{0}'s roster saved"),
        "roster.cleared": ("已取消 {0} 的排班", "{0}'s roster removed"),
        "roster.noAgents": ("还没有客服。请先在“用户”中添加客服。", "No agents yet. Add agents under Users first."),
        "roster.problem.shift": ("请选择班次", "Choose a shift"),
        "roster.problem.time": ("请填写时间，格式为 HH:MM（如 09:00）", "Enter a time as HH:MM (e.g. 09:00)"),
        "roster.problem.order": (
            "下班时间须晚于上班时间（班次不跨零点）", "The end must be after the start (a shift stays within one day)"
        ),
        "roster.problem.days": ("请提供周一到周日七天的班次", "Send the shifts of the seven days, Monday to Sunday"),
        "action.agent.roster": ("修改客服排班", "Roster changed"),
        "action.agent.roster.clear": ("取消客服排班", "Roster removed"),
        "tasks.shift": ("今日班次", "Shift today"),
        "tasks.editRosters": ("编辑排班", "Edit rosters"),
    ]
}
