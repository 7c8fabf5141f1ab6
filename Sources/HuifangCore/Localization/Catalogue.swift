import Foundation

/// Every string the UI, the API and the command line show, in both languages.
///
/// `{0}`, `{1}`, … are replaced by arguments. A key missing from the catalogue
/// shows as itself, and a test checks that every key the templates use exists.
public enum Catalogue {
    public static func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        guard let entry = entries[key] else { return key }
        let text = language == .zh ? entry.zh : entry.en
        return arguments.isEmpty ? text : fill(text, arguments)
    }

    /// A template with `{n}` replaced by `arguments[n]`; a brace that does not open a known argument stays as it
    /// is. One pass over the UTF-8 bytes: sweeps, exports and the call list fill a sentence for every row, and
    /// stepping through Chinese text by `Character` (grapheme clusters) cost several times more.
    public static func fill(_ template: String, _ arguments: [String]) -> String {
        let bytes = template.utf8
        var result = ""
        result.reserveCapacity(bytes.count + arguments.reduce(0) { $0 + $1.utf8.count })
        var copied = bytes.startIndex
        var scan = copied
        while let open = bytes[scan...].firstIndex(of: UInt8(ascii: "{")) {
            let digits = bytes[bytes.index(after: open)...].prefix { (0x30...0x39).contains($0) }
            guard (1...3).contains(digits.count), digits.endIndex < bytes.endIndex,
                bytes[digits.endIndex] == UInt8(ascii: "}"),
                case let index = digits.reduce(0, { $0 * 10 + Int($1 - 0x30) }), arguments.indices.contains(index)
            else {
                scan = bytes.index(after: open)
                continue
            }
            result += template[copied..<open]
            result += arguments[index]
            copied = bytes.index(after: digits.endIndex)
            scan = copied
        }
        result += template[copied...]
        return result
    }

    public static func contains(_ key: String) -> Bool { entries[key] != nil }

    public static var keys: Dictionary<String, (zh: String, en: String)>.Keys { entries.keys }

    static let entries: [String: (zh: String, en: String)] = core.merging(planning) { first, _ in first }.merging(
        tickets
    ) { first, _ in first }
    .merging(ticketPages) { first, _ in first }.merging(followUp) { first, _ in first }
    .merging(reports) { first, _ in first }.merging(customerExport) { first, _ in first }
    .merging(consent) { first, _ in first }.merging(retention) { first, _ in first }
    .merging(home) { first, _ in first }.merging(audit) { first, _ in first }
    .merging(roster) { first, _ in first }.merging(names) { first, _ in first }
    .merging(navigation) { first, _ in first }.merging(lists) { first, _ in first }
    .merging(apiDocs) { first, _ in first }.merging(webhooks) { first, _ in first }
    .merging(telephony) { first, _ in first }

    static let core: [String: (zh: String, en: String)] = [
        "app.name": ("回访", "Huifang"),
        "app.tagline": ("客户回访与服务质量管理", "Customer follow-up and service quality"),
        "nav.home": ("工作台", "Home"),
        "nav.customers": ("客户", "Customers"),
        "nav.import": ("导入客户", "Import"),
        "nav.departments": ("部门", "Departments"),
        "nav.users": ("用户", "Users"),
        "nav.audit": ("审计日志", "Audit log"),
        "nav.settings": ("设置", "Settings"),
        "nav.logout": ("退出登录", "Sign out"),
        "nav.switchLanguage": ("English", "中文"),
        "nav.menu": ("菜单", "Menu"),

        "login.title": ("登录", "Sign in"),
        "login.username": ("用户名", "Username"),
        "login.password": ("密码", "Password"),
        "login.submit": ("登录", "Sign in"),
        "login.failed": ("用户名或密码错误", "Wrong username or password"),
        "login.locked": ("登录失败次数过多，请 {0} 分钟后再试", "Too many failed sign-ins; try again in {0} minutes"),
        "login.loggedOut": ("您已退出登录", "You have signed out"),
        "login.inactive": ("该账号已停用，请联系管理员", "This account is disabled; ask an administrator"),

        "role.admin": ("系统管理员", "Administrator"),
        "role.supervisor": ("客服主管", "Supervisor"),
        "role.agent": ("客服专员", "Agent"),
        "role.handler": ("业务处理人", "Handler"),
        "role.analyst": ("数据分析员", "Analyst"),

        "field.name": ("姓名", "Name"),
        "field.mobile": ("手机", "Mobile"),
        "field.email": ("邮箱", "Email"),
        "field.gender": ("性别", "Gender"),
        "field.birthday": ("生日", "Birthday"),
        "field.registeredOn": ("注册日期", "Registered on"),
        "field.tier": ("会员等级", "Tier"),
        "field.tags": ("标签", "Tags"),
        "field.externalID": ("会员编号", "Member ID"),
        "field.assignedAgent": ("专属客服", "Assigned agent"),
        "field.consent": ("同意回访", "Consents to follow-up"),
        "field.doNotDisturb": ("免打扰", "Do not disturb"),
        "field.notes": ("备注", "Notes"),
        "gender.male": ("男", "Male"),
        "gender.female": ("女", "Female"),

        "common.save": ("保存", "Save"),
        "common.cancel": ("取消", "Cancel"),
        "common.delete": ("删除", "Delete"),
        "common.edit": ("编辑", "Edit"),
        "common.search": ("搜索", "Search"),
        "common.next": ("下一页", "Next page"),
        "common.first": ("第一页", "First page"),
        "common.none": ("—", "—"),
        "common.yes": ("是", "Yes"),
        "common.no": ("否", "No"),
        "common.all": ("全部", "All"),
        "common.back": ("返回", "Back"),
        "common.confirmDelete": ("确定删除吗？此操作无法撤销。", "Delete for good? This cannot be undone."),
        "common.saved": ("已保存", "Saved"),
        "common.reveal": ("显示完整", "Reveal"),
        "common.filter": ("筛选", "Filter"),
        "common.unassigned": ("未分配", "Unassigned"),
        "common.fixErrors": ("请修改以下错误后重新提交", "Please correct the errors below"),

        "home.title": ("工作台", "Home"),
        "home.welcome": ("欢迎，{0}", "Welcome, {0}"),
        "home.recentAudit": ("最近的操作记录", "Recent activity"),

        "customers.title": ("客户", "Customers"),
        "customers.new": ("新建客户", "New customer"),
        "customers.edit": ("编辑客户", "Edit customer"),
        "customers.contactLocked": (
            "联系方式已遮蔽，只有可查看完整号码的人员（主管、专属客服）能修改",
            "Masked: only those who see the full details (supervisors, the customer's agent) change them"
        ),
        "customers.agentLocked": ("专属客服由主管指派", "Supervisors assign the customer's agent"),
        "customers.searchPlaceholder": ("姓名、手机号或会员编号", "Name, mobile or member ID"),
        "customers.empty": ("没有符合条件的客户。", "No customers match."),
        "customers.profile": ("客户资料", "Profile"),
        "customers.history": ("变更记录", "Change history"),
        "customers.historyEmpty": ("暂无变更记录", "No changes yet"),
        "customers.deleted": ("客户已删除", "Customer deleted"),
        "customers.maskedHint": (
            "联系方式已隐藏，查看完整信息将被记录在审计日志中", "Contact details are masked; revealing them is recorded in the audit log"
        ),
        "customers.anyTag": ("任意标签", "Any tag"),
        "customers.anyTier": ("任意等级", "Any tier"),
        "customers.count": ("共 {0} 位客户", "{0} customers"),
        "history.at": ("时间", "When"),
        "history.by": ("操作人", "Who"),
        "history.field": ("字段", "Field"),
        "history.old": ("原值", "Old"),
        "history.new": ("新值", "New"),
        "history.source": ("来源", "Source"),
        "history.created": ("创建客户", "Created"),
        "source.ui": ("网页", "Web"),
        "source.api": ("接口", "API"),
        "source.import": ("导入", "Import"),
        "source.cli": ("命令行", "Command line"),
        "source.demo": ("演示数据", "Demo"),

        "import.title": ("导入客户", "Import customers"),
        "import.file": ("CSV 文件", "CSV file"),
        "import.help": (
            "支持 UTF-8（含 BOM）、GBK/GB18030 编码；表头可用中文或英文，如 姓名、手机、会员等级、生日、注册日期、会员编号。按会员编号更新已有客户，没有会员编号时按手机号。空单元格不会覆盖已有数据。",
            "UTF-8 (with or without BOM) and GBK/GB18030 files; headings in Chinese or English, e.g. name, mobile, tier, birthday, registered_at, external_id. Existing customers are matched by member ID, else by mobile. Empty cells leave existing values alone."
        ),
        "import.dryRun": ("仅检查，不写入", "Check only, write nothing"),
        "import.strict": ("严格模式：有任何错误行则全部不导入", "Strict: import nothing if any row is wrong"),
        "import.submit": ("开始导入", "Import"),
        "import.report": ("导入结果", "Import report"),
        "import.encoding": ("文件编码", "Encoding"),
        "import.total": ("数据行", "Data rows"),
        "import.created": ("新增", "Created"),
        "import.updated": ("更新", "Updated"),
        "import.unchanged": ("无变化", "Unchanged"),
        "import.failed": ("错误行", "Rows with errors"),
        "import.applied": ("已导入正确的行，错误行未导入", "Correct rows were imported; rows with errors were not"),
        "import.appliedAll": ("全部导入成功", "All rows imported"),
        "import.notApplied": ("未导入任何数据", "Nothing was imported"),
        "import.dryRunNote": ("试运行：未写入任何数据", "Dry run: nothing was written"),
        "import.strictNote": ("严格模式下发现错误，未导入任何数据", "Strict mode found errors, so nothing was imported"),
        "import.line": ("行号", "Line"),
        "import.column": ("列", "Column"),
        "import.value": ("值", "Value"),
        "import.reason": ("原因", "Reason"),
        "import.ignoredColumns": ("已忽略未识别的列：{0}", "Ignored unrecognised columns: {0}"),
        "import.file.empty": ("文件为空", "The file is empty"),
        "import.file.encoding": (
            "无法识别文件编码（支持 UTF-8、GBK/GB18030、UTF-16）", "Unrecognised encoding (UTF-8, GBK/GB18030 and UTF-16 are read)"
        ),
        "import.file.workbookTooLarge": (
            "该 Excel 文件解压后超过 512 MB，请拆分为多个文件后导入",
            "The Excel file unpacks to more than 512 MB; split it into several files"
        ),
        "import.file.sheetTooLarge": (
            "该工作表的单元格超过 1,600 万个（按标题行宽度计，含空单元格），请拆分为多个文件后导入",
            "The sheet holds more than 16 million cells (counting empty ones up to its headings' width); split it into"
                + " several files"
        ),
        "import.file.workbook": (
            "无法读取该 Excel 文件（请另存为 .xlsx 或 CSV 后重试）",
            "The Excel file cannot be read (save it as .xlsx or CSV and try again)"
        ),
        "import.file.noName": ("缺少“姓名”列", "The file has no name column (姓名/name)"),
        "import.file.noKey": (
            "缺少“手机”或“会员编号”列，无法匹配客户", "The file needs a mobile (手机) or member ID (会员编号) column to match customers"
        ),
        "import.file.duplicateColumn": ("列“{0}”重复出现", "Column \"{0}\" appears twice"),
        "import.file.missing": ("请选择要导入的文件", "Choose a file to import"),

        "problem.required": ("必填", "is required"),
        "problem.notANumber": ("应为整数", "must be a whole number"),
        "problem.tooLong": ("不能超过 {0} 个字符", "must be at most {0} characters"),
        "problem.invalidMobile": (
            "不是有效的手机号（应为 11 位中国大陆手机号，或以 + 开头的国际号码）",
            "is not a valid mobile number (11-digit mainland mobile, or international with +)"
        ),
        "problem.invalidEmail": ("不是有效的邮箱地址", "is not a valid email address"),
        "problem.invalidDate": ("不是有效的日期（如 2024-03-05）", "is not a valid date (e.g. 2024-03-05)"),
        "problem.cursor": (
            "不是本列表给出的翻页位置（请从第一页重新翻）", "is not a position this list gave out (start again from the first page)"
        ),
        "problem.dateInFuture": ("不能晚于今天", "cannot be after today"),
        "problem.dateTooEarly": ("不能早于 1900 年", "cannot be before 1900"),
        "problem.invalidGender": ("应为 男 或 女", "must be male (男) or female (女)"),
        "problem.invalidBoolean": ("应为 是 或 否", "must be yes (是) or no (否)"),
        "problem.unknownTier": ("不是已配置的会员等级（{0}）", "is not a configured tier ({0})"),
        "problem.unknownAgent": ("找不到该用户名的客服", "no user has this username"),
        "problem.notPermitted": (
            "您的角色不能修改此项（联系方式需有权查看者修改，指派客服由主管操作）",
            "your role may not change this (contact details: only those who see them; the agent: supervisors)"
        ),
        "problem.notAnAgent": ("该用户不是客服专员", "this user is not an agent"),
        "problem.duplicateInFile": ("与第 {0} 行重复", "repeats line {0}"),
        "problem.mobileMatchesSeveral": (
            "该手机号对应多位客户，请提供会员编号", "several customers have this mobile; give the member ID"
        ),
        "problem.externalIDTaken": ("该会员编号已属于其他客户", "another customer has this member ID"),
        "problem.mobileOrExternalIDRequired": ("手机和会员编号至少填写一项", "give a mobile or a member ID"),
        "problem.usernameTaken": ("用户名已被使用", "is taken"),
        "problem.invalidUsername": (
            "只能包含字母、数字、点、下划线和连字符（2–32 位）", "may hold letters, digits, dot, underscore and hyphen (2–32)"
        ),
        "problem.weakPassword": ("至少 8 位", "must be at least 8 characters"),
        "problem.invalidRole": ("不是有效的角色", "is not a role"),
        "problem.unknownDepartment": ("部门不存在", "no such department"),
        "problem.nameTaken": ("名称已被使用", "is taken"),
        "problem.departmentInUse": ("部门下还有用户，不能删除", "still has users and cannot be deleted"),
        "problem.lastAdmin": ("不能停用或降级最后一位系统管理员", "the last administrator cannot be disabled or demoted"),
        "problem.tiersEmpty": ("至少需要一个会员等级", "at least one tier is needed"),
        "problem.tierInUse": ("仍有客户属于等级“{0}”，不能删除", "customers still have tier \"{0}\""),

        "departments.title": ("部门", "Departments"),
        "departments.new": ("新建部门", "New department"),
        "departments.edit": ("编辑部门", "Edit department"),
        "departments.name": ("部门名称", "Name"),
        "departments.head": ("负责人", "Head"),
        "departments.members": ("人数", "Members"),
        "departments.empty": ("暂无部门", "No departments yet"),

        "users.title": ("用户", "Users"),
        "users.new": ("新建用户", "New user"),
        "users.edit": ("编辑用户", "Edit user"),
        "users.username": ("用户名", "Username"),
        "users.displayName": ("姓名", "Name"),
        "users.role": ("角色", "Role"),
        "users.department": ("部门", "Department"),
        "users.active": ("启用", "Active"),
        "users.inactive": ("已停用", "Disabled"),
        "users.password": ("密码", "Password"),
        "users.newPassword": ("新密码（留空则不修改）", "New password (leave empty to keep)"),
        "users.tokens": ("API 令牌", "API tokens"),
        "users.tokenName": ("令牌用途", "Token purpose"),
        "users.createToken": ("生成令牌", "Create token"),
        "users.tokenOnce": ("新令牌只显示这一次，请立即复制保存：", "The new token is shown only this once; copy it now:"),
        "users.revoke": ("吊销", "Revoke"),
        "users.revoked": ("已吊销", "Revoked"),
        "users.revokeAll": ("吊销全部令牌", "Revoke all tokens"),
        "users.lastUsed": ("最近使用", "Last used"),
        "users.createdAt": ("创建时间", "Created"),
        "users.noTokens": ("暂无令牌", "No tokens"),

        "audit.title": ("审计日志", "Audit log"),
        "audit.at": ("时间", "When"),
        "audit.actor": ("操作人", "Who"),
        "audit.action": ("操作", "Action"),
        "audit.subject": ("对象", "Subject"),
        "audit.detail": ("详情", "Detail"),
        "audit.address": ("地址", "Address"),
        "audit.anyAction": ("全部操作", "Any action"),
        "audit.actorFilter": ("操作人用户名", "Actor username"),
        "audit.from": ("起始日期", "From"),
        "audit.to": ("截止日期", "To"),
        "audit.empty": ("没有符合条件的记录", "No entries match"),
        "action.login": ("登录", "Signed in"),
        "action.login.failed": ("登录失败", "Failed sign-in"),
        "action.login.lockout": ("登录锁定", "Locked out"),
        "action.logout": ("退出登录", "Signed out"),
        "action.customer.create": ("新建客户", "Customer created"),
        "action.customer.update": ("修改客户", "Customer changed"),
        "action.customer.delete": ("删除客户", "Customer deleted"),
        "action.customer.erase": ("删除客户个人信息", "Customer's personal information erased"),
        "action.customer.export": ("导出客户个人信息", "Customer's data exported"),
        "action.customer.view": ("查看客户资料", "Customer viewed"),
        "action.customer.list": ("查询客户列表", "Customers listed"),
        "action.customer.reveal": ("查看完整联系方式", "Contact details revealed"),
        "action.customer.import": ("导入客户", "Customers imported"),
        "action.user.create": ("新建用户", "User created"),
        "action.user.update": ("修改用户", "User changed"),
        "action.token.create": ("生成 API 令牌", "API token created"),
        "action.token.revoke": ("吊销 API 令牌", "API token revoked"),
        "action.token.revokeAll": ("吊销全部 API 令牌", "All API tokens revoked"),
        "action.department.create": ("新建部门", "Department created"),
        "action.department.update": ("修改部门", "Department changed"),
        "action.department.delete": ("删除部门", "Department deleted"),
        "action.tiers.update": ("修改会员等级", "Tiers changed"),

        "nav.calendar": ("工作日历", "Calendar"),
        "calendar.title": ("工作日历", "Business calendar"),
        "calendar.yearTitle": ("{0} 年", "{0}"),
        "calendar.workdaysInYear": ("{0} 年共 {1} 个工作日", "{1} working days in {0}"),
        "calendar.prevYear": ("← 上一年", "← Previous year"),
        "calendar.nextYear": ("下一年 →", "Next year →"),
        "calendar.mode": ("点击日期将其设为", "Clicking a date makes it"),
        "calendar.mode.holiday": ("放假", "a holiday"),
        "calendar.mode.workday": ("调休上班", "a make-up workday"),
        "calendar.mode.clear": ("恢复常规", "ordinary again"),
        "calendar.name": ("名称", "Name"),
        "calendar.namePlaceholder": ("如 国庆节", "e.g. National Day"),
        "calendar.legend.working": ("工作日", "Working day"),
        "calendar.legend.weekend": ("周末", "Weekend"),
        "calendar.legend.holiday": ("节假日", "Holiday"),
        "calendar.legend.makeUpWorkday": ("调休上班", "Make-up workday"),
        "calendar.legend.exception": ("特殊工作时间", "Special hours"),
        "calendar.weekdays": ("一,二,三,四,五,六,日", "Mon,Tue,Wed,Thu,Fri,Sat,Sun"),
        "calendar.month": ("{0} 月", "{0}"),
        "calendar.import": ("导入节假日安排", "Import a holiday schedule"),
        "calendar.importHelp": (
            "粘贴国务院办公厅通知的安排（每行一条：holiday 2027-01-01..2027-01-03 元旦 或 workday 2027-01-09 元旦），或上传 iCalendar (.ics) 文件。",
            "Paste the State Council's schedule (one line each: holiday 2027-01-01..2027-01-03 元旦 or workday 2027-01-09 元旦), or upload an iCalendar (.ics) file."
        ),
        "calendar.paste": ("粘贴安排", "Pasted schedule"),
        "calendar.icsFile": ("iCalendar 文件", "iCalendar file"),
        "calendar.importSubmit": ("导入", "Import"),
        "calendar.imported": ("已导入 {0} 个日期", "{0} dates imported"),
        "calendar.nothingToImport": ("请粘贴安排或选择文件", "Paste a schedule or choose a file"),
        "calendar.weekly": ("每周工作时间", "Weekly working hours"),
        "calendar.weeklyHelp": (
            "每天可填多个时段，如 09:00-12:00,13:30-18:00；留空表示休息。",
            "Several ranges a day, e.g. 09:00-12:00,13:30-18:00; empty for a day off."
        ),
        "calendar.timeZone": ("时区", "Time zone"),
        "calendar.badInput": ("{0}={1}：应为{2}", "{0}={1}: expected {2}"),
        "calendar.expect.date": ("日期 YYYY-MM-DD（1900–2199 年）", "a date YYYY-MM-DD between 1900 and 2199"),
        "calendar.expect.time": ("本地时间 YYYY-MM-DDTHH:MM", "a local time YYYY-MM-DDTHH:MM"),
        "calendar.expect.days": ("不超过 20000 的整数天数", "a whole number of days up to 20000"),
        "calendar.expect.hours": ("0 到 100000 之间的小时数", "hours from 0 to 100000"),
        "calendar.expect.inRange": ("结果落在 1900–2199 年之内的数量", "an amount whose result falls within 1900–2199"),
        "calendar.expect.hoursList": (
            "时段如 09:00-12:00,13:30-18:00，不重叠", "ranges such as 09:00-12:00,13:30-18:00, not overlapping"
        ),
        "calendar.expect.timeZone": ("IANA 时区，如 Asia/Shanghai", "an IANA time zone such as Asia/Shanghai"),
        "calendar.expect.kind": ("holiday、workday 或 hours", "holiday, workday or hours"),
        "calendar.outOfRange": (
            "日期须在工作日历的年份之内（1900–2199 年）", "dates must lie within the working calendar's years (1900–2199)"
        ),
        "calendar.expect.year": ("1900 到 2199 之间的年份", "a year from 1900 to 2199"),
        "calendar.scheduleError": ("第 {0} 行：{1}", "line {0}: {1}"),
        "action.calendar.import": ("导入节假日安排", "Holiday schedule imported"),
        "action.calendar.update": ("修改工作日历", "Calendar changed"),

        "settings.title": ("设置", "Settings"),
        "settings.tiers": ("会员等级", "Customer tiers"),
        "settings.tiersHelp": (
            "每行一个等级，从低到高；第一个为新客户的默认等级。", "One tier a line, lowest first; the first is a new customer's default."
        ),

        "error.title": ("出错了", "Something went wrong"),
        "error.requestID": ("请求编号：{0}（联系管理员时请提供）", "Request id: {0} (quote it to your administrator)"),
        "error.forbidden": ("您的角色无权访问此页面", "Your role may not open this page"),
        "error.notFound": ("页面不存在", "Page not found"),
        "error.csrf": ("表单已过期，请刷新页面后重试", "The form has expired; reload the page and try again"),
        "error.unauthorized": ("请先登录", "Please sign in"),
        "error.badRequest": ("请求有误", "Bad request"),
        "error.uriTooLong": (
            "请求地址过长（最多 {0} 字节），请缩短搜索词或筛选条件",
            "The address is too long (at most {0} bytes); shorten the search or filters"
        ),
        "error.headersTooLarge": (
            "请求头过大（单项最多 {0} 字节，合计最多 {1} 字节），请清除本站 Cookie 后重试",
            "The request headers are too large (at most {0} bytes each, {1} in all); "
                + "clear this site's cookies and try again"
        ),
        "decode.missing": ("缺少此项", "is missing"),
        "decode.type": ("应为{0}", "must be {0}"),
        "decode.type.boolean": ("布尔值（true 或 false）", "a boolean (true or false)"),
        "decode.type.integer": ("整数", "an integer"),
        "decode.type.number": ("数字", "a number"),
        "decode.type.text": ("文本（带引号的字符串）", "text (a quoted string)"),
        "decode.type.list": ("列表（JSON 数组）", "a list (a JSON array)"),
        "decode.type.object": ("对象（JSON 对象）", "an object (a JSON object)"),
        "decode.null": ("不能为 null", "must not be null"),
        "decode.notJSON": ("请求体不是有效的 JSON", "the body is not valid JSON"),
        "decode.unknownKey": ("不是可用的字段", "is not a known field"),
        "decode.invalid": ("格式不正确", "has an invalid value"),
        "search.tooLong": ("搜索词不能超过 {0} 个字符", "a search term takes at most {0} characters"),
        "error.tooLarge": ("文件过大", "The file is too large"),
    ]
}
