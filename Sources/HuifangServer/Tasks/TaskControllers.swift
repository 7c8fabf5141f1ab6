import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// Load per agent on a day, for the distribution page and the API.
struct AgentLoad: Content {
    let id: UUID
    let username: String
    let name: String
    /// Skill codes, comma-separated (`medical,vip`).
    let skills: String
    /// The skills by name, as the reader reads them (医疗回访、VIP 客户).
    let skillNames: String
    let open: Int
    let dueToday: Int
    let absent: Bool
    /// The shift on the day, as people read it (`早班 09:00–15:00`, `休息`, `全天（未排班）`).
    let shift: String
    /// On shift and not on leave: distribution gives them work that day.
    let onShift: Bool
}

extension DomainServices {
    func agentLoads(on day: LocalDate) async throws -> [AgentLoad] {
        let capacities = try await distribution.agents(on: day)
        let users = Dictionary(
            try await User.query(on: db).filter(\.$role == .agent).all().map { ($0.id!, $0) },
            uniquingKeysWith: { a, _ in a })
        struct DueRow: Decodable {
            let assigned_agent_id: UUID
            let count: Int
        }
        let rows = try await db.sql.raw(
            """
            SELECT assigned_agent_id, COUNT(*) AS count FROM follow_up_tasks
            WHERE status = 'open' AND due_on <= \(bind: day.iso) AND assigned_agent_id IS NOT NULL
            GROUP BY assigned_agent_id
            """
        ).all(decoding: DueRow.self)
        let due = Dictionary(rows.map { ($0.assigned_agent_id, $0.count) }, uniquingKeysWith: +)
        let rostered = try await rosters.rosters(of: capacities.map(\.id))
        let skills = try await names.skills()
        let skillNames = Dictionary(skills.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return capacities.sorted { $0.name < $1.name }.map { agent in
            AgentLoad(
                id: agent.id, username: users[agent.id]?.username ?? "", name: agent.name,
                skills: agent.skills.sorted().joined(separator: ","),
                skillNames: names.skillText(agent.skills, names: skillNames, order: skills.map(\.code)),
                open: agent.openLoad, dueToday: due[agent.id] ?? 0, absent: agent.isAbsent,
                shift: shiftText(rostered[agent.id], on: day), onShift: agent.isPresent)
        }
    }

    /// A page of tasks as `viewer` may see them; the view is audited.
    func taskPage(_ filter: TaskFilter, viewer: User) async throws -> KeysetPage<TaskView> {
        let page = try await taskQueries.page(filter, viewer: viewer)
        try await auditTaskList(count: page.rows.count)
        return page
    }

    /// The audit entry of a view of a task list.
    func auditTaskList(count: Int) async throws {
        try await AuditLog.record(.taskList(count: count, by: actor, at: now), on: db)
    }

    /// The active agent with this username or id; with `evenInactive`, also one who has left (a list filtered by
    /// them still shows the work they held).
    func agent(named key: String, evenInactive: Bool = false) async throws -> User {
        let agent: User?
        if let id = UUID(uuidString: key) {
            agent = try await User.find(id, on: db)
        } else {
            agent = try await User.query(on: db).filter(\.$username == key.lowercased()).first()
        }
        guard let agent, agent.role == .agent, agent.isActive || evenInactive else {
            throw NamedFieldError(field: "agent", key: "problem.notAnAgent")
        }
        return agent
    }

    func recordAbsence(agent: User, from: String, to: String, note: String) async throws {
        guard let first = LocalDate(parsing: from) else {
            throw NamedFieldError(field: "from", key: "problem.invalidDate")
        }
        guard let last = LocalDate(parsing: to), last >= first else {
            throw NamedFieldError(field: "to", key: "problem.invalidDate")
        }
        let absence = AgentAbsence()
        absence.$user.id = agent.id!
        absence.firstDay = first.iso
        absence.lastDay = last.iso
        absence.note = note
        try await absence.create(on: db)
        try await audit(
            "agent.absence", subjectType: "user", subjectID: agent.username, detail: "\(first.iso)..\(last.iso)")
    }
}

extension Request {
    /// A page of tasks as the signed-in user may see them.
    func taskPage(_ filter: TaskFilter) async throws -> KeysetPage<TaskView> {
        try await domain.taskPage(filter, viewer: try auth.require(User.self))
    }

