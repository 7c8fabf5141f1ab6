import Fluent
import Foundation
import HuifangCore
import Vapor

extension Request {
    /// Who a ticket can be given to: the signed-in user first, then the department's handlers, the other handlers,
    /// then supervisors and agents; each named with their role. `selected` is a username.
    func ticketAssignees(department: UUID?, selected: String?) async throws -> [SelectOption] {
        let me = try auth.require(User.self)
        let users = try await User.query(on: db).filter(\.$isActive == true).filter(
            \.$role ~~ [.handler, .supervisor, .agent]
        ).sort(\.$displayName).all()
        func rank(_ user: User) -> Int {
            if user.id == me.id { return 0 }
            if department != nil, user.$department.id == department, user.role == .handler { return 1 }
            return user.role == .handler ? 2 : 3
        }
        return users.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map {
            let user = $0.element
            let label =
                user.id == me.id
                ? t("tickets.me", user.displayName) : "\(user.displayName)（\(t(user.role.catalogueKey))）"
            return SelectOption(value: user.username, label: label, selected: user.username == selected)
        }
    }

    /// A refused change as one sentence for the next page, or nil when it is not the user's to fix.
    func userMessage(for error: any Error) -> String? {
        switch error {
        case let error as AppError where error.status != .internalServerError:
            return error.message(in: language)
        case let error as NamedFieldError:
            return Catalogue.text(error.key, language, error.arguments)
        case let error as NamedFieldErrors:
            return error.errors.map { "\($0.field): " + Catalogue.text($0.key, language, $0.arguments) }.joined(
                separator: "；")
        default:
            return nil
        }
    }

    /// Runs a page's change; a refusal comes back as the flash message on `back`, anything else is an error.
    func change(back: String, savedKey: String = "common.saved", _ body: () async throws -> Void) async throws
        -> Response
    {
        do {
            try await body()
            flash(savedKey)
        } catch {
            guard let message = userMessage(for: error) else { throw error }
            session.data["flash"] = message
        }
        return redirect(to: back)
    }
}

