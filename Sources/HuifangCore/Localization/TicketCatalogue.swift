extension Catalogue {
    /// Tickets: why a change is refused.
    static let tickets: [String: (zh: String, en: String)] = [
        "ticket.problem.kind": (
            "工单类型应为 service、quality、complaint、suggestion 或 other",
            "Kind must be service, quality, complaint, suggestion or other"
        ),
        "ticket.problem.severity": ("严重程度应为 serious、general 或 minor", "Severity must be serious, general or minor"),
        "ticket.problem.category": (
            "没有这个类别（类别在工单设置中配置）", "No such category (categories are set in the ticket settings)"
        ),
        "ticket.problem.source": (
            "来源应为 followUp、call、survey、api 或 desk", "Source must be followUp, call, survey, api or desk"
        ),
        "ticket.problem.action": ("没有这个操作", "No such action"),
        "ticket.problem.noteRequired": (
            "重新打开须记录客户原话，采纳或不采纳须写明给客户的说明",
            "Re-opening needs the customer's words; adopting or declining needs the explanation given to the customer"
        ),
        "ticket.refuse.suggestionDecides": (
            "建议类工单以“采纳”或“不采纳”结束，不经过解决、告知和关闭", "A suggestion ends adopted or declined, not resolved, informed or closed"
        ),
        "ticket.refuse.onlySuggestions": ("只有建议类工单可以采纳或不采纳", "Only suggestions are adopted or declined"),
        "ticket.refuse.finished": (
            "工单已结束，如客户不满意请先重新打开", "The ticket is finished; re-open it if the customer is not satisfied"
        ),
        "ticket.refuse.assignFirst": (
            "请先把建议分配给处理人，再决定是否采纳", "Assign the suggestion to a handler first, then adopt or decline it"
        ),
        "ticket.refuse.reopenToAssign": (
            "工单已解决，如需重新处理请先重新打开", "The ticket is resolved; re-open it to have it handled again"
        ),
        "ticket.refuse.notInProgress": ("工单须先分配并开始处理", "The ticket must be assigned and in progress first"),
        "ticket.refuse.notResolved": ("工单解决后才能告知客户", "The customer is told only after the ticket is resolved"),
        "ticket.refuse.notVerifier": (
            "只有处理后回访任务的回访员或主管可以登记客户是否满意",
            "Only the agent of the verification follow-up or a supervisor records whether the customer is satisfied"
        ),
        "ticket.refuse.notInformed": ("告知客户处理结果后才能关闭", "A ticket closes only after the customer is told the result"),
        "ticket.refuse.notReopenable": (
            "只有已解决、已告知或已关闭的工单可以重新打开", "Only resolved, informed or closed tickets can be re-opened"
        ),
        "ticket.problem.categoryCode": (
            "类别代码只能用字母、数字和下划线（最多 32 个）", "A category code is letters, digits and underscores (at most 32)"
        ),
        "ticket.problem.customerTold": (
            "延期须先告知客户，并勾选“已告知客户”", "Tell the customer about the extension first and tick “customer told”"
        ),
        "ticket.problem.deadline": (
            "期限应为 firstResponse、resolution、inform 或 verification",
            "Deadline must be firstResponse, resolution, inform or verification"
        ),
        "ticket.problem.deadlineMet": (
            "这个期限已经完成或尚未开始，不能延期", "That deadline is met or has not started; it cannot be extended"
        ),
        "ticket.problem.duplicateName": ("名称重复", "is used twice"),
        "ticket.problem.duration": ("时长应为 1 到 10000", "must be from 1 to 10000"),
        "ticket.problem.notLater": ("新期限须晚于原期限和现在", "The new deadline must be later than the old one and than now"),
        "ticket.problem.reasonRequired": ("延期须写明原因", "An extension needs a reason"),
        "ticket.problem.settingsShape": ("格式不对（见下方示例结构）", "has the wrong shape (see the structure below)"),
        "ticket.problem.status": ("没有这个状态", "No such status"),
        "ticket.refuse.alreadyPaused": ("工单已在等待客户", "The ticket is already waiting on the customer"),
        "ticket.refuse.noPause": (
            "该工单的期限策略不允许等待客户时暂停计时",
            "This ticket's deadline policy does not stop the clock while waiting on the customer"
        ),
        "ticket.refuse.notPaused": ("工单没有在等待客户", "The ticket is not waiting on the customer"),
        "escalation.problem.levelCount": ("升级层级应为 1 到 5 级", "The ladder needs 1 to 5 levels"),
        "escalation.problem.amount": ("升级时长应为 0 到 10000", "A level's delay must be from 0 to 10000"),
        "calls.problem.article": ("没有这条常见问题", "No such knowledge-base article"),
        "calls.problem.at": (
            "来电时间应为过去的时间，如 2025-03-01 14:30", "The call time must be in the past, like 2025-03-01 14:30"
        ),
        "calls.problem.doNotDisturb": (
            "客户要求勿扰或未同意回访，不能安排回电；请转为工单或当场答复",
            "The customer asked not to be disturbed or gave no consent; answer now or open a ticket"
        ),
        "calls.problem.handling": (
            "处理方式应为 answered、promised 或 ticket", "Handling must be answered, promised or ticket"
        ),
        "calls.problem.name": (
            "号码没有对应的客户，请填写来电人姓名以新建客户", "No customer has this number; give the caller's name to create one"
        ),
        "calls.problem.noCallbackRule": ("没有配置来电回复规则", "No callback rule is configured"),
        "calls.problem.promisedBy": (
            "承诺回复时间应为将来的时间，如 2025-03-01 16:00", "The promised time must be in the future, like 2025-03-01 16:00"
        ),
    ]

    /// Tickets, escalation, calls and the knowledge base: what the pages say.
    static let ticketPages: [String: (zh: String, en: String)] = [
        "ticket.kind.service": ("服务", "Service"),
        "ticket.kind.quality": ("质量", "Quality"),
        "ticket.kind.complaint": ("投诉", "Complaint"),
        "ticket.kind.suggestion": ("建议", "Suggestion"),
        "ticket.kind.other": ("其他", "Other"),
        "ticket.severity.serious": ("重大", "Serious"),
        "ticket.severity.general": ("一般", "General"),
        "ticket.severity.minor": ("轻微", "Minor"),
        "ticket.status.new": ("新建", "New"),
        "ticket.status.assigned": ("已分配", "Assigned"),
        "ticket.status.inProgress": ("处理中", "In progress"),
        "ticket.status.resolved": ("已解决", "Resolved"),
        "ticket.status.informed": ("已告知客户", "Customer informed"),
        "ticket.status.closed": ("已关闭", "Closed"),
        "ticket.status.adopted": ("已采纳", "Adopted"),
        "ticket.status.declined": ("未采纳", "Declined"),
        "ticket.action.open": ("受理", "Opened"),
        "ticket.action.assign": ("分配", "Assign"),
        "ticket.action.take": ("接单", "Take it"),
        "ticket.action.start": ("开始处理", "Start"),
        "ticket.action.resolve": ("解决", "Resolve"),
        "ticket.action.inform": ("告知客户", "Inform the customer"),
        "ticket.action.close": ("关闭", "Close"),
        "ticket.action.reopen": ("重新打开", "Re-open"),
        "ticket.action.adopt": ("采纳", "Adopt"),
        "ticket.action.decline": ("不采纳", "Decline"),
        "ticket.action.escalate": ("超时升级", "Escalated"),
        "ticket.action.notify": ("紧急投诉已通知主管", "Supervisors notified of an urgent complaint"),
        "ticket.action.verification": ("处理后回访", "Verification follow-up"),
        "ticket.action.verificationCancelled": ("处理后回访已取消", "Verification follow-up cancelled"),
        "ticket.verificationCancelled": (
            "工单未经回访核实即关闭，回访任务 #{0} 已取消。原因：{1}",
            "Closed without verification: follow-up #{0} cancelled. Reason: {1}"
        ),
        "ticket.verificationCancelled.noReason": ("关闭时未说明", "none given when closing"),
        "ticket.action.pause": ("等待客户（暂停计时）", "Waiting on the customer (clock stopped)"),
        "ticket.action.resume": ("恢复计时", "Clock running again"),
        "ticket.action.extend": ("延期", "Extended"),
        "ticket.action.plan": ("处理方案", "Resolution plan"),
        "ticket.source.followUp": ("回访", "Follow-up"),
        "ticket.source.call": ("来电", "Inbound call"),
        "ticket.source.survey": ("满意度调查", "Survey"),
        "ticket.source.api": ("接口", "API"),
        "ticket.source.desk": ("人工登记", "Entered by staff"),
        "ticket.deadline.firstResponse": ("首次响应", "First response"),
        "ticket.deadline.resolution": ("解决", "Resolution"),
        "ticket.deadline.inform": ("告知客户", "Informing the customer"),
        "ticket.deadline.verification": ("处理后回访", "Verification follow-up"),
        "ticket.duration": ("{0} 小时 {1} 分", "{0} h {1} min"),
        "ticket.left": ("剩 {0}（工作时间）", "{0} left (working time)"),
        "ticket.overdueBy": ("已超时 {0}（工作时间）", "Overdue by {0} (working time)"),
        "ticket.overdueSince": ("已超时（{0} 截止）", "Overdue (due {0})"),
        "ticket.paused": ("等待客户", "Waiting on the customer"),
        "ticket.urgent": ("紧急", "Urgent"),
        "ticket.notUrgent": ("非紧急", "Not urgent"),
        "ticket.measures": ("处理措施", "Measures"),
        "ticket.planOwner": ("负责人", "Owner"),
        "ticket.planDue": ("完成日期", "Due date"),
        "ticket.compensation": ("补偿说明", "Compensation"),
        "ticket.customerToldNote": ("已告知客户", "customer told"),
        "ticket.satisfied": ("客户满意", "Customer satisfied"),
        "ticket.urgentSubject": ("【紧急投诉】工单 #{0}", "[Urgent complaint] Ticket #{0}"),
        "ticket.newSubject": ("【新工单】#{0}", "[New ticket] #{0}"),
        "ticket.newText": ("新工单 #{0}：{1} · {2}，首次响应期限 {3}。", "New ticket #{0}: {1} · {2}; first response due {3}."),
        "ticket.assignedSubject": ("【工单分配】#{0}", "[Ticket assigned] #{0}"),
        "ticket.assignedText": ("工单 #{0} 已由 {1} 分配给您。", "Ticket #{0} was assigned to you by {1}."),
        "ticket.urgentText": (
            "紧急投诉 #{0}：客户 {1}，“{2}”。首次响应期限 {3}。", "Urgent complaint #{0}: customer {1}, “{2}”. First response due {3}."
        ),
        "ticket.urgentNoCustomer": ("未关联", "not linked"),
        "escalation.subject": ("【超时升级】工单 #{0} {1}超时（第 {2} 级）", "[Escalation] Ticket #{0}: {1} overdue (level {2})"),
        "escalation.text": (
            "工单 #{0} 的{1}期限 {2} 已过，升级至第 {3} 级。", "Ticket #{0}: the {1} deadline {2} has passed; escalated to level {3}."
        ),
        "escalation.actor": ("系统（超时升级）", "System (escalation)"),
        "escalation.run": ("立即检查超时", "Check for breaches now"),
        "escalation.ran": ("检查完毕：升级 {0} 次，通知 {1} 人次", "Checked: {0} escalations, {1} notifications"),
        "escalation.ladder": ("升级层级", "Escalation ladder"),
        "escalation.after": ("超时后", "After the breach"),
        "escalation.notify": ("通知", "Notifies"),
        "escalation.target.departmentHead": ("部门负责人（无负责人时为主管）", "Department head (supervisors when there is none)"),
        "escalation.target.supervisors": ("全体主管", "All supervisors"),
        "policy.unit.calendarHours": ("{0} 小时", "{0} hours"),
        "policy.unit.workingHours": ("{0} 工作小时", "{0} working hours"),
        "policy.unit.workingDays": ("{0} 个工作日", "{0} working days"),
        "policy.any": ("所有工单", "Any ticket"),
        "policy.fallback": ("兜底（以上都不匹配时）", "Fallback (when none above matches)"),
        "policy.matches": ("适用于", "Applies to"),
        "policy.pauses": ("等待客户时暂停", "Stops while waiting"),
        "policy.new": ("新增策略（填写名称即添加）", "New policy (give it a name to add it)"),
        "policy.urgentLabel": ("紧急程度", "Urgency"),
        "policy.urgentAny": ("不限", "Either"),
        "policy.noneMeansAll": ("都不勾选表示不限", "none ticked: any"),
        "policy.tiers": ("会员等级（逗号分隔，留空表示不限）", "Tiers (comma separated; empty: any)"),
        "policy.delete": ("删除此策略", "Delete this policy"),
        "policy.unitName.calendarHours": ("小时（自然时间）", "hours (clock time)"),
        "policy.unitName.workingHours": ("工作小时", "working hours"),
        "policy.unitName.workingDays": ("工作日", "working days"),
        "escalation.ladderHelp": (
            "当前期限超时后，按下列时间逐级通知；最后一行填写时间即新增一级",
            "After the running deadline passes, each level notifies in turn; fill in the last row to add a level"
        ),
        "tickets.categoriesHelp": (
            "代码用于统计与接口（字母、数字、下划线），保存后不可修改；名称显示给用户",
            "The code is used by reports and the API (letters, digits, underscores) and stays fixed; the name is shown"
        ),
        "tickets.categoryCode": ("代码", "Code"),
        "tickets.categoryName": ("名称", "Name"),
        "tickets.queue": ("工单队列", "Ticket queue"),
        "tickets.queueHelp": (
            "本部门和分配给您的未结工单，超时的在最前，剩余时间按工作时间计算。",
            "Open tickets of your department and those assigned to you; overdue first, time left in working time."
        ),
        "tickets.overview": ("全部工单", "All tickets"),
        "tickets.ticket": ("工单 #{0}", "Ticket #{0}"),
        "tickets.settings": ("工单设置", "Ticket settings"),
        "tickets.openOnes": ("未结", "Open"),
        "tickets.allOnes": ("全部", "All"),
        "tickets.anyKind": ("所有类型", "Any kind"),
        "tickets.anyDepartment": ("所有部门", "Any department"),
        "tickets.overdueOnly": ("只看超时", "Overdue only"),
        "tickets.none": ("没有工单", "No tickets"),
        "tickets.customer": ("客户", "Customer"),
        "tickets.kind": ("类型", "Kind"),
        "tickets.category": ("类别", "Category"),
        "tickets.severity": ("严重程度", "Severity"),
        "tickets.status": ("状态", "Status"),
        "tickets.department": ("部门", "Department"),
        "tickets.handler": ("处理人", "Handler"),
        "tickets.deadline": ("当前期限", "Running deadline"),
        "tickets.deadlines": ("期限", "Deadlines"),
        "tickets.timeLeft": ("剩余时间", "Time left"),
        "tickets.level": ("升级", "Level"),
        "tickets.reopened": ("重开 {0} 次", "re-opened {0}×"),
        "tickets.details": ("工单信息", "Details"),
        "tickets.source": ("来源", "Source"),
        "tickets.description": ("问题描述", "Description"),
        "tickets.policy": ("期限策略", "Deadline policy"),
        "tickets.reopenCount": ("重新打开次数", "Times re-opened"),
        "tickets.verificationTask": ("回访任务", "follow-up task"),
        "tickets.escalatedTo": ("已升级至第 {0} 级", "escalated to level {0}"),
        "tickets.handle": ("处理", "Handle"),
        "tickets.assignTo": ("分配给", "Assign to"),
        "tickets.me": ("{0}（我）", "{0} (me)"),
        "tickets.resolveStep": ("解决：填写处理方案与补偿", "Resolve: the plan and the compensation"),
        "tickets.note": ("说明", "Note"),
        "tickets.noteHint": (
            "重新打开时填写客户原话；采纳或不采纳时填写给客户的说明", "Re-open: the customer's words; adopt or decline: the explanation given"
        ),
        "tickets.verification": ("回访结果", "Verification outcome"),
        "tickets.satisfied": ("客户满意，关闭工单", "Satisfied: close the ticket"),
        "tickets.notSatisfied": ("客户不满意，重新打开", "Not satisfied: re-open"),
        "tickets.customerWords": ("客户原话", "The customer's words"),
        "tickets.plan": ("处理方案与补偿", "Resolution plan and compensation"),
        "tickets.extend": ("延期", "Extension"),
        "tickets.until": ("新期限", "New deadline"),
        "tickets.reason": ("原因", "Reason"),
        "tickets.customerTold": ("已告知客户新的期限", "The customer was told the new deadline"),
        "tickets.extendButton": ("延期", "Extend"),
        "tickets.pause": ("等待客户（暂停计时）", "Waiting on the customer (stop the clock)"),
        "tickets.resume": ("客户已回复（恢复计时）", "Customer answered (clock runs again)"),
        "tickets.timeline": ("处理记录", "Timeline"),
        "tickets.open": ("查看工单", "Open ticket"),
        "tickets.policies": ("期限策略", "Deadline policies"),
        "tickets.policiesHelp": (
            "按顺序匹配，第一条匹配的策略生效；兜底策略总会匹配。期限在受理时算好并保存在工单上。",
            "Matched in order; the first that matches wins and the fallback always matches. Deadlines are computed when a ticket opens and kept on it."
        ),
        "tickets.categories": ("工单类别", "Ticket categories"),
        "calls.title": ("来电记录", "Call log"),
        "calls.new": ("接听来电", "Take a call"),
        "calls.call": ("来电", "Call"),
        "calls.stamped": ("现在 {0}，时间记到分钟", "Now {0}; stamped to the minute"),
        "calls.phone": ("来电号码", "Caller's number"),
        "calls.name": ("来电人姓名", "Caller's name"),
        "calls.nameHint": ("新客户时填写", "For a new customer"),
        "calls.newCaller": ("没有找到客户：填写姓名即新建客户", "No customer found: give a name to create one"),
        "calls.knownCaller": ("来电客户：", "Caller:"),
        "calls.openTickets": ("未结工单 ", "open tickets "),
        "calls.matter": ("事项", "Matter"),
        "calls.at": ("来电时间", "Time of call"),
        "calls.summary": ("来电内容", "What the caller said"),
        "calls.handling": ("处理方式", "Handling"),
        "calls.handling.answered": ("当场答复（常见问题）", "Answered now (knowledge base)"),
        "calls.handling.promised": ("承诺回复", "Reply promised"),
        "calls.handling.ticket": ("转为工单", "Opened a ticket"),
        "calls.promisedBy": ("承诺回复时间", "Reply promised by"),
        "calls.recordingConsent": ("客户同意录音", "The caller agreed to recording"),
        "calls.recording": ("录音同意", "Recording consent"),
        "calls.save": ("记录来电", "Log the call"),
        "calls.logged": ("来电 #{0} 已记录", "Call #{0} logged"),
        "calls.loggedCallback": (
            "来电 #{0} 已记录，回电任务 #{1} 已排入您的任务", "Call #{0} logged; callback task #{1} is on your list"
        ),
        "calls.loggedTicket": ("来电 #{0} 已记录，工单 #{1} 已创建", "Call #{0} logged; ticket #{1} opened"),
        "calls.recent": ("我最近的来电", "My recent calls"),
        "calls.none": ("没有来电", "No calls"),
        "calls.from": ("从", "From"),
        "calls.to": ("到", "To"),
        "calls.agent": ("接听人", "Taken by"),
        "calls.anyHandling": ("所有处理方式", "Any handling"),
        "calls.anyAgent": ("所有人", "Anyone"),
        "kb.title": ("常见问题", "Knowledge base"),
        "kb.searchHint": ("输入关键词搜索常见问题", "Search the knowledge base"),
        "kb.use": ("用此答复", "Use this answer"),
        "kb.none": ("没有找到常见问题", "No articles found"),
        "kb.question": ("问题", "Question"),
        "kb.answer": ("答复", "Answer"),
        "kb.keywords": ("关键词", "Keywords"),
        "kb.new": ("新增常见问题", "New article"),
        "notifications.title": ("通知", "Notifications"),
        "notifications.markRead": ("全部标为已读", "Mark all read"),
        "notifications.new": ("新", "New"),
        "notifications.none": ("没有通知", "No notifications"),
        "notifications.digest": ("{0} 张工单需要您关注：", "{0} tickets need your attention:"),
        "notifications.digestSubject": ("【超时升级】{0} 张工单", "[Escalation] {0} tickets"),
        "notifications.more": ("……另有 {0} 张，见全部工单（只看超时）", "… and {0} more: see all tickets, overdue only"),
        "nav.takeCall": ("接听来电", "Take a call"),
        "nav.calls": ("来电记录", "Calls"),
        "nav.ticketQueue": ("工单队列", "Ticket queue"),
        "nav.tickets": ("全部工单", "All tickets"),
        "nav.kb": ("常见问题", "Knowledge base"),
        "nav.notifications": ("通知", "Notifications"),
        "users.email": ("邮箱", "Email"),
        "common.deleted": ("已删除", "Deleted"),
    ]
}
