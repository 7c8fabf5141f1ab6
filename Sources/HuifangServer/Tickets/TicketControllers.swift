import Fluent
import Foundation
import HuifangCore
import Vapor

/// A ticket with its deadlines (local time) and timeline, as the API returns it.
struct TicketView: Content {
    struct Entry: Content {
        let at: String
        let actor: String
        let action: String
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
    let handler: String?
    let firstResponseDue: String
    let resolutionDue: String
    let informDue: String?
    let verificationDue: String?
    let verificationTaskID: Int?
    let timeline: [Entry]

    static func make(_ ticket: Ticket, on req: Request) async throws -> TicketView {
        let config = req.application.huifang
        var handler: User?
        if let id = ticket.$handler.id { handler = try await User.find(id, on: req.db) }
        let entries = try await TicketEntry.query(on: req.db).filter(\.$ticket.$id == ticket.id!).sort(\.$id).all()
        return TicketView(
            id: ticket.id!, kind: ticket.kind.rawValue, category: ticket.category, severity: ticket.severity.rawValue, urgent: ticket.urgent,
            source: ticket.source, customerID: ticket.$customer.id, description: ticket.description, status: ticket.status.rawValue,
            reopenCount: ticket.reopenCount, policy: ticket.policy, handler: handler?.username,
            firstResponseDue: config.formatDateTime(ticket.firstResponseDue), resolutionDue: config.formatDateTime(ticket.resolutionDue),
            informDue: ticket.informDue.map { config.formatDateTime($0) }, verificationDue: ticket.verificationDue.map { config.formatDateTime($0) },
            verificationTaskID: ticket.verificationTaskID,
            timeline: entries.map { Entry(at: config.formatDateTime($0.at), actor: $0.actorName, action: $0.action, oldStatus: $0.oldStatus,
                                          newStatus: $0.newStatus, note: $0.note) })
    }
}

/// `/api/v1/tickets`: open, read and act on tickets.
struct TicketAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tickets = routes.grouped("tickets").guarded(.tickets, .api)
        tickets.post(use: open)
        tickets.get(":id", use: show)
        tickets.post(":id", "actions", use: act)
    }

    struct ActionInput: Content {
        let action: String
        let note: String?
        let handler: String?
    }

    private func service(_ req: Request) -> TicketService {
        TicketService(db: req.db, config: req.application.huifang, actor: req.actor)
    }

    private func find(_ req: Request) async throws -> Ticket {
        guard let id = req.parameters.get("id", as: Int.self), let ticket = try await Ticket.find(id, on: req.db) else { throw AppError.notFound }
        return ticket
    }

    @Sendable func open(req: Request) async throws -> Response {
        let ticket = try await service(req).open(try req.content.decode(TicketInput.self))
        let response = Response(status: .created)
        try response.content.encode(try await TicketView.make(ticket, on: req))
        return response
    }

    @Sendable func show(req: Request) async throws -> TicketView {
        let ticket = try await find(req)
        try await req.audit("ticket.view", subjectType: "ticket", subjectID: String(ticket.id!))
        return try await TicketView.make(ticket, on: req)
    }

    @Sendable func act(req: Request) async throws -> TicketView {
        let input = try req.content.decode(ActionInput.self)
        guard let action = TicketAction(rawValue: input.action) else { throw NamedFieldError(field: "action", key: "ticket.problem.action") }
        let ticket = try await service(req).act(try await find(req), action, note: input.note ?? "", handler: input.handler)
        return try await TicketView.make(ticket, on: req)
    }
}
