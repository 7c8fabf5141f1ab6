import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A ticket with its deadlines (local time), plan and timeline, as the API returns it.
struct TicketView: Content {
    struct Entry: Content {
        let at: String
        /// Who: the user's username (or the system's name for jobs and the command line).
        let actor: String
        /// Who, as people know them: the user's display name when the entry has a user.
        let actorName: String
        let action: String
        let actionName: String
        let oldStatus: String?
        let newStatus: String?
        let note: String
    }
    let id: Int
    let kind: String
    let category: String
    let severity: String
    let urgent: Bool
    let source: String
    let customerID: Int?
    let description: String
    let status: String
    let reopenCount: Int
    let policy: String
    let department: String?
    let handler: String?
    let firstResponseDue: String
    let resolutionDue: String
    let informDue: String?
    let verificationDue: String?
    let firstResponseAt: String?
    let resolvedAt: String?
    let informedAt: String?
    let closedAt: String?
    let paused: Bool
    let extensions: Int
    let escalationLevel: Int
    let measures: String
    let planOwner: String
    let planDue: String?
    let compensation: String
    let verificationTaskID: Int?
    let callID: Int?
    let timeline: [Entry]

    static func make(_ ticket: Ticket, on req: Request) async throws -> TicketView {
        let config = req.application.huifang
        if !ticket.clockLoaded { try await TicketClocks.load(into: [ticket], on: req.db) }
        var handler: User?
        if let id = ticket.$handler.id { handler = try await User.find(id, on: req.db) }
        var department: Department?
        if let id = ticket.$department.id { department = try await Department.find(id, on: req.db) }
        let entries =
            ticket.openedHere
            ? ticket.linesWritten
            : try await TicketEntry.query(on: req.db).filter(\.$ticket.$id == ticket.id!).sort(\.$id).all()
        let names = try await actorNames(of: entries, on: req)
        let format = { (date: Date?) in date.map { config.formatDateTime($0) } }
        return TicketView(
            id: ticket.id!, kind: ticket.kind.rawValue, category: ticket.category, severity: ticket.severity.rawValue,
            urgent: ticket.urgent,
            source: ticket.source, customerID: ticket.$customer.id, description: ticket.description,
            status: ticket.status.rawValue,
            reopenCount: ticket.reopenCount, policy: ticket.policy, department: department?.name,
            handler: handler?.username,
            firstResponseDue: config.formatDateTime(ticket.firstResponseDue),
            resolutionDue: config.formatDateTime(ticket.resolutionDue),
            informDue: format(ticket.informDue), verificationDue: format(ticket.verificationDue),
            firstResponseAt: format(ticket.firstResponseAt), resolvedAt: format(ticket.resolvedAt),
            informedAt: format(ticket.informedAt),
            closedAt: format(ticket.closedAt), paused: ticket.pausedAt != nil, extensions: ticket.extensions,
            escalationLevel: ticket.reachedLevel,
            measures: ticket.measures, planOwner: ticket.planOwner, planDue: ticket.planDue,
            compensation: ticket.compensation,
            verificationTaskID: ticket.verificationTaskID, callID: ticket.callID,
            timeline: entries.map {
                Entry(
                    at: config.formatDateTime($0.at), actor: $0.actorName,
                    actorName: $0.actorID.flatMap { names[$0] } ?? $0.actorName, action: $0.action,
                    actionName: req.t("ticket.action.\($0.action)"),
                    oldStatus: $0.oldStatus.map { req.t("ticket.status.\($0)") },
                    newStatus: $0.newStatus.map { req.t("ticket.status.\($0)") }, note: $0.note)
            })
    }
}

extension TicketView {
    /// The current names of the timeline's actors; the viewer's own is known without reading it.
    fileprivate static func actorNames(of entries: [TicketEntry], on req: Request) async throws -> [UUID: String] {
        let viewer = req.auth.get(User.self)
        let others = Set(entries.compactMap(\.actorID)).subtracting([viewer?.id].compactMap { $0 })
        var names = try await agentNames(Array(others), on: req.db)
        if let viewer, let id = viewer.id, entries.contains(where: { $0.actorID == id }) {
            names[id] = viewer.displayName
        }
        return names
    }
}

extension Request {

    /// The ticket the route's `:id` names, if the viewer may see it; otherwise 404, as if it did not exist.
    func findTicket() async throws -> Ticket {
        guard let id = parameters.get("id", as: Int.self), let ticket = try await Ticket.find(id, on: db),
            try await TicketAccess.maySee(ticket, try viewer, on: db)
        else { throw AppError.notFound }
        return ticket
    }

