import FluentKit
import Foundation
import HuifangCore
import SQLKit
import Testing

@testable import HuifangServer

/// The rows the busiest calls write — a ticket, its timeline lines, a customer, its tags and history — are written by
/// one hand-made statement each (`RowInsert`), not by Fluent's `create(on:)`: they must be the rows `create(on:)`
/// writes.
@Suite struct RowInsertTests {
    /// Every field of the models is written, in the model's order (a field added to a model and not to its insert
    /// would be lost).
    @Test func theInsertsWriteEveryFieldOfTheirModels() {
        let customer = Self.customer(agent: nil)
        let written: [(model: any Fields, row: [RowInsert.Column])] = [
            (Self.bare(), Self.bare().insertedRow), (Self.line(1, nil), Self.line(1, nil).insertedRow),
            (customer, customer.insertedRow),
            (CustomerTag(customerID: 1, tag: "VIP"), CustomerTag(customerID: 1, tag: "VIP").insertedRow),
            (Self.change(1, nil), Self.change(1, nil).insertedRow),
            (Self.record(task: 1, customer: 1, agent: nil), Self.record(task: 1, customer: 1, agent: nil).insertedRow),
        ]
        for (model, row) in written {
            #expect(row.map(\.name) == Self.fieldKeys(model).filter { $0 != "id" }, "\(type(of: model))")
        }
    }

    @Test func aCustomerItsTagAndItsHistoryAreTheRowsCreateWrites() async throws {
        try await withHuifang { app in
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            let (byFluent, byInsert) = (Self.customer(agent: agent), Self.customer(agent: agent))
            // The member ID is unique: each has its own.
            try await Self.expectSameRowAsCreate(byFluent, byInsert, ignoring: ["external_id"], on: app.db)
            let stored = try await Customer.find(byInsert.id!, on: app.db)
            #expect(stored?.externalID == byInsert.externalID && stored?.createdAt != nil)
            let (bare, bareByFluent) = (Self.customer(agent: nil), Self.customer(agent: nil))
            (bare.mobile, bare.email, bare.externalID, bare.erasedAt, bare.notes) = (nil, nil, nil, nil, nil)
            (bareByFluent.mobile, bareByFluent.email, bareByFluent.externalID) = (nil, nil, nil)
            (bareByFluent.erasedAt, bareByFluent.notes) = (nil, nil)
            try await Self.expectSameRowAsCreate(bareByFluent, bare, on: app.db)

            let tag = CustomerTag(customerID: byInsert.id!, tag: "VIP")
            try await CustomerTag(customerID: byFluent.id!, tag: "VIP").create(on: app.db)
            try await tag.insert(on: app.db)
            let tags = try await CustomerTag.query(on: app.db).sort(\.$id).all()
            #expect(tags.map(\.customerID) == [byFluent.id!, byInsert.id!] && tags.last?.id == tag.id)

            for actor in [agent, nil] {
                let (changeByFluent, change) = (Self.change(byInsert.id!, actor), Self.change(byInsert.id!, actor))
                try await Self.expectSameRowAsCreate(changeByFluent, change, on: app.db)
            }
        }
    }

    @Test func aTicketAndItsLineAreTheRowsCreateWrites() async throws {
        try await withHuifang { app in
            let department = Department(name: "售后部")
            try await department.create(on: app.db)
            let handler = try await makeUser(app, .handler, username: "zhaolei", department: department.id).user
            let customer = Customer()
            (customer.name, customer.tier, customer.consent, customer.doNotDisturb) = ("林小雨", "普通", true, false)
            try await customer.create(on: app.db)
            let opener = try await makeUser(app, .supervisor, username: "zhuguan").user
            let (byFluent, byInsert) = (
                Self.ticket(customer, handler, openedBy: opener), Self.ticket(customer, handler, openedBy: opener)
            )
            try await Self.expectSameRowAsCreate(byFluent, byInsert, on: app.db)
            let inserted = try #require(byInsert.id)
            let stamps = try await app.db.sql.raw(
                "SELECT created_at, updated_at FROM tickets WHERE id = \(bind: inserted)"
            ).first()
            let created = try #require(try stamps?.optional("created_at", as: Date.self))
            #expect(try stamps?.decode(column: "updated_at", as: Date.self) == created)
            // The model keeps the moment it wrote (the database keeps it to the microsecond).
            #expect(abs(created.timeIntervalSinceNow) < 600)
            #expect(abs(try #require(byInsert.createdAt).timeIntervalSince(created)) < 0.000_01)

            let (lineByFluent, lineByInsert) = (Self.line(inserted, handler), Self.line(inserted, handler))
            try await Self.expectSameRowAsCreate(lineByFluent, lineByInsert, on: app.db)
            // Fields left empty are written as NULL too.
            let sparse = Self.line(inserted, nil)
            sparse.oldStatus = nil
            let sparseByFluent = Self.line(inserted, nil)
            sparseByFluent.oldStatus = nil
            try await Self.expectSameRowAsCreate(sparseByFluent, sparse, on: app.db)
        }
    }

