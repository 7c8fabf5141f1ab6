import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// Which tickets a list shows, and from where.
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
    /// One ticket by its number.
    var number: Int?
    /// Opened on or after this instant, and before `openedBefore`.
    var openedFrom: Date?
    var openedBefore: Date?
    /// Newest first instead of by working time left.
    var newestFirst = false
    /// Only the tickets this viewer may see (`TicketAccess.restrict`).
    var scope: Viewer?
    /// The page after this cursor (`TicketQueries.cursor(of:)`); the first page when nil.
    var after: PageCursor?
    var limit = 50
}

/// A page of a ticket list, as the API returns it.
struct TicketPageDTO: Content {
    let items: [TicketRow]
    /// Pass as `after` for the next page; absent on the last page.
    let nextCursor: String?
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
    var now: Date

    /// A page of the list in list order (`TicketListKey`: running clocks by deadline, paused ones by the working
    /// time they kept, then the rest newest first), read by key from the database: each alternative of the
    /// queue or scope is read on its own index and the pages merged, so no query sorts more than a page.
    func page(_ filter: TicketFilter) async throws -> KeysetPage<TicketRow> {
        var found: [Int: Ticket] = [:]
        for alternative in alternatives(filter) {
            let query = Ticket.query(on: db)
            narrow(query, filter)
            alternative(query)
            if filter.newestFirst {
                if let id = filter.after?.int(2) { query.filter(\.$id < id) }
                query.sort(\.$id, .descending)
            } else {
                if let after = filter.after, let rank = after.int(0), let urgency = after.double(1),
                    let id = after.int(2)
                {
                    query.filter(
                        .sql(
                            embed: """
                                (tickets.list_rank, tickets.list_urgency, tickets.id)
                                < (\(bind: rank), \(bind: urgency), \(bind: id))
                                """))
                }
                query.sort(\.$listRank, .descending).sort(\.$listUrgency, .descending).sort(\.$id, .descending)
            }
            for ticket in try await query.limit(filter.limit + 1).all() { found[ticket.id!] = ticket }
        }
        let newest = filter.newestFirst
        let ordered = found.values.sorted { (a: Ticket, b: Ticket) -> Bool in
            if newest { return a.id! > b.id! }
            return (a.listRank, a.listUrgency, a.id!) > (b.listRank, b.listUrgency, b.id!)
        }
        let key: @Sendable (Ticket) -> PageCursor = { ticket in
            newest ? PageCursor(["0", "0", "\(ticket.id!)"]) : Self.cursor(of: ticket)
        }
        let page = KeysetPage(Array(ordered.prefix(filter.limit + 1)), limit: filter.limit, key: key)
        return KeysetPage(try await rows(for: page.rows), next: page.next)
    }

    /// How many tickets the filter finds, counted up to `cap` (nil: more than `cap`). Each alternative's ids are
    /// read on its own index, so the count is exact where the queue's alternatives overlap.
    func count(_ filter: TicketFilter, cap: Int = ListTotal.cap) async throws -> Int? {
        var ids: Set<Int> = []
        for alternative in alternatives(filter) {
            let query = Ticket.query(on: db)
            narrow(query, filter)
            alternative(query)
            for ticket in try await query.field(\.$id).limit(cap + 1).all() { ids.insert(ticket.id!) }
        }
        return ids.count > cap ? nil : ids.count
    }

    /// The cursor after `ticket`: its list key and id.
    static func cursor(of ticket: Ticket) -> PageCursor {
        PageCursor(["\(ticket.listRank)", "\(ticket.listUrgency)", "\(ticket.id!)"])
    }

    /// Reads an `after` parameter; nil when it is not a ticket list's cursor.
    static func cursor(_ token: String) -> PageCursor? {
        guard let cursor = PageCursor(token: token, count: 3), cursor.int(0) != nil, cursor.double(1) != nil,
            cursor.int(2) != nil
        else { return nil }
        return cursor
    }

    private func narrow(_ query: QueryBuilder<Ticket>, _ filter: TicketFilter) {
        if let status = filter.status {
            query.filter(\.$status == status)
        } else if !filter.includeFinished {
            query.filter(\.$listRank > TicketListKey.finished)
        }
        if let kind = filter.kind { query.filter(\.$kind == kind) }
        if let department = filter.departmentID { query.filter(\.$department.$id == department) }
        if let handler = filter.handlerID { query.filter(\.$handler.$id == handler) }
        if let customer = filter.customerID { query.filter(\.$customer.$id == customer) }
        if let number = filter.number { query.filter(\.$id == number) }
        if let from = filter.openedFrom { query.filter(\.$createdAt >= from) }
        if let before = filter.openedBefore { query.filter(\.$createdAt < before) }
        if filter.overdueOnly {
            query.filter(\.$listRank == TicketListKey.running)
                .filter(\.$listUrgency >= TicketListKey.overdueFloor(at: now))
        }
        if filter.queueOf != nil, let scope = filter.scope { TicketAccess.restrict(query, to: scope) }
    }