    func ticketFilter() async throws -> TicketFilter {
        var filter = try await narrowedTicketFilter()
        if let status = query[String.self, at: "status"], !status.isEmpty {
            if status == "all" {
                filter.includeFinished = true
            } else {
                guard let parsed = TicketStatus(rawValue: status) else {
                    throw NamedFieldError(field: "status", key: "ticket.problem.status")
                }
                filter.status = parsed
            }
        }
        if let kind = query[String.self, at: "kind"], !kind.isEmpty {
            guard let parsed = TicketKind(rawValue: kind) else {
                throw NamedFieldError(field: "kind", key: "ticket.problem.kind")
            }
            filter.kind = parsed
        }
        if let department = query[String.self, at: "department"], !department.isEmpty {
            guard let id = UUID(uuidString: department) else {
                throw NamedFieldError(field: "department", key: "problem.unknownDepartment")
            }
            filter.departmentID = id
        }
        filter.overdueOnly = query[String.self, at: "overdue"].map { ["1", "true", "on"].contains($0) } ?? false
        if let customer = try integerQuery("customer") { filter.customerID = customer }
        return try paged(filter)
    }

    /// The overview's further filters: handler (username), number, opening dates, and the order.
    private func narrowedTicketFilter() async throws -> TicketFilter {
        var filter = TicketFilter()
        let text = queryText
        if let handler = text("handler") {
            guard let user = try await User.query(on: db).filter(\.$username == handler.lowercased()).first() else {
                throw NamedFieldError(field: "handler", key: "problem.unknownAgent")
            }
            filter.handlerID = user.id
        }
        if let number = text("number") {
            guard let id = Int(number.hasPrefix("#") ? String(number.dropFirst()) : number) else {
                throw NamedFieldError(field: "number", key: "problem.notANumber")
            }
            filter.number = id
        }
        let zone = application.huifang.timeZone
        for (field, isEnd) in [("from", false), ("to", true)] {
            guard let raw = text(field) else { continue }
            guard let day = LocalDate(parsing: raw).map({ isEnd ? $0.adding(days: 1) : $0 }),
                let start = LocalTime.parse(day.iso, in: zone)?.instant
            else { throw NamedFieldError(field: field, key: "problem.invalidDate") }
            if isEnd { filter.openedBefore = start } else { filter.openedFrom = start }
        }
        filter.newestFirst = text("sort") == "newest"
        return filter
    }

    /// `limit` and `after` of a ticket list.
    func paged(_ filter: TicketFilter, limit: Int = 50) throws -> TicketFilter {
        var filter = filter
        filter.limit = try pageLimit(default: limit)
        filter.after = try pageCursor(TicketQueries.cursor)
        return filter
    }

    /// The queue of the signed-in user: their department's open tickets and those assigned to them; for an
    /// agent, the tickets in their scope (opened by them, on their tasks or customers, assigned to them).
    func queueFilter() throws -> TicketFilter {
        let user = try auth.require(User.self)
        var filter = TicketFilter()
        if user.viewer.seesEverything {
            filter.queueOf = (user.$department.id, user.id!)
        } else {
            filter.scope = user.viewer
        }
        return try paged(filter)
    }
}