    /// The board's filters, the same on the page and in the API: `agent` (username or id, or `none` for
    /// tasks nobody has), `status` (open by default, `all` for any), `dueFrom`/`dueBy` (due dates, both
    /// included), `overdue` (open tasks past their deadline) and `sort` (`priority`, the default, or `deadline`,
    /// the earliest first). A wrong value is a `422` naming it.
    func taskFilter() async throws -> TaskFilter {
        var filter = TaskFilter()
        let text = queryText
        if let agent = text("agent") {
            if agent == "none" {
                filter.unassigned = true
            } else {
                filter.agentID = try await domain.agent(named: agent, evenInactive: true).id
            }
        }
        if let status = text("status") {
            if status == "all" {
                filter.status = nil
            } else {
                guard let parsed = FollowUpTask.Status(rawValue: status) else {
                    throw NamedFieldError(field: "status", key: "problem.unknownStatus")
                }
                filter.status = parsed
            }
        }
        filter.dueFrom = try queryDate("dueFrom")
        filter.dueBy = try queryDate("dueBy")
        filter.overdue = text("overdue").map { ["1", "true", "on"].contains($0) } ?? false
        if let sort = text("sort") {
            guard sort == "deadline" || sort == "priority" else {
                throw NamedFieldError(field: "sort", key: "problem.taskSort")
            }
            filter.byDeadline = sort == "deadline"
        }
        return filter
    }

    /// `limit` and `after` of a task list.
    func pagedTasks(_ filter: TaskFilter, limit: Int = TaskFilter.pageSize) throws -> TaskFilter {
        var filter = filter
        filter.limit = try pageLimit(default: limit)
        let callList = filter.callListOrder
        filter.after = try pageCursor { TaskQueries.cursor($0, callList: callList, on: db) }
        return filter
    }
}

struct TaskAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let planning = routes.guarded(.planning, .api)
        planning.get("tasks", use: list)
        planning.post("tasks", "reassign", use: reassign)
        planning.post("tasks", "recompute-deadlines", use: recompute)
        planning.post("planner", "run", use: run)
        planning.get("planner", "runs", use: runs)
        planning.get("agents", "load", use: load)
        planning.post("agents", ":agent", "absences", use: absence)
        routes.guarded(.callList, .api).get("tasks", "mine", use: mine)
    }

    struct Reassign: Content {
        let taskIDs: [Int]
        /// Username or id.
        let agent: String
    }
    struct RunInput: Content { let asOf: String? }
    struct Absence: Content {
        let from: String
        let to: String
        let note: String?
    }

    @Sendable func list(req: Request) async throws -> TaskPageDTO {
        let page = try await req.taskPage(try req.pagedTasks(try await req.taskFilter()))
        return TaskPageDTO(items: page.rows, nextCursor: page.next?.token)
    }

    @Sendable func mine(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        return try await req.callListResponse(
            try req.pagedTasks(TaskFilter(agentID: user.id, callListOrder: true)), viewer: user)
    }

    @Sendable func reassign(req: Request) async throws -> [String: Int] {
        let input = try req.content.decode(Reassign.self)
        let agent = try await req.domain.agent(named: input.agent)
        let moved = try await req.domain.distribution.reassign(input.taskIDs, to: agent, at: req.now)
        try await req.domain.audit("task.reassign", subjectType: "task", detail: "\(moved) to \(agent.username)")
        return ["reassigned": moved]
    }

    @Sendable func recompute(req: Request) async throws -> [String: Int] {
        let (recomputed, changed) = try await req.domain.taskDeadlines.recomputeOpen(by: req.actor)
        return ["recomputed": recomputed, "changed": changed]
    }

    @Sendable func run(req: Request) async throws -> PlanSummary {
        let input = try req.optionalBody(RunInput.self)
        var day = req.today
        if let text = input?.asOf {
            guard let parsed = LocalDate(parsing: text) else {
                throw NamedFieldError(field: "asOf", key: "problem.invalidDate")
            }
            day = parsed
        }
        let summary = try await req.domain.planning.runNow(day: day, now: req.now)
        try await req.domain.audit(
            "planner.run", subjectType: "planner", subjectID: day.iso, detail: "created=\(summary.tasksCreated)")
        return summary
    }

    @Sendable func runs(req: Request) async throws -> [PlanSummary] {
        try await PlannerRun.query(on: req.db).filter(\.$finishedAt != nil).sort(\.$id, .descending).limit(30).all()
            .compactMap { run in
                run.summary.flatMap { try? JSONDecoder().decode(PlanSummary.self, from: Data($0.utf8)) }
            }
    }

    @Sendable func load(req: Request) async throws -> [AgentLoad] {
        try await req.domain.agentLoads(on: req.today)
    }

    @Sendable func absence(req: Request) async throws -> HTTPStatus {
        let input = try req.content.decode(Absence.self)
        try await req.domain.recordAbsence(
            agent: try await req.domain.agent(named: req.parameters.get("agent") ?? ""), from: input.from,
            to: input.to,
            note: input.note ?? "")
        return .created
    }
}

