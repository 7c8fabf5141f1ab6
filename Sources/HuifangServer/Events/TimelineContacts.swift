import Fluent
import Foundation
import HuifangCore
import Vapor

/// The rest of a customer's 360° timeline: their tickets, inbound calls and messages, each only as far as the
/// viewer's scope reaches (tickets by `TicketAccess`; calls for those who take calls — an agent their own;
/// messages for supervisors and admins).
extension TimelineItem {
    static func contacts(customerID: Int, on req: Request) async throws -> [TimelineItem] {
        let viewer = try req.viewer
        let format = req.application.huifang.formatDateTime
        var items: [TimelineItem] = []
        let tickets = Ticket.query(on: req.db).filter(\.$customer.$id == customerID)
        TicketAccess.restrict(tickets, to: viewer)
        for ticket in try await tickets.sort(\.$id, .descending).limit(100).all() {
            let at = ticket.createdAt ?? Date(timeIntervalSince1970: 0)
            items.append(
                TimelineItem(
                    at: format(at), kind: "ticket",
                    title: req.t("timeline.ticket", "\(ticket.id!)", req.t("ticket.kind.\(ticket.kind.rawValue)")),
                    detail: req.t("ticket.status.\(ticket.status.rawValue)") + " · " + ticket.description,
                    sortKey: at, href: "/tickets/\(ticket.id!)"))
        }
        if viewer.seesEverything || viewer.role == .agent {
            let calls = InboundCall.query(on: req.db).filter(\.$customer.$id == customerID)
            if !viewer.seesEverything { calls.filter(\.$agent.$id == viewer.id) }
            let matters = try await req.domain.names.matterNames()
            for call in try await calls.sort(\.$at, .descending).limit(100).all() {
                items.append(
                    TimelineItem(
                        at: format(call.at), kind: "call", title: req.t("timeline.call", call.agentName),
                        detail: (matters[call.matter] ?? call.matter) + " · " + call.summary, sortKey: call.at,
                        href: call.ticketID.map { "/tickets/\($0)" }))
            }
        }
        if viewer.seesEverything {
            let messages = try await MailMessage.query(on: req.db).filter(\.$customerID == customerID)
                .sort(\.$id, .descending).limit(100).all()
            for message in messages {
                let at = Date(timeIntervalSince1970: message.createdAt)
                items.append(
                    TimelineItem(
                        at: format(at), kind: "message",
                        title: req.t("timeline.message", req.t("messages.status." + message.status.rawValue)),
                        detail: message.subject, sortKey: at))
            }
        }
        return items
    }
}