/// The handler's queue, the supervisors' overview, the ticket page with its timeline and actions,
/// and the ticket settings.
struct TicketPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tickets = routes.grouped("tickets").guarded(.tickets, .page)
        tickets.get("queue", use: queue)
        tickets.get("new", use: newTicket)
        tickets.post("new", use: openTicket)
        tickets.get(":id", use: show)
        tickets.post(":id", "act", use: act)
        tickets.post(":id", "resolve", use: resolve)
        tickets.post(":id", "pause", use: pause)
        tickets.post(":id", "resume", use: resume)
        tickets.post(":id", "extend", use: extend)
        tickets.post(":id", "plan", use: plan)
        tickets.post(":id", "verification", use: verification)
        let oversight = routes.grouped("tickets").guarded(.ticketOversight, .page)
        oversight.get(use: overview)
        oversight.get("export.csv", use: export)
        oversight.post("bulk-assign", use: bulkAssign)
        oversight.get("settings", use: settings)
        oversight.post("settings", use: saveSettings)
        oversight.post("escalate", use: escalate)
    }

    struct ListPage: Encodable {
        let isQueue: Bool
        let rows: [TicketRow]
        let statuses: [SelectOption]
        let kinds: [SelectOption]
        let departments: [SelectOption]
        let overdue: Bool
        let nextURL: String?
        /// "共 12 条" or "超过 1000 条": the list never stops silently.
        var total = ""
        var handlers: [SelectOption] = []
        var assignees: [SelectOption] = []
        var sorts: [SelectOption] = []
        var number = ""
        var from = ""
        var to = ""
        /// The export of exactly this filter.
        var exportURL = ""
        /// This page, to come back to after a bulk action.
        var back = "/tickets"
    }

    @Sendable func queue(req: Request) async throws -> Response {
        let filter = try req.paged(try req.queueFilter(), limit: 100)
        let page = try await req.domain.ticketPage(filter)
        var list = ListPage(
            isQueue: true, rows: page.rows, statuses: [], kinds: [], departments: [], overdue: false,
            nextURL: req.nextPageURL(page.next))
        list.total = req.listTotal(try await req.domain.ticketQueries.count(filter))
        return try await req.renderPage("tickets/list", titleKey: "tickets.queue", list)
    }

    @Sendable func overview(req: Request) async throws -> Response {
        let filter = try req.paged(try await req.ticketFilter(), limit: 100)
        let page = try await req.domain.ticketPage(filter)
        var list = ListPage(
            isQueue: false, rows: page.rows, statuses: Self.statuses(req), kinds: Self.kinds(filter, req),
            departments: try await Self.departments(filter, req), overdue: filter.overdueOnly,
            nextURL: req.nextPageURL(page.next))
        list.total = req.listTotal(try await req.domain.ticketQueries.count(filter))
        let handler = req.query[String.self, at: "handler"] ?? ""
        list.assignees = try await req.ticketAssignees(department: nil, selected: nil)
        list.handlers =
            [SelectOption(value: "", label: req.t("tickets.anyHandler"), selected: handler.isEmpty)]
            + list.assignees.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == handler) }
        list.sorts = [("", "tickets.sortTimeLeft"), ("newest", "tickets.sortNewest")].map {
            SelectOption(value: $0.0, label: req.t($0.1), selected: $0.0 == (filter.newestFirst ? "newest" : ""))
        }
        list.number = filter.number.map(String.init) ?? ""
        list.from = req.query[String.self, at: "from"] ?? ""
        list.to = req.query[String.self, at: "to"] ?? ""
        list.exportURL = "/tickets/export.csv?" + (req.url.query ?? "")
        list.back = req.url.string
        return try await req.renderPage("tickets/list", titleKey: "tickets.overview", list)
    }

    private static func statuses(_ req: Request) -> [SelectOption] {
        let status = req.query[String.self, at: "status"] ?? ""
        return [
            SelectOption(value: "", label: req.t("tickets.openOnes"), selected: status.isEmpty),
            SelectOption(value: "all", label: req.t("tickets.allOnes"), selected: status == "all"),
        ]
            + TicketStatus.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("ticket.status.\($0.rawValue)"), selected: status == $0.rawValue)
            }
    }

    private static func kinds(_ filter: TicketFilter, _ req: Request) -> [SelectOption] {
        [SelectOption(value: "", label: req.t("tickets.anyKind"), selected: filter.kind == nil)]
            + TicketKind.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("ticket.kind.\($0.rawValue)"), selected: filter.kind == $0)
            }
    }

    private static func departments(_ filter: TicketFilter, _ req: Request) async throws -> [SelectOption] {
        [SelectOption(value: "", label: req.t("tickets.anyDepartment"), selected: filter.departmentID == nil)]
            + (try await Department.query(on: req.db).sort(\.$name).all()).map {
                SelectOption(value: $0.id!.uuidString, label: $0.name, selected: $0.id == filter.departmentID)
            }
    }

    /// Every ticket the overview's filter finds, as CSV (all of them, page by page, audited).
    @Sendable func export(req: Request) async throws -> Response {
        var filter = try await req.ticketFilter()
        filter.after = nil
        filter.limit = 1000
        var rows: [TicketRow] = []
        while true {
            let page = try await req.domain.ticketQueries.page(filter)
            rows += page.rows
            guard let next = page.next else { break }
            filter.after = next
        }
        try await req.domain.audit("ticket.export", subjectType: "ticket", detail: req.exportDetail(count: rows.count))
        let t = { (key: String) in req.t(key) }
        let categories = Dictionary(
            try await TicketSettingsRecord.load(on: req.db).settings.categories.map { ($0.code, $0.name) },
            uniquingKeysWith: { a, _ in a })
        let document = CSVWriter.document(
            text: [
                [
                    "#", t("tickets.customer"), t("tickets.kind"), t("tickets.category"), t("tickets.status"),
                    t("tickets.department"), t("tickets.handler"), t("tickets.deadline"), t("tickets.timeLeft"),
                    t("tickets.level"), t("tickets.description"),
                ]
            ]
                + rows.map {
                    [
                        "\($0.id)", $0.customerName, $0.kindName, categories[$0.category] ?? $0.category, $0.statusName,
                        $0.department,
                        $0.handler, "\($0.deadline) \($0.due)", $0.timeLeft, "\($0.escalationLevel)", $0.description,
                    ]
                })
        return csvResponse(document, name: "tickets-\(req.today.iso).csv")
    }

    /// Assigns every ticket ticked to one handler; each refusal is reported with its ticket, the others apply.
    @Sendable func bulkAssign(req: Request) async throws -> Response {
        struct Form: Decodable {
            let handler: String?
            let ids: [Int]?
            let back: String?
        }
        let form = try req.content.decode(Form.self)
        let back = RedirectTarget.local(form.back ?? "/tickets")
        guard let handler = form.handler, !handler.isEmpty, let ids = form.ids, !ids.isEmpty else {
            req.session.data["flash"] = req.t("tickets.bulkNothing")
            return req.redirect(to: back)
        }
        var assigned = 0
        var refused: [String] = []
        for id in ids.prefix(500) {
            do {
                guard let ticket = try await Ticket.find(id, on: req.db) else { throw AppError.notFound }
                _ = try await req.domain.tickets.act(ticket, .assign, handler: handler)
                assigned += 1
            } catch {
                refused.append("#\(id) " + (req.userMessage(for: error) ?? req.t("tickets.bulkFailed")))
            }
        }
        req.session.data["flash"] = ([req.t("tickets.bulkAssigned", "\(assigned)")] + refused).joined(separator: "；")
        return req.redirect(to: back)
    }

    struct ShowPage: Encodable {
        let ticket: TicketView
        let row: TicketRow
        let customerName: String?
        let kindName: String
        let categoryName: String
        let severityName: String
        let statusName: String
        let sourceName: String
        /// The one-click acts the state allows (take, start, inform, close, re-open, adopt, decline); the
        /// selected one is the usual next step.
        let quick: [SelectOption]
        let noteHint: String
        let canResolve: Bool
        let resolveOpen: Bool
        let canAssign: Bool
        /// "Me" first, then the department's handlers, then everyone else who may handle tickets.
        let handlers: [SelectOption]
        let deadlines: [SelectOption]
        let canPause: Bool
        let canVerify: Bool
        /// How the verification contact was made.
        let channels: [SelectOption]
        let isFinished: Bool
    }

    @Sendable func show(req: Request) async throws -> Response {
        let ticket = try await req.findTicket()
        try await req.domain.audit("ticket.view", subjectType: "ticket", subjectID: String(ticket.id!))
        let view = try await TicketView.make(ticket, on: req)
        let row = try await req.domain.ticketQueries.rows(for: [ticket])[0]
        let settings = try await TicketSettingsRecord.load(on: req.db).settings
        var customerName: String?
        if let id = ticket.$customer.id, let customer = try await Customer.find(id, on: req.db) {
            customerName = customer.erasedAt == nil ? customer.name : req.t("customers.erasedName")
        }
        var verificationAgent: UUID?
        if let id = ticket.verificationTaskID {
            verificationAgent = try await FollowUpTask.find(id, on: req.db)?.$assignedAgent.id
        }
        let mayVerify = ObjectScope.mayVerify(
            verificationAgentID: verificationAgent, handlerID: ticket.$handler.id, try req.viewer)
        let user = try req.auth.require(User.self)
        let allowed = TicketAction.allCases.filter { ticket.lifecycle.offers($0, kind: ticket.kind) }
        let quick = QuickTicketActions.offered(
            allowed: allowed, status: ticket.status, isMine: ticket.$handler.id == user.id)
        let handlers = try await req.ticketAssignees(
            department: ticket.$department.id, selected: try await ticket.$handler.get(on: req.db)?.username)
        let deadlines = TicketDeadline.allCases.map {
            SelectOption(
                value: $0.rawValue, label: req.t("ticket.deadline.\($0.rawValue)"),
                selected: ticket.clock.running?.deadline == $0)
        }
        let page = ShowPage(
            ticket: view, row: row, customerName: customerName, kindName: req.t("ticket.kind.\(ticket.kind.rawValue)"),
            categoryName: settings.categories.first { $0.code == ticket.category }?.name ?? ticket.category,
            severityName: req.t("ticket.severity.\(ticket.severity.rawValue)"),
            statusName: req.t("ticket.status.\(ticket.status.rawValue)"),
            sourceName: req.t("ticket.source.\(ticket.source)"),
            quick: quick.map {
                SelectOption(value: $0.value, label: req.t($0.labelKey), selected: $0.isNext)
            },
            noteHint: req.t("tickets.noteHint"), canResolve: allowed.contains(.resolve),
            resolveOpen: ticket.status == .inProgress, canAssign: allowed.contains(.assign), handlers: handlers,
            deadlines: deadlines,
            canPause: settings.policy(named: ticket.policy).pausesWhileWaiting
                && [.new, .assigned, .inProgress].contains(ticket.status),
            canVerify: mayVerify && [.resolved, .informed].contains(ticket.status) && ticket.kind != .suggestion,
            channels: ContactChannel.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("channel." + $0.rawValue),
                    selected: $0 == .phone)
            },
            isFinished: ticket.status.isFinished)
        return try await req.renderPage(
            "tickets/show", titleKey: "tickets.ticket", titleArguments: ["\(ticket.id!)"], page)
    }

    private func back(_ req: Request) -> String { "/tickets/\(req.parameters.get("id") ?? "")" }

    @Sendable func act(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let ticket = try await req.findTicket()
        return try await req.change(back: back(req)) {
            var handler = form["handler"]
            var name = form["action"] ?? ""
            if name == QuickTicketActions.take {
                (name, handler) = (TicketAction.assign.rawValue, try req.auth.require(User.self).username)
            }
            guard let action = TicketAction(rawValue: name) else {
                throw NamedFieldError(field: "action", key: "ticket.problem.action")
            }
            _ = try await req.domain.tickets.act(ticket, action, note: form["note"] ?? "", handler: handler)
        }
    }

    /// The resolve step: the plan and compensation as written, then the ticket resolved — nothing saved when
    /// the ticket's state refuses resolving.
    @Sendable func resolve(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let ticket = try await req.findTicket()
        return try await req.change(back: back(req)) {
            _ = try TicketService.ruled { try ticket.lifecycle.allows(.resolve, kind: ticket.kind) }
            let planned = try await req.domain.tickets.plan(
                ticket,
                PlanInput(
                    measures: form["measures"], owner: form["owner"], due: form["due"],
                    compensation: form["compensation"]))
            _ = try await req.domain.tickets.act(planned, .resolve, note: form["note"] ?? "")
        }
    }

    @Sendable func pause(req: Request) async throws -> Response {
        let note = (try? req.content.get(String.self, at: "note")) ?? ""
        let ticket = try await req.findTicket()
        return try await req.change(back: back(req)) { _ = try await req.domain.tickets.pause(ticket, note: note) }
    }

    @Sendable func resume(req: Request) async throws -> Response {
        let note = (try? req.content.get(String.self, at: "note")) ?? ""
        let ticket = try await req.findTicket()
        return try await req.change(back: back(req)) { _ = try await req.domain.tickets.resume(ticket, note: note) }
    }

    @Sendable func extend(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let ticket = try await req.findTicket()
        return try await req.change(back: back(req)) {
            let until = [form["untilDate"], form["untilTime"]].compactMap { $0 }.joined(separator: " ")
            _ = try await req.domain.tickets.extend(
                ticket,
                ExtensionInput(
                    deadline: form["deadline"], until: until, reason: form["reason"] ?? "",
                    customerTold: form["customerTold"] != nil))
        }
    }

    @Sendable func plan(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let ticket = try await req.findTicket()
        return try await req.change(back: back(req)) {
            _ = try await req.domain.tickets.plan(
                ticket,
                PlanInput(
                    measures: form["measures"], owner: form["owner"], due: form["due"],
                    compensation: form["compensation"]))
        }
    }

    @Sendable func verification(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let ticket = try await req.findTicket()
        return try await req.change(back: back(req)) {
            _ = try await req.domain.tickets.verify(
                ticket, satisfied: form["satisfied"] == "yes", words: form["words"] ?? "",
                channel: form["channel"].flatMap { $0.isEmpty ? nil : $0 }, by: try req.viewer)
        }
    }

    @Sendable func settings(req: Request) async throws -> Response {
        let settings = try await TicketSettingsRecord.load(on: req.db).settings
        return try await req.renderPage(
            "tickets/settings", titleKey: "tickets.settings", TicketSettingsPage(settings, errors: [:], req: req))
    }

    /// Saves the settings form; every problem comes back beside its field, with what was written kept.
    @Sendable func saveSettings(req: Request) async throws -> Response {
        let (settings, unread) = TicketSettingsForm.parse(try req.content.decode([String: String].self))
        let problems = unread + settings.problems().filter { problem in !unread.contains { $0.field == problem.field } }
        do {
            guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
            try await req.domain.saveTicketSettings(settings)
        } catch let refused as NamedFieldErrors {
            let errors = Dictionary(
                refused.errors.map { ($0.field, Catalogue.text($0.key, req.language, $0.arguments)) },
                uniquingKeysWith: { first, _ in first })
            req.session.data["flash"] = req.t("common.fixErrors")
            let response = try await req.renderPage(
                "tickets/settings", titleKey: "tickets.settings", TicketSettingsPage(settings, errors: errors, req: req)
            )
            response.status = .unprocessableEntity
            return response
        }
        req.flash("common.saved")
        return req.redirect(to: "/tickets/settings")
    }

    @Sendable func escalate(req: Request) async throws -> Response {
        let config = req.application.huifang
        do {
            let summary = try await req.domain.escalation.runLeased(
                terms: config.jobLease, now: req.now)
            try await req.domain.audit(
                "escalation.run", subjectType: "ticket", detail: "escalations=\(summary.escalations)")
            req.flash("escalation.ran", "\(summary.escalations)", "\(summary.notifications)")
        } catch let conflict as JobConflict {
            req.session.data["flash"] = req.message(for: conflict)
        }
        return req.redirect(to: "/tickets")
    }
}