/// `/api/v1/tickets`: open, list, read and act on tickets; the settings; the escalation sweep on demand.
struct TicketAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tickets = routes.grouped("tickets").guarded(.tickets, .api)
        tickets.post(use: open)
        tickets.get("queue", use: queue)
        tickets.get(":id", use: show)
        tickets.post(":id", "actions", use: act)
        tickets.post(":id", "pause", use: pause)
        tickets.post(":id", "resume", use: resume)
        tickets.post(":id", "extend", use: extend)
        tickets.post(":id", "plan", use: plan)
        tickets.post(":id", "verification", use: verification)
        let oversight = routes.grouped("tickets").guarded(.ticketOversight, .api)
        oversight.get(use: list)
        oversight.get("settings", use: settings)
        oversight.put("settings", use: saveSettings)
        routes.grouped("escalation").guarded(.ticketOversight, .api).post("run", use: escalate)
    }

    struct ActionInput: Content {
        let action: String
        let note: String?
        let handler: String?
    }
    struct NoteInput: Content { let note: String? }
    struct VerificationInput: Content {
        let satisfied: Bool
        /// The customer's words (required when not satisfied).
        let words: String?
        /// How the customer was asked (default: the verification task's channel).
        let channel: String?
    }
    struct SettingsOutput: Content {
        let settings: TicketSettings
        let verificationRuleID: Int?
        let callbackRuleID: Int?
    }

    @Sendable func open(req: Request) async throws -> Response {
        let ticket = try await req.domain.tickets.open(try req.content.decode(TicketInput.self))
        let response = Response(status: .created)
        try response.content.encode(try await TicketView.make(ticket, on: req))
        return response
    }

    @Sendable func list(req: Request) async throws -> TicketPageDTO {
        let page = try await req.domain.ticketPage(try await req.ticketFilter())
        return TicketPageDTO(items: page.rows, nextCursor: page.next?.token)
    }

    @Sendable func queue(req: Request) async throws -> TicketPageDTO {
        let page = try await req.domain.ticketPage(try req.queueFilter())
        return TicketPageDTO(items: page.rows, nextCursor: page.next?.token)
    }

    @Sendable func show(req: Request) async throws -> TicketView {
        let ticket = try await req.findTicket()
        try await req.domain.audit("ticket.view", subjectType: "ticket", subjectID: String(ticket.id!))
        return try await TicketView.make(ticket, on: req)
    }

    @Sendable func act(req: Request) async throws -> TicketView {
        let found = try await req.findTicket()  // first: a ticket outside the caller's scope is 404 whatever the body
        let input = try req.content.decode(ActionInput.self)
        guard let action = TicketAction(rawValue: input.action) else {
            throw NamedFieldError(field: "action", key: "ticket.problem.action")
        }
        let ticket = try await req.domain.tickets.act(found, action, note: input.note ?? "", handler: input.handler)
        return try await TicketView.make(ticket, on: req)
    }

    @Sendable func pause(req: Request) async throws -> TicketView {
        let note = try req.optionalBody(NoteInput.self)?.note ?? ""
        return try await TicketView.make(
            try await req.domain.tickets.pause(try await req.findTicket(), note: note), on: req)
    }

    @Sendable func resume(req: Request) async throws -> TicketView {
        let note = try req.optionalBody(NoteInput.self)?.note ?? ""
        return try await TicketView.make(
            try await req.domain.tickets.resume(try await req.findTicket(), note: note), on: req)
    }

    @Sendable func extend(req: Request) async throws -> TicketView {
        let ticket = try await req.findTicket()
        let input = try req.content.decode(ExtensionInput.self)
        return try await TicketView.make(try await req.domain.tickets.extend(ticket, input), on: req)
    }

    @Sendable func plan(req: Request) async throws -> TicketView {
        let ticket = try await req.findTicket()
        let input = try req.content.decode(PlanInput.self)
        return try await TicketView.make(try await req.domain.tickets.plan(ticket, input), on: req)
    }

    @Sendable func verification(req: Request) async throws -> TicketView {
        let found = try await req.findTicket()
        let input = try req.content.decode(VerificationInput.self)
        let ticket = try await req.domain.tickets.verify(
            found, satisfied: input.satisfied,
            words: input.words ?? "", channel: input.channel, by: try req.viewer)
        return try await TicketView.make(ticket, on: req)
    }

    @Sendable func settings(req: Request) async throws -> SettingsOutput {
        let record = try await TicketSettingsRecord.load(on: req.db)
        return SettingsOutput(
            settings: record.settings, verificationRuleID: record.verificationRuleID,
            callbackRuleID: record.callbackRuleID)
    }

    @Sendable func saveSettings(req: Request) async throws -> SettingsOutput {
        let settings: TicketSettings
        do {
            settings = try req.content.decode(TicketSettings.self)
        } catch let error as DecodingError {
            throw NamedFieldError(field: error.fieldPath, key: "ticket.problem.settingsShape")
        }
        try await req.domain.saveTicketSettings(settings)
        return try await self.settings(req: req)
    }

    @Sendable func escalate(req: Request) async throws -> EscalationSweep.Summary {
        let config = req.application.huifang
        let summary = try await req.domain.escalation.runLeased(
            terms: config.jobLease, now: req.now)
        try await req.domain.audit(
            "escalation.run", subjectType: "ticket", detail: "escalations=\(summary.escalations)")
        return summary
    }
}

extension DecodingError {
    /// The path of the field a JSON body got wrong, e.g. `policies[0].resolution.unit`.
    var fieldPath: String {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: path = []
        }
        let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "body" : text)
    }
}

extension DomainServices {
    /// A page of tickets; the view is audited.
    func ticketPage(_ filter: TicketFilter) async throws -> KeysetPage<TicketRow> {
        let page = try await ticketQueries.page(
            filter)
        try await audit("ticket.list", subjectType: "ticket", detail: "count=\(page.rows.count)")
        return page
    }

    /// Validates and stores the ticket settings; every problem is named with its field.
    func saveTicketSettings(_ settings: TicketSettings) async throws {
        let problems = settings.problems()
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        let record = try await TicketSettingsRecord.load(on: db)
        let ladderChanged = record.settings.ladder != settings.ladder
        try record.apply(settings)
        let (now, actor) = (self.now, self.actor)
        try await db.transaction { db in
            try await record.save(on: db)
            if ladderChanged {
                // Every open ticket whose clock runs is looked at again by the next sweep, which places it on
                // the new ladder — those past the top of the old one too, when the new one is longer.
                try await db.sql.raw(
                    """
                    UPDATE ticket_clocks SET next_escalation_at = \(bind: now.timeIntervalSince1970)
                    WHERE ticket_id IN (SELECT id FROM tickets
                      WHERE status NOT IN (\(binds: TicketStatus.allCases.filter(\.isFinished).map(\.rawValue)))
                      AND paused_at IS NULL)
                    """
                ).run()
            }
            try await AuditLog.record(
                "ticket.settings", by: actor, subjectType: "ticket_settings", subjectID: "1",
                detail: "policies=\(settings.policies.count) levels=\(settings.ladder.levels.count)", at: now, on: db)
        }
    }
}
