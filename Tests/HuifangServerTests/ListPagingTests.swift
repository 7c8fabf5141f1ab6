import Fluent
import FluentPostgresDriver
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Ticket, task, call and audit lists read page by page by key: every row once, in the documented order,
/// whatever the page size, with ties, with rows changing between pages, and beyond any old cap.
@Suite struct ListPagingTests {
    struct Row: Decodable { let id: Int }

    /// Every page of `path` with `limit` rows a page, following `nextCursor` to the end.
    func allPages(
        _ app: Application, _ path: String, token: String, limit: Int,
        between: (Int) async throws -> Void = { _ in }
    ) async throws -> [Int] {
        var ids: [Int] = []
        var after: String?
        var pages = 0
        repeat {
            let url = path + (path.contains("?") ? "&" : "?") + "limit=\(limit)" + (after.map { "&after=\($0)" } ?? "")
            let response = try await send(app, .GET, url, token: token)
            #expect(response.status == .ok, "\(url): \(response.body.string)")
            let page = try response.content.decode(ListPage<Row>.self)
            #expect(page.items.count <= limit)
            #expect(page.nextCursor == nil || page.items.count == limit, "only the last page is short")
            ids += page.items.map(\.id)
            after = page.nextCursor
            pages += 1
            try await between(pages)
        } while after != nil
        return ids
    }

    // MARK: Tickets

    /// A ticket as the list's data sees it, written straight to the database.
    static func ticket(
        _ status: TicketStatus, due: Date, answered: Bool = false, pausedLeft: Int64? = nil,
        kind: TicketKind = .complaint, department: UUID? = nil, handler: UUID? = nil,
        customer: Int? = nil
    ) -> Ticket {
        let ticket = Ticket()
        ticket.kind = kind
        ticket.category = "other"
        ticket.severity = .general
        ticket.urgent = false
        ticket.source = "api"
        ticket.description = "工单"
        ticket.status = status
        ticket.reopenCount = 0
        ticket.policy = "一般问题"
        ticket.firstResponseDue = due
        ticket.resolutionDue = due.addingTimeInterval(86_400)
        ticket.firstResponseAt = answered ? due.addingTimeInterval(-86_400) : nil
        ticket.measures = ""
        ticket.planOwner = ""
        ticket.compensation = ""
        ticket.extensions = 0
        ticket.escalationLevel = 0
        ticket.$department.id = department
        ticket.$handler.id = handler
        ticket.$customer.id = customer
        if let pausedLeft {
            ticket.pausedAt = due.addingTimeInterval(-7200)
            ticket.pausedLeft = pausedLeft
        }
        ticket.updateListKey()
        return ticket
    }

    /// Writes the tickets in batches and reads them back with their ids.
    static func store(_ tickets: [Ticket], on db: any Database) async throws -> [Ticket] {
        for chunk in tickets.chunked(400) { try await chunk.create(on: db) }
        return try await Ticket.query(on: db).sort(\.$id).all()
    }

    /// The documented order, worked out from the tickets' own fields: running clocks by deadline, paused
    /// ones by the working time they kept, open ones with no clock, finished ones; ties newest first.
    static func documentedOrder(_ tickets: [Ticket]) -> [Int] {
        func part(_ ticket: Ticket) -> (Int, Double) {
            if ticket.status.isFinished { return (3, 0) }
            if let running = ticket.clock.running { return (0, running.due.timeIntervalSince1970) }
            if ticket.pausedAt != nil { return (1, Double(ticket.pausedLeft ?? 0)) }
            return (2, 0)
        }
        return tickets.sorted { a, b in
            let (x, y) = (part(a), part(b))
            return x != y ? x < y : a.id! > b.id!
        }.map { $0.id! }
    }

    struct TicketWorld {
        let tickets: [Ticket]
        let token: String
        let departments: [UUID]
        let handler: User
        let handlerToken: String
        let customer: Int
    }