    /// Opening a ticket writes it, its escalation clock and its opening line together (on PostgreSQL in one
    /// statement): the rows `create(on:)` and the clock's own write would write, and the models hold their ids.
    @Test func anOpenedTicketItsClockAndItsLineAreTheRowsTheirOwnWritesWrite() async throws {
        try await withHuifang { app in
            let byFluent = Self.ticketWithClock()
            try await byFluent.create(on: app.db)
            try await TicketClocks.write(byFluent, on: app.db)
            let lineByFluent = Self.line(byFluent.id!, nil)
            try await lineByFluent.create(on: app.db)

            // The line's ticket is not known yet (0 here): the insert gives it its new ticket's id.
            let (opened, line) = (Self.ticketWithClock(), Self.line(0, nil))
            try await OpenedTicketInsert(ticket: opened, line: line).run(on: app.db)
            let (ticketID, lineID) = (try #require(opened.id), try #require(line.id))
            #expect(ticketID == byFluent.id! + 1 && opened.$id.exists && !opened.hasChanges)
            #expect(
                lineID == lineByFluent.id! + 1 && line.$id.exists && !line.hasChanges && line.$ticket.id == ticketID)
            try await Self.expectSameRows(Ticket.schema, byFluent.id!, ticketID, on: app.db)
            try await Self.expectSameRows(
                TicketEntry.schema, lineByFluent.id!, lineID, ignoring: ["ticket_id"], on: app.db)
            let stored = try await TicketEntry.find(lineID, on: app.db)
            #expect(stored?.$ticket.id == ticketID)
            let clock = Ticket()
            clock.id = ticketID
            try await TicketClocks.load(into: [clock], on: app.db)
            #expect(clock.escalationKey == "firstResponse:1796100000.5" && clock.escalationLevel == 2)
            #expect(clock.nextEscalationAt == 1_796_100_900.25)
        }
    }

    static func ticketWithClock() -> Ticket {
        let ticket = bare()
        (ticket.escalationKey, ticket.escalationLevel) = ("firstResponse:1796100000.5", 2)
        ticket.nextEscalationAt = 1_796_100_900.25
        return ticket
    }

    @Test func aTicketWithItsOptionalFieldsEmptyIsTheRowCreateWrites() async throws {
        try await withHuifang { app in
            try await Self.expectSameRowAsCreate(Self.bare(), Self.bare(), on: app.db)
        }
    }