    /// The queue's or the scope's alternatives (one condition each); a single one without either.
    private func alternatives(_ filter: TicketFilter) -> [TicketCondition] {
        if let queue = filter.queueOf {
            var found: [TicketCondition] = [{ $0.filter(\.$handler.$id == queue.user) }]
            if let department = queue.department { found.append { $0.filter(\.$department.$id == department) } }
            return found
        }
        return filter.scope.flatMap { TicketAccess.alternatives(for: $0) } ?? [{ _ in }]
    }

    func rows(for tickets: [Ticket]) async throws -> [TicketRow] {
        let calendar = try await CalendarStore(db: db).defaultBusiness()
        try await TicketClocks.load(into: tickets.filter { !$0.clockLoaded }, on: db)
        let customerIDs = Set(tickets.compactMap { $0.$customer.id })
        let customers =
            customerIDs.isEmpty
            ? [:]
            : Dictionary(
                uniqueKeysWithValues: try await Customer.query(on: db)
                    .filter(\.$id ~~ customerIDs).all().map {
                        ($0.id!, $0.erasedAt == nil ? $0.name : Catalogue.text("customers.erasedName", language))
                    })
        let departments = Dictionary(
            uniqueKeysWithValues: try await Department.query(on: db).all().map { ($0.id!, $0.name) })
        let handlerIDs = Set(tickets.compactMap { $0.$handler.id })
        let handlers =
            handlerIDs.isEmpty
            ? [:]
            : Dictionary(
                uniqueKeysWithValues: try await User.query(on: db)
                    .filter(\.$id ~~ handlerIDs).all().map { ($0.id!, $0.displayName) })
        return try tickets.map { ticket in
            let running = ticket.clock.running
            let left = try running.map { try TicketListKey.workingLeft(until: $0.due, at: now, calendar: calendar) }
            let timeLeft = try running.map {
                describe(try TicketListKey.timeLeft(until: $0.due, at: now, calendar: calendar), due: $0.due)
            }
            return TicketRow(
                id: ticket.id!, kind: ticket.kind.rawValue,
                kindName: Catalogue.text("ticket.kind.\(ticket.kind.rawValue)", language),
                category: ticket.category, severity: ticket.severity.rawValue,
                severityName: Catalogue.text("ticket.severity.\(ticket.severity.rawValue)", language),
                urgent: ticket.urgent,
                status: ticket.status.rawValue,
                statusName: Catalogue.text("ticket.status.\(ticket.status.rawValue)", language),
                customerID: ticket.$customer.id, customerName: ticket.$customer.id.flatMap { customers[$0] } ?? "—",
                description: ticket.description, department: ticket.$department.id.flatMap { departments[$0] } ?? "—",
                handler: ticket.$handler.id.flatMap { handlers[$0] } ?? "—",
                deadline: running.map { Catalogue.text("ticket.deadline.\($0.deadline.rawValue)", language) }
                    ?? (ticket.pausedAt != nil ? Catalogue.text("ticket.paused", language) : "—"),
                due: running.map { config.formatDateTime($0.due) } ?? "—",
                workingSecondsLeft: left, timeLeft: timeLeft ?? "—",
                overdue: (left ?? 1) < 0 || (running.map { $0.due <= now } ?? false), paused: ticket.pausedAt != nil,
                escalationLevel: ticket.reachedLevel,
                reopenCount: ticket.reopenCount, createdAt: config.formatDateTime(ticket.createdAt))
        }
    }

    /// "剩 3 小时 20 分（工作时间）" / "已超时 1 小时 5 分（工作时间）", or "已超时（2026-03-06 18:00 截止）" when the
    /// deadline passed outside working hours.
    func describe(_ timeLeft: TicketListKey.TimeLeft, due: Date) -> String {
        func duration(_ seconds: Int64) -> String {
            let minutes = seconds / 60
            return Catalogue.text("ticket.duration", language, ["\(minutes / 60)", "\(minutes % 60)"])
        }
        switch timeLeft {
        case .left(let seconds): return Catalogue.text("ticket.left", language, [duration(seconds)])
        case .overdue(let seconds) where seconds < 60:
            return Catalogue.text("ticket.overdueSince", language, [config.formatDateTime(due)])
        case .overdue(let seconds): return Catalogue.text("ticket.overdueBy", language, [duration(seconds)])
        }
    }
}