    /// 60 tickets in every part of the order, with ties in each, over two departments.
    func ticketWorld(_ app: Application) async throws -> TicketWorld {
        let departments = try await ["售后部", "客服部"].asyncMap { name in
            let department = Department()
            department.name = name
            try await department.create(on: app.db)
            return department.id!
        }
        let handler = try await makeUser(app, .handler, username: "zhaolei", department: departments[0]).user
        let customer = Customer()
        customer.name = "林小雨"
        customer.tier = "普通"
        customer.consent = true
        customer.doNotDisturb = false
        try await customer.create(on: app.db)
        let now = Date()
        var tickets: [Ticket] = []
        for index in 0..<60 {
            let department = departments[index % 2]
            let kind: TicketKind = index % 3 == 0 ? .quality : .complaint
            let owner = index % 5 == 0 ? handler.id : nil
            let customerID = index % 4 == 0 ? customer.id : nil
            // Deadlines in four instants only (two overdue), so ties cross page boundaries.
            let due = now.addingTimeInterval(Double([-7200, -3600, 3600, 7200][index % 4]))
            switch index % 6 {
            case 0, 1, 2:
                tickets.append(
                    Self.ticket(
                        index % 2 == 0 ? .assigned : .inProgress, due: due, answered: index % 4 == 1,
                        kind: kind, department: department, handler: owner, customer: customerID))
            case 3:
                tickets.append(
                    Self.ticket(
                        .inProgress, due: due, pausedLeft: [600, 1800][index % 2], kind: kind,
                        department: department, handler: owner, customer: customerID))
            case 4:
                tickets.append(
                    Self.ticket(
                        .resolved, due: due, kind: kind, department: department, handler: owner,
                        customer: customerID))
            default:
                tickets.append(
                    Self.ticket(
                        .closed, due: due, kind: kind, department: department, handler: owner,
                        customer: customerID))
            }
        }
        tickets = try await Self.store(tickets, on: app.db)
        let token = try await makeToken(app, makeUser(app, .supervisor).user)
        return TicketWorld(
            tickets: tickets, token: token, departments: departments, handler: handler,
            handlerToken: try await makeToken(app, handler), customer: customer.id!)
    }

