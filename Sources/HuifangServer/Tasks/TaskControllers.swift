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
            WHERE status = 'open' AND due_on <= \(bind: day.iso) AND assigned_agent_id IS NOT NULL GROUP BY assigned_agent_id
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
        try await audit("task.list", subjectType: "task", detail: "count=\(page.rows.count)")
        return page
    }

    /// The active agent with this username or id.
    func agent(named key: String) async throws -> User {
        let agent: User?
        if let id = UUID(uuidString: key) {
            agent = try await User.find(id, on: db)
        } else {
            agent = try await User.query(on: db).filter(\.$username == key.lowercased()).first()
        }
        guard let agent, agent.role == .agent, agent.isActive else {
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

    /// `limit` and `after` of a task list.
    func pagedTasks(_ filter: TaskFilter, limit: Int = 50) throws -> TaskFilter {
        var filter = filter
        filter.limit = try pageLimit(default: limit)
        let callList = filter.callListOrder
        filter.after = try pageCursor { TaskQueries.cursor($0, callList: callList) }
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
        var filter = TaskFilter()
        if let agent = req.query[String.self, at: "agent"] {
            filter.agentID = try await req.domain.agent(named: agent).id
        }
        if let status = req.query[String.self, at: "status"] {
            guard let parsed = FollowUpTask.Status(rawValue: status) else {
                throw NamedFieldError(field: "status", key: "error.badRequest")
            }
            filter.status = parsed
        }
        if let due = req.query[String.self, at: "dueBy"] {
            guard let day = LocalDate(parsing: due) else {
                throw NamedFieldError(field: "dueBy", key: "problem.invalidDate")
            }
            filter.dueBy = day
        }
        let page = try await req.taskPage(try req.pagedTasks(filter))
        return TaskPageDTO(items: page.rows, nextCursor: page.next?.token)
    }

    @Sendable func mine(req: Request) async throws -> TaskPageDTO {
        let filter = TaskFilter(agentID: try req.auth.require(User.self).id, callListOrder: true)
        let page = try await req.taskPage(try req.pagedTasks(filter))
        return TaskPageDTO(items: page.rows, nextCursor: page.next?.token)
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

    struct Board: Encodable {
        let exportPath: String
        let loads: [AgentLoad]
        let agents: [SelectOption]
        let tasks: [TaskView]
        let unassigned: Int
        let today: String
        let runs: [PlanSummary]
        let message: String?
        let nextURL: String?
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
        let today = req.today
        let agentFilter = req.query[String.self, at: "agent"].flatMap(UUID.init(uuidString:))
        let loads = try await req.domain.agentLoads(on: today)
        let unassigned = try await FollowUpTask.query(on: req.db).filter(\.$status == .open).filter(
            \.$assignedAgent.$id == nil
        ).count()
        let page = try await req.taskPage(try req.pagedTasks(TaskFilter(agentID: agentFilter), limit: 200))
        let runs = try await PlannerRun.query(on: req.db).filter(\.$finishedAt != nil).sort(\.$id, .descending).limit(5)
            .all().compactMap { run in
                run.summary.flatMap { try? JSONDecoder().decode(PlanSummary.self, from: Data($0.utf8)) }
            }
        let context = Board(
            exportPath: "/tasks/export.csv" + (agentFilter.map { "?agent=\($0.uuidString)" } ?? ""), loads: loads,
            agents: loads.map { SelectOption(value: $0.id.uuidString, label: $0.name, selected: $0.id == agentFilter) },
            tasks: page.rows, unassigned: unassigned, today: today.iso, runs: runs, message: message,
            nextURL: req.nextPageURL(page.next))
        return try await req.renderPage("tasks/board", titleKey: "tasks.title", context)
    }

    @Sendable func reassign(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let ids = form.keys.filter { $0.hasPrefix("task-") }.compactMap { Int($0.dropFirst(5)) }
        guard !ids.isEmpty else { return try await boardPage(req, message: req.t("tasks.noneSelected")) }
        let agent = try await req.domain.agent(named: form["agent"] ?? "")
        let moved = try await req.domain.distribution.reassign(ids, to: agent, at: req.now)
        try await req.domain.audit("task.reassign", subjectType: "task", detail: "\(moved) to \(agent.username)")
        req.flash("tasks.reassigned", String(moved))
        return req.redirect(to: "/tasks")
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

    /// The open tasks (of one agent with `?agent=`), with who has each and why.
    @Sendable func exportCSV(req: Request) async throws -> Response {
        let agent = req.query[String.self, at: "agent"].flatMap(UUID.init(uuidString:))
        let tasks = try await req.taskPage(TaskFilter(agentID: agent, limit: 100_000)).rows
        return try await csv(req, tasks, name: "tasks", includeAgent: true)
    }

    private func csv(_ req: Request, _ tasks: [TaskView], name: String, includeAgent: Bool) async throws -> Response {
        try await req.domain.audit("task.export", subjectType: "task", detail: "count=\(tasks.count)")
        let language = req.language
        let document = try await offTheEventLoop {
            TaskQueries.csv(tasks, language: language, includeAgent: includeAgent)
        }
        return csvResponse(document, name: "\(name)-\(req.today.iso).csv")
    }
}