/// The supervisor's distribution page and the agent's call list.
struct TaskPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let planning = routes.grouped("tasks").guarded(.planning, .page)
        planning.get(use: board)
        planning.post("reassign", use: reassign)
        planning.post("run", use: run)
        planning.post("absences", use: absence)
        planning.post("recompute", use: recompute)
        planning.get("export.csv", use: exportCSV)
        let mine = routes.grouped("tasks").guarded(.callList, .page)
        mine.get("mine", use: myList)
        mine.get("mine.csv", use: myCSV)
    }

    struct Row: Encodable {
        let task: TaskView
        let statusText: String
    }
    struct Board: Encodable {
        let exportPath: String
        let loads: [AgentLoad]
        let agents: [SelectOption]
        let rows: [Row]
        let unassigned: Int
        let today: String
        let runs: [PlanSummary]
        let message: String?
        let nextURL: String?
        /// The filter form: whose tasks, which status, due dates, past the deadline.
        let filterAgents: [SelectOption]
        let statuses: [SelectOption]
        let sorts: [SelectOption]
        let dueFrom: String
        let dueBy: String
        let overdue: Bool
        let isFiltered: Bool
        /// "共 12 条" or "超过 1000 条": the list never stops silently.
        let total: String
        /// This page with its filter, to come back to after reassigning.
        let back: String
    }
    struct MinePage: Encodable {
        let tasks: [TaskView]
        let nextURL: String?
        /// Today's shift, and the week's for a rostered agent.
        let shift: String
        let week: [RosterPagesController.Cell]
    }

    @Sendable func board(req: Request) async throws -> Response {
        try await boardPage(req, message: nil)
    }

    private func boardPage(_ req: Request, message: String?) async throws -> Response {
        var message = message
        var filter = TaskFilter()
        // The links that carry the board's query (its export, the way back after reassigning) carry it only when it
        // was taken: a refused one shows the default list, which is what they must then export and come back to.
        var query = req.url.query.map { "?" + $0 } ?? ""
        do {
            filter = try await req.taskFilter()
        } catch let problem as NamedFieldError {
            message = req.t("tasks.filterProblem", problem.field, Catalogue.text(problem.key, req.language))
            query = ""
        }
        let loads = try await req.domain.agentLoads(on: req.today)
        let unassigned = try await FollowUpTask.query(on: req.db).filter(\.$status == .open).filter(
            \.$assignedAgent.$id == nil
        ).count()
        let page = try await req.taskPage(try req.pagedTasks(filter, limit: 200))
        let runs = try await PlannerRun.query(on: req.db).filter(\.$finishedAt != nil).sort(\.$id, .descending).limit(5)
            .all().compactMap { run in
                run.summary.flatMap { try? JSONDecoder().decode(PlanSummary.self, from: Data($0.utf8)) }
            }
        let context = Board(
            exportPath: "/tasks/export.csv" + query, loads: loads,
            agents: loads.map { SelectOption(value: $0.id.uuidString, label: $0.name, selected: false) },
            rows: page.rows.map { Row(task: $0, statusText: req.t("status." + $0.status)) }, unassigned: unassigned,
            today: req.today.iso, runs: runs, message: message, nextURL: req.nextPageURL(page.next),
            filterAgents: Self.filterAgents(loads, filter, req), statuses: Self.statuses(filter, req),
            sorts: [("priority", "tasks.sortPriority"), ("deadline", "tasks.sortDeadline")].map {
                SelectOption(value: $0.0, label: req.t($0.1), selected: ($0.0 == "deadline") == filter.byDeadline)
            },
            dueFrom: filter.dueFrom?.iso ?? "", dueBy: filter.dueBy?.iso ?? "", overdue: filter.overdue,
            isFiltered: filter.agentID != nil || filter.unassigned || filter.status != .open || filter.dueFrom != nil
                || filter.dueBy != nil || filter.overdue,
            total: req.listTotal(try await req.domain.taskQueries.count(filter)), back: "/tasks" + query)
        return try await req.renderPage("tasks/board", titleKey: "tasks.title", context)
    }

    private static func filterAgents(_ loads: [AgentLoad], _ filter: TaskFilter, _ req: Request) -> [SelectOption] {
        [
            SelectOption(
                value: "", label: req.t("tasks.anyAgent"), selected: filter.agentID == nil && !filter.unassigned),
            SelectOption(value: "none", label: req.t("tasks.noAgent"), selected: filter.unassigned),
        ] + loads.map { SelectOption(value: $0.id.uuidString, label: $0.name, selected: $0.id == filter.agentID) }
    }

    private static func statuses(_ filter: TaskFilter, _ req: Request) -> [SelectOption] {
        FollowUpTask.Status.allCases.map {
            SelectOption(value: $0.rawValue, label: req.t("status." + $0.rawValue), selected: filter.status == $0)
        } + [SelectOption(value: "all", label: req.t("tasks.anyStatus"), selected: filter.status == nil)]
    }

    @Sendable func reassign(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let ids = form.keys.filter { $0.hasPrefix("task-") }.compactMap { Int($0.dropFirst(5)) }
        guard !ids.isEmpty else { return try await boardPage(req, message: req.t("tasks.noneSelected")) }
        let agent = try await req.domain.agent(named: form["agent"] ?? "")
        let moved = try await req.domain.distribution.reassign(ids, to: agent, at: req.now)
        try await req.domain.audit("task.reassign", subjectType: "task", detail: "\(moved) to \(agent.username)")
        req.flash("tasks.reassigned", String(moved))
        let back = RedirectTarget.local(form["back"] ?? "/tasks")
        return req.redirect(to: back == "/" ? "/tasks" : back)
    }

    @Sendable func run(req: Request) async throws -> Response {
        let day = req.today
        do {
            let summary = try await req.domain.planning.runNow(day: day, now: req.now)
            try await req.domain.audit(
                "planner.run", subjectType: "planner", subjectID: day.iso, detail: "created=\(summary.tasksCreated)")
            req.flash("planner.ran", String(summary.tasksCreated), String(summary.assigned))
        } catch let conflict as JobConflict {
            req.session.data["flash"] = req.message(for: conflict)
        }
        return req.redirect(to: "/tasks")
    }

    @Sendable func absence(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            try await req.domain.recordAbsence(
                agent: try await req.domain.agent(named: form["agent"] ?? ""), from: form["from"] ?? "",
                to: form["to"] ?? "",
                note: form["note"] ?? "")
        } catch let error as NamedFieldError {
            return try await boardPage(
                req,
                message: req.t("tasks." + (error.field == "agent" ? "agent" : "absence")) + "："
                    + Catalogue.text(error.key, req.language, error.arguments))
        }
        req.flash("tasks.absenceSaved")
        return req.redirect(to: "/tasks")
    }

    @Sendable func recompute(req: Request) async throws -> Response {
        let (recomputed, changed) = try await req.domain.taskDeadlines.recomputeOpen(by: req.actor)
        req.flash("tasks.recomputed", String(recomputed), String(changed))
        return req.redirect(to: "/tasks")
    }

    @Sendable func myList(req: Request) async throws -> Response {
        let me = try req.auth.require(User.self)
        let filter = TaskFilter(agentID: me.id, callListOrder: true)
        let page = try await req.taskPage(try req.pagedTasks(filter, limit: 200))
        let roster = try await req.domain.rosters.rosters(of: [try me.requireID()])[me.id!]
        let week = (roster?.days ?? []).enumerated().map { index, shift in
            RosterPagesController.Cell(
                day: req.t("roster.day." + WeeklyRoster.dayCodes[index]), shift: req.domain.shiftText(shift),
                isOff: shift.kind == .off)
        }
        return try await req.renderPage(
            "tasks/mine", titleKey: "tasks.mine",
            MinePage(
                tasks: page.rows, nextURL: req.nextPageURL(page.next),
                shift: req.domain.shiftText(roster, on: req.today), week: week))
    }

    @Sendable func myCSV(req: Request) async throws -> Response {
        let tasks = try await req.taskPage(
            TaskFilter(agentID: try req.auth.require(User.self).id, callListOrder: true, limit: 5000)
        ).rows
        return try await csv(req, tasks, name: "call-list", includeAgent: false)
    }

    /// Every task the board's filter finds (all pages), with who has each and why; audited with the filter.
    @Sendable func exportCSV(req: Request) async throws -> Response {
        var filter = try await req.taskFilter()
        filter.limit = 100_000
        let tasks = try await req.domain.taskQueries.page(filter, viewer: try req.auth.require(User.self)).rows
        return try await csv(req, tasks, name: "tasks", includeAgent: true)
    }

    private func csv(_ req: Request, _ tasks: [TaskView], name: String, includeAgent: Bool) async throws -> Response {
        try await req.domain.audit("task.export", subjectType: "task", detail: req.exportDetail(count: tasks.count))
        let language = req.language
        let document = try await offTheEventLoop {
            TaskQueries.csv(tasks, language: language, includeAgent: includeAgent)
        }
        return csvResponse(document, name: "\(name)-\(req.today.iso).csv")
    }
}
