extension Catalogue {
    /// The names of the codes Huifang seeds (event kinds and their attributes, skills, call matters), the pages that
    /// keep those lists, and what an empty list says to do next.
    static let names: [String: (zh: String, en: String)] = [
        // The seeded names: a stored name equal to the Chinese one reads in the reader's language.
        "eventKind.purchase": ("购买", "Purchase"),
        "eventKind.repair": ("维修", "Repair"),
        "eventKind.discharge": ("出院", "Discharge"),
        "eventKind.outpatient": ("门诊", "Outpatient visit"),
        "eventKind.delivery": ("配送", "Delivery"),
        "eventKind.inquiry": ("咨询", "Enquiry"),
        "eventKind.event_attendance": ("参加活动", "Event attendance"),
        "eventKind.warranty_start": ("质保开始", "Warranty start"),
        "eventKind.insurance_expiry": ("保险到期", "Insurance expiry"),
        "eventKind.card_expiry": ("会员卡到期", "Card expiry"),
        "eventAttribute.product": ("产品", "Product"),
        "eventAttribute.amount": ("金额", "Amount"),
        "eventAttribute.warranty_until": ("质保截止日", "Warranty until"),
        "eventAttribute.expires_on": ("到期日", "Expires on"),
        "skill.medical": ("医疗回访", "Medical follow-ups"),
        "skill.vip": ("VIP 客户", "VIP customers"),
        "callMatter.inquiry": ("业务咨询", "Enquiry"),
        "callMatter.order": ("订单配送查询", "Order or delivery"),
        "callMatter.repair": ("维修进度", "Repair progress"),
        "callMatter.points": ("会员积分", "Member points"),
        "callMatter.event": ("活动咨询", "Events and offers"),
        "callMatter.invoice": ("发票", "Invoice"),
        "callMatter.complaint": ("投诉", "Complaint"),
        "callMatter.suggestion": ("意见建议", "Suggestion"),
        "callMatter.other": ("其他", "Other"),

        // The lists' form.
        "names.code": ("代码", "Code"),
        "names.name": ("名称", "Name"),
        "names.state": ("状态", "State"),
        "names.active": ("在用", "In use"),
        "names.retired": ("停用", "Retired"),
        "names.remove": ("删除", "Remove"),
        "names.addHint": (
            "在空行填写代码和名称即可添加。代码保存在记录里，之后不能修改；改名后所有页面、导出和报表随之改变。",
            "Fill in a blank row's code and name to add one. Records keep the code, which cannot change later; a new name shows on every page, export and report."
        ),
        "names.problem.code": (
            "代码只能使用小写字母、数字和下划线，最多 40 个字符", "A code takes lower-case letters, digits and _, up to 40 characters"
        ),
        "names.problem.repeatedCode": ("代码重复", "This code is already in the list"),
        "names.problem.repeatedName": ("名称重复", "This name is already in the list"),

        "matters.title": ("来电事项", "Call matters"),
        "matters.help": (
            "来电登记时可选的事项，报表的“来电事项”按同一列表统计。停用的事项不再出现在登记表中，已有来电仍显示其名称；来电用过的事项删除后自动停用。",
            "The matters the call form offers; the report counts calls by the same list. A retired matter is no longer offered, and calls that hold it still show its name; removing a matter calls hold retires it."
        ),
        "matters.problem.noneActive": ("至少保留一个在用的事项", "Keep at least one matter in use"),
        "calls.problem.matter": ("请选择来电事项：{0}", "Choose one of the call matters: {0}"),
        "calls.categoryFromMatter": ("按来电事项（无对应类别时为“其他”）", "From the matter (else Other)"),

        "skills.title": ("技能", "Skills"),
        "skills.help": (
            "回访规则可以要求坐席具备某项技能（如出院回访需要医疗回访技能），分配时只交给具备该技能的坐席。在用户设置中为坐席勾选技能。",
            "A follow-up rule may require a skill (discharge follow-ups need medical follow-ups); distribution then gives its tasks only to agents who have it. Tick an agent's skills in their user settings."
        ),
        "skills.problem.inUse": (
            "技能“{0}”仍有坐席具备或规则要求，请先在用户设置和回访规则中去掉",
            "Agents hold or rules require the skill {0}: remove it from their settings and the rules first"
        ),
        "skills.problem.unknown": ("没有这项技能：{0}", "No such skill: {0}"),
        "users.skills": ("技能", "Skills"),
        "users.skillsHelp": (
            "规则可以要求技能；技能列表在“设置 → 技能”中维护。", "Rules may require a skill; admins keep the list under Settings → Skills."
        ),
        "rules.anySkill": ("不限", "Any agent"),

        "eventKinds.editTitle": ("服务事件类型 · {0}", "Service event kind · {0}"),
        "eventKinds.name": ("事件类型名称", "Name of the kind"),
        "eventKinds.attributes": ("属性", "Attributes"),
        "eventKinds.help": (
            "属性的代码是导入文件的列名或接口中的键（如 warranty_until），名称是客户页面、回访工作台和导出中显示的文字。",
            "An attribute's code is the column of an import file or the key in the API (such as warranty_until); its name is what the customer page, the workspace and exports show."
        ),
        "eventKinds.listHelp": (
            "代码用于导入文件和接口，名称用于页面。点“编辑”可改名并为属性命名。",
            "Files and the API use the code, pages the name. Edit a kind to rename it and name its attributes."
        ),
        "export.matter": ("来电事项", "Matter"),
        "action.callMatters.update": ("修改来电事项", "Call matters changed"),
        "action.skills.update": ("修改技能列表", "Skills changed"),
        "action.eventKind.update": ("修改事件类型", "Event kind changed"),
        "audit.sentence.callMatters.update": ("{0} 修改了来电事项", "{0} changed the call matters"),
        "audit.sentence.skills.update": ("{0} 修改了技能列表", "{0} changed the skills"),
        "audit.sentence.eventKind.update": (
            "{0} 修改了事件类型 {1} 及其属性名称", "{0} changed event kind {1} and its attributes' names"
        ),

        // Empty lists: what to do next.
        "common.clearFilters": ("清除筛选条件", "Clear the filters"),
        "customers.noneYet": ("还没有客户。", "No customers yet."),
        "customers.noneYetImport": ("导入客户名单", "Import a customer list"),
        "customers.noneYetCreate": ("新建一位客户", "Add a customer"),
        "tasks.noneMine": (
            "名单上没有待回访的任务。主管分配后，新任务会出现在这里。",
            "Nothing left on your list. New tasks appear here once they are distributed."
        ),
        "tasks.noneMineAction": ("去分配任务", "Distribute tasks"),
        "tasks.noneMineCalls": ("接听来电", "Take a call"),
        "tasks.noneBoard": (
            "没有待完成的回访任务。任务由回访规则根据客户和服务事件生成：检查规则，或导入服务事件后运行排程。",
            "No open follow-up tasks. Rules make them from customers and service events: check the rules, or import events and run the planner."
        ),
        "tasks.noneBoardRules": ("查看回访规则", "Check the rules"),
        "tasks.noneBoardEvents": ("导入服务事件", "Import service events"),
        "tickets.noneYet": (
            "没有符合条件的工单。工单由回访记录、来电或接口开立。", "No tickets here. Tickets are opened from follow-ups, calls or the API."
        ),
        "tickets.noneQueue": (
            "队列是空的：分派给你或你所在部门的新工单会出现在这里。", "Your queue is empty: new tickets for you or your department appear here."
        ),
        "tickets.noneAction": ("登记来电并转为工单", "Log a call and open a ticket"),
        "calls.noneYet": ("还没有来电记录。", "No calls logged yet."),
        "calls.noneYetAction": ("登记一通来电", "Log a call"),
        "calls.noneMatch": ("没有符合条件的来电。", "No calls match."),
        "surveys.noneAction": ("新建问卷", "Build a survey"),
        "events.noneAction": ("导入服务事件", "Import service events"),
    ]
}