    @Test func everyTicketPageHoldsEachTicketOnceInTheDocumentedOrderWhateverThePageSize() async throws {
        try await withHuifang { app in
            let world = try await ticketWorld(app)
            let open = Self.documentedOrder(world.tickets.filter { !$0.status.isFinished })
            for limit in [1, 7, 50] {
                #expect(
                    try await allPages(app, "/api/v1/tickets", token: world.token, limit: limit) == open,
                    "limit \(limit)")
            }
            let all = try await allPages(app, "/api/v1/tickets?status=all", token: world.token, limit: 9)
            #expect(all == Self.documentedOrder(world.tickets))
            // The time left shown runs from the least (overdue first) to the most among running clocks.
            let rows = try await send(app, .GET, "/api/v1/tickets?limit=100", token: world.token)
                .content.decode(ListPage<TicketRow>.self).items
            let left = rows.compactMap(\.workingSecondsLeft)
            #expect(!left.isEmpty && left == left.sorted())
            #expect(rows.prefix { $0.overdue }.count == rows.filter(\.overdue).count, "overdue ones first")
        }
    }

    @Test func everyFilterPagesThroughItsOwnTicketsInOrder() async throws {
        try await withHuifang { app in
            let world = try await ticketWorld(app)
            let now = Date()
            let cases: [(String, (Ticket) -> Bool)] = [
                ("status=inProgress", { $0.status == .inProgress }),
                ("status=closed", { $0.status == .closed }),
                ("kind=quality", { $0.kind == .quality && !$0.status.isFinished }),
                (
                    "department=\(world.departments[1])",
                    { $0.$department.id == world.departments[1] && !$0.status.isFinished }
                ),
                ("customer=\(world.customer)", { $0.$customer.id == world.customer && !$0.status.isFinished }),
                ("overdue=1", { ($0.clock.running?.due).map { $0 <= now } ?? false }),
                (
                    "status=all&kind=complaint&overdue=1",
                    { $0.kind == .complaint && (($0.clock.running?.due).map { $0 <= now } ?? false) }
                ),
            ]
            for (query, matches) in cases {
                let expected = Self.documentedOrder(world.tickets.filter(matches))
                #expect(!expected.isEmpty, "\(query) finds something")
                #expect(
                    try await allPages(app, "/api/v1/tickets?" + query, token: world.token, limit: 4) == expected,
                    "\(query)")
            }
            // The handler's queue: their own tickets and their department's, each once though many are both.
            let queue = try await allPages(app, "/api/v1/tickets/queue", token: world.handlerToken, limit: 3)
            #expect(
                queue
                    == Self.documentedOrder(
                        world.tickets.filter {
                            !$0.status.isFinished
                                && ($0.$handler.id == world.handler.id || $0.$department.id == world.departments[0])
                        }))
            // A cursor the list did not give out is named.
            let bad = try await send(app, .GET, "/api/v1/tickets?after=bm9wZQ", token: world.token)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("after"))
        }
    }

    @Test func ticketsChangingBetweenPagesLeaveEveryOtherTicketOnceAndInOrder() async throws {
        try await withHuifang { app in
            let world = try await ticketWorld(app)
            let open = Self.documentedOrder(world.tickets.filter { !$0.status.isFinished })
            let firstPage = Array(open.prefix(5))
            let changed: Set<Int> = [open[2], open[20], open[30], open[31]]
            let service = TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
            let seen = try await allPages(app, "/api/v1/tickets", token: world.token, limit: 5) { page in
                guard page == 1 else { return }
                // After the first page: a new ticket, one already shown started, one ahead paused, one ahead closed.
                _ = try await service.open(TicketInput(kind: "complaint", description: "新工单"))
                for id in changed {
                    let ticket = try #require(try await Ticket.find(id, on: app.db))
                    if ticket.pausedAt != nil || ticket.status == .resolved || ticket.status == .informed {
                        try await ticket.delete(on: app.db)
                    } else if id == open[2] {
                        _ = try await service.extend(
                            ticket, ExtensionInput(until: "2099-01-01 10:00", reason: "客户出差", customerTold: true))
                    } else {
                        _ = try await service.pause(ticket, note: "等客户回复")
                    }
                }
            }
            #expect(Array(seen.prefix(5)) == firstPage)
            let unchanged = open.filter { !changed.contains($0) }
            #expect(
                seen.filter { !changed.contains($0) && unchanged.contains($0) } == unchanged,
                "every ticket that did not change is read once, in order")
        }
    }

    @Test func moreThanFiveThousandOpenTicketsAreAllReachable() async throws {
        try await withHuifang { app in
            let now = Date()
            let tickets = try await Self.store(
                (0..<5_030).map { index in
                    Self.ticket(.assigned, due: now.addingTimeInterval(Double(index % 97) * 600 - 3000))
                }, on: app.db)
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let ids = try await allPages(app, "/api/v1/tickets", token: token, limit: 500)
            #expect(ids.count == 5_030 && Set(ids).count == 5_030)
            #expect(ids == Self.documentedOrder(tickets))
        }
    }

    @Test func pausingResumingAndFinishingMoveATicketAndTheMigrationWritesTheSameKeys() async throws {
        try await withHuifang { app in
            let world = try await ticketWorld(app)
            let service = TicketService(db: app.db, config: app.huifang, actor: .commandLine(), now: Date())
            let opened = try await service.open(TicketInput(kind: "complaint", description: "等客户寄回"))
            var ticket = try await service.pause(opened, note: "等客户")
            #expect(ticket.listRank == TicketListKey.paused && ticket.pausedLeft != nil)
            let list = try await allPages(app, "/api/v1/tickets", token: world.token, limit: 10)
            let ahead = Set(list.prefix { $0 != opened.id! })
            let running = world.tickets.filter { $0.clock.running != nil }.map(\.id!)
            let noClock = world.tickets.filter { $0.status == .resolved }.map(\.id!)
            #expect(
                ahead.isSuperset(of: running) && ahead.isDisjoint(with: noClock),
                "paused: after running clocks, before the rest")
            ticket = try await service.resume(ticket, note: "客户回复了")
            #expect(ticket.listRank == TicketListKey.running && ticket.pausedLeft == nil)
            let second = try await service.open(TicketInput(kind: "complaint", description: "再开一张"))
            _ = try await service.pause(second, note: "等客户")

            // The migration's back-fill gives every ticket the key the write paths gave it.
            let before = try await Ticket.query(on: app.db).sort(\.$id).all().map {
                ($0.id!, $0.listRank, $0.listUrgency, $0.pausedLeft)
            }
            try await app.db.sql.raw("UPDATE tickets SET list_rank = 0, list_urgency = 0, paused_left = NULL").run()
            try await M021ListKeys.backfill(on: app.db)
            let after = try await Ticket.query(on: app.db).sort(\.$id).all().map {
                ($0.id!, $0.listRank, $0.listUrgency, $0.pausedLeft)
            }
            #expect(after.count == before.count)
            let invented = Set(world.tickets.filter { $0.pausedAt != nil }.map(\.id!))  // their time left was made up
            for (old, new) in zip(before, after) where !invented.contains(old.0) {
                #expect(old.0 == new.0 && old.1 == new.1, "ticket \(old.0): rank \(old.1) → \(new.1)")
                #expect(abs(old.2 - new.2) < 0.001, "ticket \(old.0): urgency \(old.2) → \(new.2)")
                if old.0 == second.id { #expect(new.3 == old.3, "the paused ticket's time left is counted again") }
            }
        }
    }

    // MARK: Tasks

    /// A call list read page by page over hours shows each task once: a page after one that ended among the
    /// callbacks due later still reads them as later, also those that fell due in between (shown, not skipped),
    /// and never goes back to the tasks without a callback. So does a page after one that ended among the tasks
    /// without a callback: the callbacks that were later when the due ones were last read follow as later ones, and
    /// one due exactly then, shown among the due, is not shown again.
    @Test func theCallListReadOverHoursShowsEachTaskOnce() async throws {
        try await withHuifang { app in
            // Pages of 3, then 2 and 2, three and a half and five hours later; pages of 1, then 2, 2 and 2.
            try await readCallListOverHours(app, agent: "wangfang", pages: [(3, 0), (2, 3.5), (2, 5)])
            try await readCallListOverHours(app, agent: "lina", pages: [(1, 0), (2, 3.5), (2, 5), (2, 6)])
            // Callbacks already due; the second page ends among the tasks without one, half an hour on, when the
            // third callback falls due.
            try await readCallListOverHours(
                app, agent: "zhaolei", callbacks: [-2, -1, 0.5, nil, nil, 1, 2, 3, 4],
                pages: [(1, 0), (3, 0.5), (2, 3.5), (2, 5), (2, 6)])
        }
    }

    /// Reads the call list of a new agent named `agent` — tasks with `callbacks` (hours from the start; nil for
    /// none) — in `pages` (each its size and the hours since the start) and checks it shows every task once, in the
    /// order the callbacks are given.
    func readCallListOverHours(
        _ app: Application, agent: String, callbacks: [Double?] = [nil, nil, 1, 2, 3, 4],
        pages: [(limit: Int, hours: Double)]
    ) async throws {
        let agent = try await makeUser(app, .agent, username: agent).user
        let customer = try await CustomerStore(db: app.db, now: Date()).create(
            CustomerRecord(name: "李娜", tier: "普通"), by: .commandLine())
        let start = Date()
        var tasks: [FollowUpTask] = []
        for hours in callbacks {
            let task = openTask(
                customer: customer.id!, agent: agent.id, due: "2026-03-02 10:00", deadline: "2026-03-09 17:00")
            task.callbackAt = hours.map { start.addingTimeInterval($0 * 3600) }
            tasks.append(task)
        }
        try await tasks.create(on: app.db)
        var filter = TaskFilter(agentID: agent.id, callListOrder: true)
        var shown: [Int] = []
        for (index, page) in pages.enumerated() {
            filter.limit = page.limit
            let queries = TaskQueries(
                db: app.db, config: app.huifang, language: .zh, now: start.addingTimeInterval(page.hours * 3600))
            let read = try await queries.page(filter, viewer: agent)
            shown += read.rows.map(\.id)
            filter.after = read.next
            #expect((read.next != nil) == (index < pages.count - 1), "page \(index + 1) of \(pages)")
        }
        let created = try await FollowUpTask.query(on: app.db).filter(\.$assignedAgent.$id == agent.id).sort(\.$id)
            .all()
        #expect(shown == created.map { $0.id! }, "\(pages)")
    }

    /// A next-page token the list did not give out is a `422` naming `after`, never a `500` or a crash: instants out
    /// of range (PostgreSQL's driver stops the process on a date it cannot hold), instants in the other database's
    /// form, and call-list splits that are no instant. The tokens the lists give out still read.
    @Test func aCraftedNextPageTokenIsRefusedByName() async throws {
        try await withHuifang { app in
            let agentToken = try await makeToken(app, try await makeUser(app, .agent, username: "wangfang").user)
            let adminToken = try await makeToken(app, try await makeUser(app, .admin, username: "zhuguan").user)
            let (valid, otherForm) =
                app.db is any PostgresDatabase ? ("µ100", "1700000000.5") : ("1700000000.5", "µ100")
            var refused: [(path: String, cursor: [String])] = []
            let beyond = ["µ9223372036854775807", "µ-9223372036854775808", "µ1000000000000000000", "1e300", "-1e13"]
            for instant in beyond + [otherForm] {
                refused += [
                    ("/api/v1/tasks/mine", ["0", instant, "5", valid, "3"]),
                    ("/api/v1/tasks/mine", ["2", valid, "5", instant, "3"]),
                    ("/api/v1/tasks", ["5", instant, "3"]), ("/api/v1/audit", [instant, "3"]),
                    ("/api/v1/calls", [instant, "3"]),
                ]
            }
            for split in ["1e300", "-1e13", "nan", "inf", "x", valid == "µ100" ? "µ100" : "5e9"] {
                refused.append(("/api/v1/tasks/mine", ["1", split, "5", valid, "3"]))
            }
            func read(_ path: String, _ cursor: [String]) async throws -> TestingHTTPResponse {
                try await send(
                    app, .GET, path + "?after=" + PageCursor(cursor).token,
                    token: path.hasSuffix("mine") ? agentToken : adminToken)
            }
            for (path, cursor) in refused {
                let response = try await read(path, cursor)
                #expect(
                    response.status == .unprocessableEntity && response.body.string.contains("after"),
                    "\(path) \(cursor)")
            }
            let split = "\(Date().timeIntervalSinceReferenceDate)"
            for cursor in [["1", "", "5", valid, "3"], ["1", split, "5", valid, "3"], ["0", valid, "5", valid, "3"]] {
                #expect(try await read("/api/v1/tasks/mine", cursor).status == .ok, "\(cursor)")
            }
            // A task due in year 9999 (a date typed in) ends a page whose next one still reads.
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李娜", tier: "普通"), by: .commandLine())
            for due in ["9999-12-30 10:00", "9999-12-31 10:00"] {
                try await openTask(customer: customer.id!, agent: nil, due: due, deadline: "9999-12-31 17:00")
                    .create(on: app.db)
            }
            let first = try await send(app, .GET, "/api/v1/tasks?agent=none&limit=1", token: adminToken)
            let token = try first.content.decode(TaskPageDTO.self).nextCursor
            #expect(token != nil)
            let second = try await send(
                app, .GET, "/api/v1/tasks?agent=none&limit=1&after=\(token ?? "")", token: adminToken)
            #expect(second.status == .ok)
            #expect(try second.content.decode(TaskPageDTO.self).items.count == 1)
        }
    }

    @Test func theCallListAndTheBoardPageByKeyInTheirOrder() async throws {
        try await withHuifang { app in
            let (agent, _) = try await makeUser(app, .agent, username: "wangfang")
            let other = try await makeUser(app, .agent, username: "lina").user
            let agentToken = try await makeToken(app, agent)
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李娜", tier: "普通"), by: .commandLine())
            let now = Date()
            var tasks: [FollowUpTask] = []
            for index in 0..<30 {
                let task = openTask(
                    customer: customer.id!, agent: index % 4 == 3 ? other.id : agent.id,
                    due: index % 2 == 0 ? "2026-03-02 10:00" : "2026-03-05 10:00",
                    deadline: "2026-03-09 17:00")
                task.status = index % 10 == 9 ? .completed : .open
                task.priority = index % 3 + 1
                task.callbackAt = [nil, nil, now.addingTimeInterval(-600), now.addingTimeInterval(3600)][index % 4]
                tasks.append(task)
            }
            try await tasks.create(on: app.db)
            tasks = try await FollowUpTask.query(on: app.db).sort(\.$id).all()

            func board(_ tasks: [FollowUpTask]) -> [Int] {
                tasks.sorted { ($0.priority, $0.dueAt, $0.id!) < ($1.priority, $1.dueAt, $1.id!) }.map { $0.id! }
            }
            func callList(_ tasks: [FollowUpTask]) -> [Int] {
                func part(_ task: FollowUpTask) -> Int { task.callbackAt.map { $0 <= now ? 0 : 2 } ?? 1 }
                return tasks.sorted { a, b in
                    let (x, y) = ((part(a), a.callbackAt ?? now), (part(b), b.callbackAt ?? now))
                    return x != y ? x < y : (a.priority, a.dueAt, a.id!) < (b.priority, b.dueAt, b.id!)
                }.map { $0.id! }
            }
            let mine = tasks.filter { $0.$assignedAgent.id == agent.id && $0.status == .open }
            for limit in [1, 4, 100] {
                #expect(
                    try await allPages(app, "/api/v1/tasks/mine", token: agentToken, limit: limit) == callList(mine))
            }
            let open = tasks.filter { $0.status == .open }
            #expect(try await allPages(app, "/api/v1/tasks", token: supervisor, limit: 4) == board(open))
            #expect(
                try await allPages(app, "/api/v1/tasks?agent=lina", token: supervisor, limit: 2)
                    == board(open.filter { $0.$assignedAgent.id == other.id }))
            #expect(
                try await allPages(app, "/api/v1/tasks?dueBy=2026-03-03", token: supervisor, limit: 3)
                    == board(open.filter { $0.dueOn == "2026-03-02" }))
            #expect(
                try await allPages(app, "/api/v1/tasks?status=completed", token: supervisor, limit: 2)
                    == board(tasks.filter { $0.status == .completed }))
        }
    }

    // MARK: Calls and the audit log

    @Test func theCallLogAndTheAuditLogPageNewestFirstThroughTies() async throws {
        try await withHuifang { app in
            let supervisor = try await makeUser(app, .supervisor).user
            let agent = try await makeUser(app, .agent).user
            let token = try await makeToken(app, supervisor)
            // Calls stamped to the minute: many share one.
            var calls: [InboundCall] = []
            for index in 0..<40 {
                let call = InboundCall()
                call.at = shanghai(["2026-03-02 09:15", "2026-03-02 10:30", "2026-03-03 11:00"][index % 3])
                    .addingTimeInterval(index % 7 == 0 ? 0.123456 : 0)
                call.$agent.id = index % 2 == 0 ? agent.id : supervisor.id
                call.agentName = "坐席"
                call.phone = "+8613800138000"
                call.matter = "other"
                call.summary = "来电\(index)"
                call.handling = index % 5 == 0 ? .ticket : .answered
                call.recordingConsent = false
                calls.append(call)
            }
            try await calls.create(on: app.db)
            calls = try await InboundCall.query(on: app.db).sort(\.$id).all()
            func newestFirst(_ calls: [InboundCall]) -> [Int] {
                calls.sorted { ($0.at, $0.id!) > ($1.at, $1.id!) }.map { $0.id! }
            }
            #expect(try await allPages(app, "/api/v1/calls", token: token, limit: 4) == newestFirst(calls))
            #expect(
                try await allPages(app, "/api/v1/calls?handling=ticket", token: token, limit: 3)
                    == newestFirst(calls.filter { $0.handling == .ticket }))
            #expect(
                try await allPages(
                    app, "/api/v1/calls?agent=\(agent.id!)&from=2026-03-02&to=2026-03-02", token: token, limit: 5)
                    == newestFirst(calls.filter { $0.$agent.id == agent.id && $0.at < shanghai("2026-03-03 00:00") }))
            let listed = try await AuditEntry.query(on: app.db).filter(\.$action == "call.list").count()
            #expect(listed > 0, "reading the call log is audited, page by page")

            // The audit log: entries written at one instant still come once each.
            let admin = try await makeToken(app, makeUser(app, .admin, username: "admin1").user)
            let instant = Date()
            for index in 0..<12 {
                let entry = AuditEntry()
                entry.at = instant
                entry.actorName = "tester"
                entry.action = index % 2 == 0 ? "customer.view" : "customer.reveal"
                try await entry.create(on: app.db)
            }
            let reveals = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.reveal").all()
            let expected = reveals.sorted { ($0.at, $0.id!) > ($1.at, $1.id!) }.map { $0.id! }
            #expect(try await allPages(app, "/api/v1/audit?action=customer.reveal", token: admin, limit: 4) == expected)
            let everything = try await allPages(app, "/api/v1/audit", token: admin, limit: 7)
            #expect(Set(everything).count == everything.count)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
