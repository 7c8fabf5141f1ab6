import Fluent
import Foundation
import HuifangCore
import Vapor

/// A ticket as opened through the API (and later the call form).
struct TicketInput: Content {
    var kind: String
    var category: String?
    var severity: String?
    var urgent: Bool?
    /// followUp, call, survey or api (default).
    var source: String?
    var customerID: Int?
    var description: String
    /// The handler's username; the ticket starts assigned when given.
    var handler: String?
}

/// Opens tickets and moves them through the state machine, writing each change to the timeline
/// in the same transaction. Deadlines come from the first matching policy and the business calendar.
struct TicketService {
    let db: any Database
    let config: HuifangConfig
    let actor: Actor
    var policies = DeadlinePolicies.defaults
    var now = Date()

    static let sources = ["followUp", "call", "survey", "api"]
    static let categories = ["attitude", "delay", "damage", "loss", "communication", "price", "other"]

    func open(_ input: TicketInput) async throws -> Ticket {
        var errors: [NamedFieldError] = []
        let kind = TicketKind(rawValue: input.kind)
        if kind == nil { errors.append(.init(field: "kind", key: "ticket.problem.kind")) }
        let severity = Severity(rawValue: input.severity ?? "general")
        if severity == nil { errors.append(.init(field: "severity", key: "ticket.problem.severity")) }
        let category = input.category ?? "other"
        if !Self.categories.contains(category) { errors.append(.init(field: "category", key: "ticket.problem.category")) }
        let source = input.source ?? "api"
        if !Self.sources.contains(source) { errors.append(.init(field: "source", key: "ticket.problem.source")) }
        let description = input.description.trimmingWhitespace()
        if description.isEmpty { errors.append(.init(field: "description", key: "problem.required")) }
        var customer: Customer?
        if let id = input.customerID {
            customer = try await Customer.find(id, on: db)
            if customer == nil { errors.append(.init(field: "customerID", key: "events.problem.unknownCustomer")) }
        }
        var handler: User?
        if let name = input.handler {
            handler = try await User.query(on: db).filter(\.$username == name.lowercased()).filter(\.$isActive == true).first()
            if handler == nil { errors.append(.init(field: "handler", key: "problem.unknownAgent")) }
        }
        guard errors.isEmpty, let kind, let severity else { throw NamedFieldErrors(errors: errors) }

        let calendar = try await CalendarStore(db: db).business(CalendarStore(db: db).defaultCalendar())
        let policy = policies.policy(kind: kind, severity: severity, urgent: input.urgent ?? false, tier: customer?.tier ?? "")
        let ticket = Ticket()
        ticket.kind = kind
        ticket.category = category
        ticket.severity = severity
        ticket.urgent = input.urgent ?? false
        ticket.source = source
        ticket.$customer.id = customer?.id
        ticket.description = description
        ticket.$handler.id = handler?.id
        ticket.$department.id = handler?.$department.id
        ticket.status = handler == nil ? .new : .assigned
        ticket.reopenCount = 0
        ticket.policy = policy.name
        ticket.firstResponseDue = try policy.firstResponse.end(from: now, in: calendar)
        ticket.resolutionDue = try policy.resolution.end(from: now, in: calendar)
        try await db.transaction { db in
            try await ticket.create(on: db)
            try await record(ticket, action: "open", old: nil, note: description, on: db)
        }
        return ticket
    }

    /// Applies an action; refused changes say why. `note` is the explanation (adopt, decline) or the customer's words (reopen).
    func act(_ ticket: Ticket, _ action: TicketAction, note: String = "", handler username: String? = nil) async throws -> Ticket {
        let old = ticket.status
        let next: TicketStatus
        do {
            next = try TicketStateMachine.next(from: old, kind: ticket.kind, action)
        } catch {
            throw AppError(.conflict, error.key)
        }
        let note = note.trimmingWhitespace()
        if [.reopen, .adopt, .decline].contains(action), note.isEmpty { throw NamedFieldError(field: "note", key: "ticket.problem.noteRequired") }
        let calendar = try await CalendarStore(db: db).business(CalendarStore(db: db).defaultCalendar())
        let policy = ([policies.fallback] + policies.policies).first { $0.name == ticket.policy } ?? policies.fallback
        switch action {
        case .assign:
            guard let username, let handler = try await User.query(on: db).filter(\.$username == username.lowercased()).filter(\.$isActive == true).first() else {
                throw NamedFieldError(field: "handler", key: "problem.unknownAgent")
            }
            ticket.$handler.id = handler.id
            ticket.$department.id = handler.$department.id ?? ticket.$department.id
        case .start:
            if ticket.firstResponseAt == nil { ticket.firstResponseAt = now }
        case .resolve, .adopt, .decline:
            if ticket.firstResponseAt == nil { ticket.firstResponseAt = now }
            ticket.resolvedAt = now
            if action == .resolve {
                ticket.informDue = try policy.inform.end(from: now, in: calendar)
                ticket.verificationDue = try policy.verification.end(from: now, in: calendar)
            }
        case .inform:
            break
        case .close:
            ticket.closedAt = now
        case .reopen:
            ticket.reopenCount += 1
            ticket.resolvedAt = nil
            ticket.closedAt = nil
            ticket.resolutionDue = try policy.resolution.end(from: now, in: calendar)
        }
        ticket.status = next
        try await db.transaction { db in
            try await ticket.update(on: db)
            try await record(ticket, action: action.rawValue, old: old, note: note, on: db)
        }
        if action == .resolve { try await createVerification(for: ticket) }
        return ticket
    }

    /// The verification follow-up (处理后回访) through the planner's triggered rule; a customer who does not
    /// consent or asked not to be disturbed gets none, and the timeline says so.
    private func createVerification(for ticket: Ticket) async throws {
        guard let customerID = ticket.$customer.id,
              let rule = try await RuleRecord.query(on: db).filter(\.$kind == RuleKind.triggered.rawValue).filter(\.$isEnabled == true).sort(\.$id).first()
        else { return }
        do {
            let task = try await PlanningService(db: db, contactCapDays: config.contactCapDays)
                .trigger(ruleID: rule.id!, customerID: customerID, key: "T\(ticket.id!)-\(ticket.reopenCount)", asOf: config.today(now: now))
            ticket.verificationTaskID = task
            try await ticket.update(on: db)
            try await record(ticket, action: "verification", old: nil, note: "#\(task)", on: db)
        } catch let error as NamedFieldError {
            try await record(ticket, action: "verification", old: nil, note: Catalogue.text(error.key, config.defaultLanguage), on: db)
        }
    }

    private func record(_ ticket: Ticket, action: String, old: TicketStatus?, note: String, on db: any Database) async throws {
        let entry = TicketEntry()
        entry.$ticket.id = ticket.id!
        entry.at = now
        entry.actorID = actor.id
        entry.actorName = actor.name
        entry.action = action
        entry.oldStatus = old?.rawValue
        entry.newStatus = old == nil && action != "open" ? nil : ticket.status.rawValue
        entry.note = note
        try await entry.create(on: db)
    }
}