    /// After an insert, as after `create(on:)`, an update writes only what changed: what another writer changed in
    /// between (an erasure, a back-dated opening) stays.
    @Test func anUpdateAfterAnInsertWritesOnlyWhatChanged() async throws {
        try await withHuifang { app in
            let ticket = Self.bare()
            try await ticket.insert(on: app.db)
            let long = Date(timeIntervalSince1970: 1000)
            try await app.db.sql.raw(
                "UPDATE tickets SET created_at = \(bind: long), description = '' WHERE id = \(bind: ticket.id!)"
            ).run()
            ticket.status = .inProgress
            try await ticket.update(on: app.db)
            let row = try #require(
                try await app.db.sql.raw(
                    "SELECT created_at, description, status FROM tickets WHERE id = \(bind: ticket.id!)"
                ).first())
            #expect(try row.decode(column: "created_at", as: Date.self) == long)
            #expect(try row.decode(column: "description", as: String.self) == "")
            #expect(try row.decode(column: "status", as: String.self) == "inProgress")
        }
    }

    @Test func aFollowUpRecordIsTheRowCreateWrites() async throws {
        try await withHuifang { app in
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            let customer = Self.customer(agent: agent)
            try await customer.create(on: app.db)
            let task = openTask(
                customer: customer.id!, agent: agent.id, due: "2026-03-02 09:00", deadline: "2026-03-06 17:00")
            try await task.create(on: app.db)
            // Three patterns of the seven flags, so that no two flags hold the same value in all three.
            for (pattern, who) in [(0, agent), (1, nil), (2, agent)] as [(Int, User?)] {
                let byFluent = Self.record(task: task.id!, customer: customer.id!, agent: who, pattern: pattern)
                let byInsert = Self.record(task: task.id!, customer: customer.id!, agent: who, pattern: pattern)
                byInsert.phoneCallID = who == nil ? nil : 7 + 2 * pattern  // a phone call times one record only
                try await Self.expectSameRowAsCreate(byFluent, byInsert, ignoring: ["phone_call_id"], on: app.db)
                let stored = try await FollowUpRecord.find(byInsert.id!, on: app.db)
                #expect(stored?.phoneCallID == byInsert.phoneCallID && stored?.createdAt != nil)
            }
        }
    }

    /// A record with every field set (optional ones only when `agent` is given). Flag `k` (in the order of the
    /// model) is bit `pattern` of `k + 1`.
    static func record(task: Int, customer: Int, agent: User?, pattern: Int = 0) -> FollowUpRecord {
        let flags = (1...7).map { ($0 >> pattern) & 1 == 1 }
        let at = Date(timeIntervalSince1970: 1_772_414_000.5)
        let record = FollowUpRecord()
        (record.taskID, record.customerID, record.agentID, record.agentName) = (task, customer, agent?.id, "王芳")
        (record.source, record.channel, record.startedAt, record.endedAt) = ("agent", "phone", at, at + 95)
        (record.durationSeconds, record.outcome, record.contactMade) = (95, "callback", flags[0])
        (record.completed, record.needsRetry, record.stopContacting) = (flags[1], flags[2], flags[3])
        (record.result, record.notes, record.recordingConsent) = ("callback", "客户\"稍后\"回电", flags[4])
        (record.recordingRef, record.corrections) = ("rec-1", "mobile: 1 → 2")
        (record.ticketProposed, record.surveyDeclined) = (flags[5], flags[6])
        if agent != nil {
            (record.nextAttemptAt, record.surveyID, record.ticketID, record.phoneCallID) = (
                at + 3_600, 4, 5, 6 + 2 * pattern
            )
        }
        return record
    }

    static func customer(agent: User?) -> Customer {
        let customer = Customer()
        (customer.name, customer.mobile, customer.email) = ("林\"小雨\"", "13800138000", "lin@example.cn")
        (customer.gender, customer.birthday, customer.registeredOn) = ("female", "1990-02-03", "2026-01-05")
        (customer.tier, customer.externalID, customer.$assignedAgent.id) = ("金卡", "M-\(UUID())", agent?.id)
        (customer.consent, customer.doNotDisturb, customer.notes) = (true, false, "晚上\n勿扰")
        customer.erasedAt = agent == nil ? Date(timeIntervalSince1970: 1_796_000_000.25) : nil
        return customer
    }

    static func change(_ customer: Int, _ actor: User?) -> CustomerChange {
        let change = CustomerChange()
        (change.customerID, change.at, change.actorID) = (
            customer, Date(timeIntervalSince1970: 1_796_000_009), actor?.id
        )
        (change.actorName, change.source, change.field) = ("王芳", "api", "mobile")
        (change.oldValue, change.newValue) = (actor == nil ? nil : "13800138000", "13900139000")
        return change
    }

    /// A ticket with every field set, optional ones included (only what the database sets is left out).
    static func ticket(_ customer: Customer, _ handler: User, openedBy opener: User) -> Ticket {
        let ticket = bare()
        (ticket.urgent, ticket.$customer.id, ticket.$handler.id) = (true, customer.id, handler.id)
        ticket.$department.id = handler.$department.id
        let at = Date(timeIntervalSince1970: 1_796_000_000.123456)
        (ticket.informDue, ticket.verificationDue, ticket.firstResponseAt) = (at, at + 60, at + 120)
        (ticket.resolvedAt, ticket.closedAt, ticket.informedAt, ticket.pausedAt) = (at + 1, at + 2, at + 3, at + 4)
        (ticket.verificationTaskID, ticket.taskID, ticket.callID) = (7, 8, 9)
        (ticket.measures, ticket.planOwner, ticket.planDue, ticket.compensation) = ("更换", "赵磊", "2026-12-03", "券")
        (ticket.extensions, ticket.customerSatisfied, ticket.openedByID) = (2, false, opener.id)
        ticket.pausedLeft = 3_600
        (ticket.listRank, ticket.listUrgency) = (3, -1.5)
        return ticket
    }

    static func bare() -> Ticket {
        let ticket = Ticket()
        (ticket.kind, ticket.category, ticket.severity, ticket.urgent) = (.complaint, "other", .serious, false)
        (ticket.source, ticket.description, ticket.status) = ("phone", "等待\"过长\"\n'说明'", .assigned)
        (ticket.reopenCount, ticket.policy, ticket.extensions) = (1, "标准", 0)
        ticket.firstResponseDue = Date(timeIntervalSince1970: 1_796_100_000.5)
        ticket.resolutionDue = Date(timeIntervalSince1970: 1_796_200_000)
        (ticket.measures, ticket.planOwner, ticket.compensation) = ("", "", "")
        ticket.updateListKey()
        return ticket
    }

    static func line(_ ticket: Int, _ actor: User?) -> TicketEntry {
        let entry = TicketEntry()
        (entry.$ticket.id, entry.at, entry.actorID) = (ticket, Date(timeIntervalSince1970: 1_796_000_001.25), actor?.id)
        (entry.actorName, entry.action, entry.oldStatus, entry.newStatus) = ("赵磊", "assign", "new", "assigned")
        entry.note = "交给售后部"
        return entry
    }

    /// Writes `byFluent` with `create(on:)` and `byInsert` with `insert(on:)`, one after the other: the second gets the
    /// next id, is known to exist, and its row holds what the first's does.
    static func expectSameRowAsCreate<M: RowInserted>(
        _ byFluent: M, _ byInsert: M, ignoring unique: [String] = [], on db: any Database
    ) async throws {
        try await byFluent.create(on: db)
        try await byInsert.insert(on: db)
        let (first, second) = (try #require(byFluent.id), try #require(byInsert.id))
        #expect(second == first + 1 && byInsert.idProperty.exists && !byInsert.hasChanges)
        try await expectSameRows(M.schema, first, second, ignoring: unique, on: db)
        // The moments of writing are stored as the model holds them (to the microsecond).
        let stamps = byInsert.insertedRow.filter { ["created_at", "updated_at"].contains($0.name) }
        let row = try #require(
            try await db.sql.raw("SELECT * FROM \(ident: M.schema) WHERE id = \(bind: second)").first())
        for stamp in stamps {
            let held = try #require(stamp.value as? Date, "\(M.self).\(stamp.name) is set")
            let stored = try row.decode(column: stamp.name, as: Date.self)
            #expect(abs(stored.timeIntervalSince(held)) < 0.000_01, "\(M.self).\(stamp.name)")
        }
    }

    /// The two rows hold the same value in every column but the id and the moments of writing.
    static func expectSameRows(
        _ table: String, _ first: Int, _ second: Int, ignoring unique: [String] = [], on db: any Database
    ) async throws {
        let rows = try await db.sql.raw(
            "SELECT * FROM \(ident: table) WHERE id IN (\(bind: first), \(bind: second)) ORDER BY id"
        ).all()
        try #require(rows.count == 2)
        let columns = rows[0].allColumns.filter { !(["id", "created_at", "updated_at"] + unique).contains($0) }
        #expect(columns.count >= (table == "tickets" ? 36 : 8) - unique.count)
        for column in columns {
            let (a, b) = (try Self.text(rows[0], column), try Self.text(rows[1], column))
            #expect(a == b, "\(table).\(column): \(a) by create, \(b) by insert")
        }
    }

    /// A column's value as text, whatever its type (both rows have the same types).
    static func text(_ row: any SQLRow, _ column: String) throws -> String {
        if try row.decodeNil(column: column) { return "NULL" }
        if let value = try? row.decode(column: column, as: String.self) { return "text \(value)" }
        if let value = try? row.decode(column: column, as: Int.self) { return "int \(value)" }
        if let value = try? row.decode(column: column, as: Double.self) { return "real \(value)" }
        if let value = try? row.decode(column: column, as: Date.self) { return "date \(value.timeIntervalSince1970)" }
        if let value = try? row.decode(column: column, as: UUID.self) { return "uuid \(value)" }
        return "bool \(try row.decode(column: column, as: Bool.self))"
    }

    static func fieldKeys(_ model: some Fields) -> [String] {
        model.properties.compactMap { $0 as? any AnyDatabaseProperty }.flatMap { $0.keys.map(\.description) }
    }
}
