import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// Which tickets a list shows.
struct TicketFilter {
    /// Open (not finished) when nil and `includeFinished` is false.
    var status: TicketStatus?
    var includeFinished = false
    var kind: TicketKind?
    var departmentID: UUID?
    var handlerID: UUID?
    /// The queue: the department's tickets and the handler's own.
    var queueOf: (department: UUID?, user: UUID)?
    var overdueOnly = false
    var customerID: Int?
    /// Only the tickets this viewer may see (`TicketAccess.restrict`).
    var scope: Viewer?
    var limit = 200
}

/// A ticket in a list: what a handler or supervisor scans, with the running deadline and the working time left.
struct TicketRow: Content {
    let id: Int
    let kind: String
    let kindName: String
    let category: String
    let severity: String
    let severityName: String
    let urgent: Bool
    let status: String
    let statusName: String
    let customerID: Int?
    let customerName: String
    let description: String
    let department: String
    let handler: String
    let deadline: String
    let due: String
    /// Working time left (negative: overdue by), in seconds; nil when no deadline runs.
    let workingSecondsLeft: Int64?
    let timeLeft: String
    let overdue: Bool
    let paused: Bool
    let escalationLevel: Int
    let reopenCount: Int
    let createdAt: String
}

struct TicketQueries {
    let db: any Database
    let config: HuifangConfig
    let language: Language
    var now = Date()

    func list(_ filter: TicketFilter) async throws -> [TicketRow] {
        var query = Ticket.query(on: db)
        if let status = filter.status {
            query = query.filter(\.$status == status)
        } else if !filter.includeFinished {
            query = query.filter(\.$status !~ [.closed, .adopted, .declined])
        }
        if let kind = filter.kind { query = query.filter(\.$kind == kind) }
        if let department = filter.departmentID { query = query.filter(\.$department.$id == department) }
        if let handler = filter.handlerID { query = query.filter(\.$handler.$id == handler) }
        if let customer = filter.customerID { query = query.filter(\.$customer.$id == customer) }
        if let queue = filter.queueOf {
            query = query.group(.or) { group in
                group.filter(\.$handler.$id == queue.user)
                if let department = queue.department { group.filter(\.$department.$id == department) }
            }
        }
        if let scope = filter.scope { TicketAccess.restrict(query, to: scope) }
        let tickets = try await query.sort(\.$id, .descending).limit(filter.includeFinished ? filter.limit : 5000).all()
        let rows = try await rows(for: tickets).filter { !filter.overdueOnly || $0.overdue }
        // Overdue first, then the least time left; finished tickets last, newest first.
        return Array(rows.sorted { a, b in
            switch (a.workingSecondsLeft, b.workingSecondsLeft) {
            case let (x?, y?): return x == y ? a.id < b.id : x < y
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.id > b.id
            }
        }.prefix(filter.limit))
    }

    func rows(for tickets: [Ticket]) async throws -> [TicketRow] {
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        let customerIDs = Set(tickets.compactMap { $0.$customer.id })
        let customers = customerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Customer.query(on: db)
            .filter(\.$id ~~ customerIDs).all().map { ($0.id!, $0.name) })
        let departments = Dictionary(uniqueKeysWithValues: try await Department.query(on: db).all().map { ($0.id!, $0.name) })
        let handlerIDs = Set(tickets.compactMap { $0.$handler.id })
        let handlers = handlerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await User.query(on: db)
            .filter(\.$id ~~ handlerIDs).all().map { ($0.id!, $0.displayName) })
        return try tickets.map { ticket in
            let running = ticket.clock.running
            var left: Int64?
            if let running {
                left = running.due > now
                    ? try calendar.workingSeconds(from: now, to: running.due)
                    : -(try calendar.workingSeconds(from: running.due, to: now))
            }
            return TicketRow(
                id: ticket.id!, kind: ticket.kind.rawValue, kindName: Catalogue.text("ticket.kind.\(ticket.kind.rawValue)", language),
                category: ticket.category, severity: ticket.severity.rawValue,
                severityName: Catalogue.text("ticket.severity.\(ticket.severity.rawValue)", language), urgent: ticket.urgent,
                status: ticket.status.rawValue, statusName: Catalogue.text("ticket.status.\(ticket.status.rawValue)", language),
                customerID: ticket.$customer.id, customerName: ticket.$customer.id.flatMap { customers[$0] } ?? "—",
                description: ticket.description, department: ticket.$department.id.flatMap { departments[$0] } ?? "—",
                handler: ticket.$handler.id.flatMap { handlers[$0] } ?? "—",
                deadline: running.map { Catalogue.text("ticket.deadline.\($0.deadline.rawValue)", language) } ?? (ticket.pausedAt != nil ? Catalogue.text("ticket.paused", language) : "—"),
                due: running.map { config.formatDateTime($0.due) } ?? "—",
                workingSecondsLeft: left, timeLeft: left.map { Self.describe(left: $0, language) } ?? "—",
                overdue: (left ?? 1) < 0 || (running.map { $0.due <= now } ?? false), paused: ticket.pausedAt != nil,
                escalationLevel: ticket.reachedLevel,
                reopenCount: ticket.reopenCount, createdAt: config.formatDateTime(ticket.createdAt))
        }
    }

    /// "剩 3 小时 20 分" / "超时 1 小时 5 分", counted in working time.
    static func describe(left seconds: Int64, _ language: Language) -> String {
        let minutes = abs(seconds) / 60
        let text = Catalogue.text("ticket.duration", language, ["\(minutes / 60)", "\(minutes % 60)"])
        return Catalogue.text(seconds < 0 ? "ticket.overdueBy" : "ticket.left", language, [text])
    }
}
