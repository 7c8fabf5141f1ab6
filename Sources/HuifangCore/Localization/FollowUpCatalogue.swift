extension Catalogue {
    /// The workspace, records, surveys, the customer's link and the outbox.
    static let followUp: [String: (zh: String, en: String)] = [
        "nav.surveys": ("问卷", "Surveys"),
        "nav.messages": ("消息发送", "Messages"),
        "rules.survey": ("问卷", "Survey"),
        "rules.scriptHelp": (
            "可用占位符：{客户姓名} {称呼} {会员等级} {产品} {事件} {事件日期} {回访日期} {坐席} {公司}",
            "Placeholders: {name} {salutation} {tier} {product} {event} {eventDate} {dueDate} {agent} {company}"
        ),
        "rule.problem.unknownSurvey": ("没有这个问卷", "No such survey"),

        "outcome.reached": ("已接通", "Reached"),
        "outcome.noAnswer": ("无人接听", "No answer"),
        "outcome.busy": ("占线", "Busy"),
        "outcome.wrongNumber": ("号码错误", "Wrong number"),
        "outcome.refused": ("拒绝回访", "Refused"),
        "outcome.callbackRequested": ("约定回拨", "Call back later"),
        "outcome.doNotCall": ("要求勿扰", "Do not call"),
        "result.completed": ("回访完成", "completed"),
        "result.retry": ("下个时段重拨", "retry in the next window"),
        "result.callback": ("按约定时间回拨", "call back as agreed"),
        "result.unreachable": ("无法联系，任务结束", "unreachable, task ended"),
        "result.refused": ("客户拒绝，任务结束", "refused, task ended"),
        "result.open": ("任务进行中", "task open"),
        "result.missed": ("任务已逾期", "task missed"),
        "result.cancelled": ("任务已取消", "task cancelled"),

        "record.problem.outcome": (
            "结果应为 reached、noAnswer、busy、wrongNumber、refused、callbackRequested 或 doNotCall",
            "Outcome must be reached, noAnswer, busy, wrongNumber, refused, callbackRequested or doNotCall"
        ),
        "record.problem.duration": ("开始时间须早于结束时间，且通话不超过 24 小时", "The start must be before the end, within 24 hours"),
        "record.problem.future": ("结束时间不能在将来", "The end cannot be in the future"),
        "record.problem.callbackRequired": ("约定回拨须填写回拨时间", "A callback needs the time agreed"),
        "record.problem.callbackPast": ("回拨时间须在将来", "The callback time must be in the future"),
        "record.problem.noConsent": ("客户同意录音后才能登记录音编号", "A recording reference needs the customer's consent to record"),
        "record.problem.answersNeedReached": (
            "只有接通的回访才能记录问卷答案", "Survey answers are recorded only when the customer was reached"
        ),
        "record.problem.noSurvey": ("这个任务的规则没有配置问卷", "This task's rule has no survey"),
        "record.problem.surveyRequired": (
            "已接通完成的回访需填写问卷，或勾选“客户拒绝回答问卷”",
            "A completed follow-up needs the survey's answers, or tick 'customer declined the survey'"
        ),
        "record.problem.declinedWithAnswers": (
            "已勾选“客户拒绝回答问卷”，就不能同时填写答案",
            "Answers and 'customer declined the survey' cannot both be given"
        ),
        "record.problem.declinedNeedsReached": (
            "只有接通客户时才能登记拒绝回答问卷",
            "Only a reached customer can decline the survey"
        ),
        "record.surveyDeclined": ("客户拒绝回答问卷", "Customer declined the survey"),
        "record.problem.notCorrectable": (
            "回访中只能更正姓名、手机号和邮箱", "Only the name, mobile and email are corrected in a follow-up"
        ),
        "record.refuse.changed": (
            "任务刚被其他人更新，请刷新后再记录", "Someone else just updated this task; reload it and record again"
        ),
        "record.refuse.notOpen": ("任务已结束，不能再记录", "The task has ended; nothing more can be recorded"),
        "record.lowAnswers": ("问卷《{0}》低分：{1}", "Low answers in “{0}”: {1}"),
        "record.field.outcome": ("回访结果", "Outcome"),
        "record.field.channel": ("渠道", "Channel"),
        "record.field.startedAt": ("开始时间", "Start"),
        "record.field.endedAt": ("结束时间", "End"),
        "record.field.callbackAt": ("回拨时间", "Callback time"),
        "record.field.notes": ("备注", "Notes"),
        "record.field.recordingRef": ("录音编号", "Recording reference"),
        "record.field.answers": ("问卷", "Survey"),
        "record.field.survey": ("问卷", "Survey"),
        "record.field.customer": ("客户", "Customer"),
        "record.field.ticketKind": ("工单类型", "Ticket kind"),
        "record.field.ticketSeverity": ("严重程度", "Severity"),
        "record.field.ticketDescription": ("问题描述", "Description"),

        "survey.problem.tooLong": ("内容过长", "is too long"),
        "survey.problem.noQuestions": ("问卷至少要有一个问题", "A survey needs at least one question"),
        "survey.problem.tooManyQuestions": (
            "问卷最多 30 个问题（回访时间不宜过长）", "At most 30 questions (a follow-up should be short)"
        ),
        "survey.problem.duplicateKey": ("问题编号重复", "The question key is used twice"),
        "survey.problem.indicatorRequired": ("评分题须标明评价指标", "A scored question needs an indicator"),
        "survey.problem.fiveLabels": (
            "五级量表须写 5 个标签（从低到高，每行一个），或不写", "A 1–5 scale takes 5 labels (lowest first, one per line) or none"
        ),
        "survey.problem.twoChoices": ("单选题至少要有两个选项（每行一个）", "A single choice needs at least two choices (one per line)"),
        "survey.problem.duplicateChoice": ("选项重复", "A choice is listed twice"),
        "survey.problem.unknownQuestion": ("问卷中没有这个问题", "The survey has no such question"),
        "survey.problem.answerRequired": ("此题必答", "This question must be answered"),
        "survey.problem.nps": ("请选择 0 到 10", "Choose 0 to 10"),
        "survey.problem.scale": ("请选择 1 到 5", "Choose 1 to 5"),
        "survey.problem.satisfaction": ("请选择满意、基本满意或不满意", "Choose satisfied, fair or dissatisfied"),
        "survey.problem.yesNo": ("请选择是或否", "Choose yes or no"),
        "survey.problem.choice": ("请从选项中选择", "Choose one of the choices"),
        "survey.problem.threshold": (
            "开单条件应为 off、lowest 或 dissatisfied", "Threshold must be off, lowest or dissatisfied"
        ),
        "survey.problem.ticketAction": ("处理方式应为 propose 或 open", "Action must be propose or open"),
        "survey.problem.type": (
            "题型应为 scale5、satisfaction3、nps、yesNo、singleChoice 或 text",
            "Type must be scale5, satisfaction3, nps, yesNo, singleChoice or text"
        ),
        "survey.refuse.notCurrent": ("这是旧版本，请编辑当前版本", "This is an old version; edit the current one"),
        "survey.level.satisfied": ("满意", "Satisfied"),
        "survey.level.fair": ("基本满意", "Fairly satisfied"),
        "survey.level.dissatisfied": ("不满意", "Dissatisfied"),
        "survey.type.scale5": ("五级评分（1–5）", "Scale 1–5"),
        "survey.type.satisfaction3": ("满意/基本满意/不满意", "Satisfied / fair / dissatisfied"),
        "survey.type.nps": ("推荐度 NPS（0–10）", "NPS 0–10"),
        "survey.type.yesNo": ("是/否", "Yes / no"),
        "survey.type.singleChoice": ("单选", "Single choice"),
        "survey.type.text": ("文字意见", "Free text"),
        "survey.threshold.off": ("不开工单", "Never"),
        "survey.threshold.lowest": (
            "任一答案为最低档（1 分、不满意、NPS 0）", "Any answer at the lowest level (1, dissatisfied, NPS 0)"
        ),
        "survey.threshold.dissatisfied": (
            "任一答案为不满意（1–2 分、不满意、NPS 0–6）", "Any dissatisfied answer (1–2, dissatisfied, NPS 0–6)"
        ),
        "survey.action.propose": ("建议坐席开工单（坐席确认）", "Propose a ticket to the agent"),
        "survey.action.open": ("自动开工单", "Open a ticket at once"),

        "surveys.title": ("问卷", "Surveys"),
        "surveys.new": ("新建问卷", "New survey"),
        "surveys.edit": ("编辑问卷", "Edit survey"),
        "surveys.help": (
            "回访规则选用问卷；已有答案的问卷修改后保存为新版本，旧答案保留原来的题目。",
            "Rules name a survey; editing one that has answers saves a new version, and old answers keep their questions."
        ),
        "surveys.none": ("还没有问卷。", "No surveys yet."),
        "surveys.name": ("名称", "Name"),
        "surveys.version": ("版本", "Version"),
        "surveys.questions": ("题目", "Questions"),
        "surveys.answers": ("答案数", "Answers"),
        "surveys.threshold": ("低分开工单", "Ticket threshold"),
        "surveys.action": ("低分时", "On a low answer"),
        "surveys.intro": ("开场白（客户问卷页顶部）", "Greeting (top of the customer's page)"),
        "surveys.questionText": ("题目", "Question"),
        "surveys.type": ("题型", "Type"),
        "surveys.indicator": ("评价指标", "Indicator"),
        "surveys.required": ("必答", "Required"),
        "surveys.options": ("选项/标签（每行一个）", "Choices / labels (one per line)"),
        "surveys.remove": ("删除", "Remove"),
        "surveys.addQuestion": ("添加题目", "Add a question"),
        "surveys.optionsHelp": (
            "五级评分可写 5 个标签（从 1 分到 5 分）；单选题写选项；其他题型不用填。",
            "A 1–5 scale may take 5 labels (from 1 up); a single choice takes its choices; other types need none."
        ),
        "surveys.versionNotice": (
            "此版本已有 {0} 个答案，保存后将成为新版本。", "This version has {0} answers; saving makes a new version."
        ),
        "surveys.newVersion": ("已保存为第 {0} 版", "Saved as version {0}"),
        "surveys.questionN": ("第 {0} 题", "Question {0}"),
        "surveys.preview": ("预览", "Preview"),
        "surveys.previewNotice": (
            "预览：客户手机上看到的样子（不能提交）", "Preview: what the customer's phone shows (cannot be submitted)"
        ),
        "surveys.templatesLink": ("短信/邮件模板", "SMS and email templates"),
        "surveys.field.name": ("名称", "Name"),
        "surveys.field.intro": ("开场白", "Greeting"),
        "surveys.field.questions": ("题目", "Questions"),
        "surveys.field.threshold": ("低分开工单", "Ticket threshold"),
        "surveys.field.ticketAction": ("低分时", "On a low answer"),
        "surveys.field.text": ("题目", "question"),
        "surveys.field.type": ("题型", "type"),
        "surveys.field.key": ("编号", "key"),
        "surveys.field.indicator": ("评价指标", "indicator"),
        "surveys.field.options": ("选项", "choices"),

        "workspace.title": ("回访任务 #{0}", "Follow-up #{0}"),
        "workspace.back": ("返回回访名单", "Back to the call list"),
        "workspace.notSaved": ("没有保存，请更正：", "Not saved; please correct:"),
        "workspace.profile": ("客户档案", "Profile"),
        "workspace.task": ("任务", "Task"),
        "workspace.attempts": ("已尝试", "Attempts"),
        "workspace.nextAt": ("下次联系", "Next contact"),
        "workspace.triggered": ("触发于", "triggered"),
        "workspace.verification": (
            "这是工单处理后的回访，客户是否满意请在工单页记录：",
            "This follows up a resolved ticket; record the customer's verdict on the ticket:"
        ),
        "workspace.linksSent": ("已发送问卷链接", "Survey links sent"),
        "workspace.expires": ("有效至", "valid until"),
        "workspace.callbackAt": ("回拨时间", "Call back at"),
        "workspace.recordingConsent": ("客户同意录音", "Customer consents to recording"),
        "workspace.recordingRef": ("录音编号", "Recording reference"),
        "workspace.notes": ("备注", "Notes"),
        "workspace.corrections": ("更正客户资料", "Correct the customer's data"),
        "workspace.ticket": ("开工单", "Open a ticket"),
        "workspace.ticketWillOpen": ("客户给出低分，保存时将自动开工单。", "A low answer: a ticket opens when this is saved."),
        "workspace.ticketProposed": (
            "客户给出低分，建议开工单（已勾选，可取消）。", "A low answer: a ticket is proposed (ticked; untick to decline)."
        ),
        "workspace.openTicket": ("开工单", "Open a ticket"),
        "workspace.ticketDescriptionHint": ("不填则使用低分题目和备注", "Left empty: the low answers and the notes"),
        "workspace.keys": (
            "快捷键：R 接通 · N 无人接听 · B 占线 · C 约定回拨 · X 拒绝 · W 号码错误 · D 勿扰（光标不在文字框时）",
            "Keys: R reached · N no answer · B busy · C call back · X refused · W wrong number · D do not call (outside text fields)"
        ),
        "workspace.sendSMS": ("短信发送问卷链接", "Send the survey link by SMS"),
        "workspace.sendEmail": ("邮件发送问卷链接", "Send the survey link by email"),
        "workspace.closed": ("任务已结束（{0}）。", "The task has ended ({0})."),
        "workspace.events": ("最近服务事件", "Recent events"),
        "workspace.records": ("历次回访", "Past follow-ups"),
        "workspace.tickets": ("工单", "Tickets"),
        "workspace.noneLeft": ("回访名单已完成，暂无需要现在联系的任务", "The call list is done; nothing to contact now"),
        "workspace.saved": ("已记录：{0}，{1}。", "Recorded: {0}, {1}. "),
        "workspace.nextAttempt": ("下次联系 {0}。", "Next contact {0}. "),
        "workspace.ticketOpened": ("已开工单 #{0}。", "Ticket #{0} opened."),
        "workspace.linkSent": ("问卷链接已通过{0}发送给 {1}，{2} 前有效", "Survey link sent by {0} to {1}, valid until {2}"),
        "workspace.question": ("第 {0} 题", "Question {0}"),
        "workspace.open": ("回访", "Work"),
        "workspace.outsideWindow": (
            "现在不在回访时段，请勿致电客户；下个时段从 {0} 开始。短信、邮件和客户来电不受此限。",
            "Now is outside the contact windows: do not call the customer; the next window starts {0}. SMS, email and the customer's own calls are not affected."
        ),
        "workspace.doNotDisturb": ("客户已设置免打扰，不要主动联系。", "The customer asked not to be disturbed: do not contact them."),
        "messages.channel": ("渠道", "Channel"),
        "home.dueNow": ("现在要联系（点此开始回访）", "to contact now (click to start)"),
        "workspace.recordTitle": ("回访记录（{0}）：{1}", "Contact ({0}): {1}"),
        "workspace.start": ("开始回访", "Start calling"),

        "link.problem.channel": ("渠道应为 sms 或 email", "Channel must be sms or email"),
        "link.problem.doNotDisturb": ("客户设置了免打扰，不发送问卷", "The customer asked not to be disturbed; no survey is sent"),
        "link.problem.noConsent": (
            "客户未同意接收回访，不发送问卷", "The customer has not consented to follow-ups; no survey is sent"
        ),
        "link.problem.noMobile": ("客户没有手机号", "The customer has no mobile number"),
        "link.problem.noEmail": ("客户没有邮箱", "The customer has no email address"),
        "link.problem.ownAddress": (
            "这个号码或邮箱是您本人登记或修改的，问卷链接须由其他同事（如主管）发送",
            "You put this number or address on file yourself: someone else (e.g. a supervisor) sends the link"
        ),
        "link.problem.noMailServer": ("没有配置邮件服务器（HUIFANG_SMTP_URL）", "No mail server is configured (HUIFANG_SMTP_URL)"),
        "link.customer": ("客户本人（问卷链接）", "The customer (survey link)"),
        "link.proposeText": (
            "客户 {0} 通过问卷链接给出低分：{1}。建议开工单（任务 #{2}）",
            "{0} gave low answers through the survey link: {1}. A ticket is proposed (task #{2})"
        ),
        "link.state.used": ("已填写", "answered"),
        "link.state.expired": ("已过期", "expired"),
        "link.state.waiting": ("待填写", "waiting"),
        "link.used": ("问卷已提交过", "The survey was already answered"),
        "link.title": ("满意度调查", "Satisfaction survey"),
        "link.greeting": ("{0}您好，感谢您抽空评价我们的服务。", "Hello {0}, thank you for rating our service."),
        "link.submit": ("提交", "Submit"),
        "link.privacy": (
            "您的回答仅用于改进服务，不会对外公开。", "Your answers are used only to improve our service and are never published."
        ),
        "link.thanksTitle": ("提交成功", "Thank you"),
        "link.thanks": ("感谢您的评价！我们会认真对待您的每一条意见。", "Thank you! We read every answer."),
        "link.expiredTitle": ("链接已过期", "This link has expired"),
        "link.expired": (
            "这个问卷链接已经过期。如需反馈，请直接致电我们的客服热线。",
            "This survey link has expired. To tell us anything, please call our service line."
        ),
        "link.usedTitle": ("问卷已提交", "Already answered"),
        "link.usedText": ("这份问卷已经提交过了，感谢您的参与。", "This survey has already been answered. Thank you."),
        "link.limitedTitle": ("请稍后再试", "Please try again later"),
        "link.limited": ("访问过于频繁，请 10 分钟后再试。", "Too many requests; please try again in 10 minutes."),
        "link.invalidTitle": ("链接无效", "Invalid link"),
        "link.invalid": (
            "链接不完整或已失效，请检查短信或邮件中的完整链接。",
            "The link is incomplete or not valid; please use the whole link from the message."
        ),

        "messages.title": ("消息发送", "Messages"),
        "messages.deliverNow": ("立即发送", "Deliver now"),
        "messages.transports": ("发送方式", "Transports"),
        "messages.noSMTP": ("未配置", "not configured"),
        "messages.smsLog": ("仅写入日志（开发模式）", "log only (development)"),
        "messages.status.pending": ("待发送", "Pending"),
        "messages.status.sent": ("已发送", "Sent"),
        "messages.status.failed": ("发送失败", "Failed"),
        "messages.statusLabel": ("状态", "Status"),
        "messages.none": ("没有消息", "No messages"),
        "messages.to": ("收件人", "To"),
        "messages.content": ("内容", "Content"),
        "messages.attempts": ("尝试次数", "Attempts"),
        "messages.when": ("时间", "When"),
        "messages.error": ("最近错误", "Last error"),
        "messages.sentAt": ("发送于", "sent"),
        "messages.nextAt": ("下次尝试", "next try"),
        "messages.retry": ("重新发送", "Retry"),
        "messages.delivered": ("已发送 {0} 条，{1} 条稍后重试，{2} 条失败", "{0} sent, {1} to retry, {2} failed"),
        "messages.requeued": ("已重新排队", "Queued again"),
        "messages.refuse.notFailed": ("只有发送失败的消息可以重新发送", "Only failed messages can be retried"),
        "messages.problem.placeholder": ("没有这个占位符：{0}", "No such placeholder: {0}"),
        "messages.problem.noLink": ("模板必须包含 {问卷链接}", "The template must contain {link}"),
        "templates.title": ("短信/邮件模板", "SMS and email templates"),
        "templates.help": ("可用占位符：", "Placeholders:"),
        "templates.subject": ("邮件主题", "Subject"),
        "templates.body": ("正文", "Body"),

        "action.task.view": ("打开回访任务", "Follow-up opened"),
        "action.task.record": ("记录回访", "Follow-up recorded"),
        "action.task.list": ("查看回访名单", "Call list viewed"),
        "action.task.export": ("导出回访名单", "Call list exported"),
        "action.survey.create": ("新建问卷", "Survey created"),
        "action.survey.update": ("修改问卷", "Survey edited"),
        "action.survey.version": ("问卷新版本", "Survey version made"),
        "action.survey.link": ("发送问卷链接", "Survey link sent"),
        "action.survey.answer": ("客户提交问卷", "Survey answered by the customer"),
        "action.message.list": ("查看消息发送记录", "Messages viewed"),
        "action.message.retry": ("重新发送消息", "Message retried"),
        "action.template.update": ("修改消息模板", "Template edited"),
    ]
}
