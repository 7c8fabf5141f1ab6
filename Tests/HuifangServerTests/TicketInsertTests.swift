import FluentKit
import Foundation
import HuifangCore
import SQLKit
import Testing

@testable import HuifangServer

/// A new ticket and a timeline line are written by one hand-made statement each (`Ticket.insert`,
/// `TicketEntry.insert`), not by Fluent's `create(on:)`: the rows must be the ones `create(on:)` writes.
@Suite struct TicketInsertTests {
    /// Every field of the models is written (a field added to a model and not to its insert would be lost).
    @Test func theInsertsWriteEveryFieldOfTheirModels() {
        #expect(Ticket.insertedColumns == Self.fieldKeys(Ticket()).filter { $0 != "id" })
        #expect(TicketEntry.insertedColumns == Self.fieldKeys(TicketEntry()).filter { $0 != "id" })
    }

    @Test func aTicketAndItsLineAreTheRowsCreateWrites() async throws {
        try await withHuifang { app in
            let department = Department(name: "售后部")
            try await department.create(on: app.db)
            let handler = try await makeUser(app, .handler, username: "zhaolei", department: department.id).user
            let customer = Customer()
            (customer.name, customer.tier, customer.consent, customer.doNotDisturb) = ("林小雨", "普通", true, false)
            try await customer.create(on: app.db)
            let (byFluent, byInsert) = (Self.ticket(customer, handler), Self.ticket(customer, handler))
            try await byFluent.create(on: app.db)
            try await byInsert.insert(on: app.db)
            let inserted = try #require(byInsert.id)
            #expect(inserted == byFluent.id! + 1 && byInsert.$id.exists)
            try await Self.expectSameRows("tickets", byFluent.id!, inserted, on: app.db)
            let stamps = try await app.db.sql.raw(
                "SELECT created_at, updated_at FROM tickets WHERE id = \(bind: inserted)"
            ).first()
            let created = try #require(try stamps?.optional("created_at", as: Date.self))
            #expect(try stamps?.decode(column: "updated_at", as: Date.self) == created)
            // The model keeps the moment it wrote (the database keeps it to the microsecond).
            #expect(abs(created.timeIntervalSinceNow) < 600)
            #expect(abs(try #require(byInsert.createdAt).timeIntervalSince(created)) < 0.000_01)

            let (lineByFluent, lineByInsert) = (Self.line(inserted, handler), Self.line(inserted, handler))
            try await lineByFluent.create(on: app.db)
            try await lineByInsert.insert(on: app.db)
            #expect(lineByInsert.id == lineByFluent.id! + 1)
            try await Self.expectSameRows("ticket_entries", lineByFluent.id!, lineByInsert.id!, on: app.db)
            // Fields left empty are written as NULL too.
            let sparse = Self.line(inserted, nil)
            sparse.oldStatus = nil
            let sparseByFluent = Self.line(inserted, nil)
            sparseByFluent.oldStatus = nil
            try await sparseByFluent.create(on: app.db)
            try await sparse.insert(on: app.db)
            try await Self.expectSameRows("ticket_entries", sparseByFluent.id!, sparse.id!, on: app.db)
        }
    }

    @Test func aTicketWithItsOptionalFieldsEmptyIsTheRowCreateWrites() async throws {
        try await withHuifang { app in
            let (byFluent, byInsert) = (Self.bare(), Self.bare())
            try await byFluent.create(on: app.db)
            try await byInsert.insert(on: app.db)
            try await Self.expectSameRows("tickets", byFluent.id!, byInsert.id!, on: app.db)
        }
    }

    /// A ticket with every field set, optional ones included (only what the database sets is left out).
    static func ticket(_ customer: Customer, _ handler: User) -> Ticket {
        let ticket = bare()
        (ticket.urgent, ticket.$customer.id, ticket.$handler.id) = (true, customer.id, handler.id)
        ticket.$department.id = handler.$department.id
        let at = Date(timeIntervalSince1970: 1_796_000_000.123456)
        (ticket.informDue, ticket.verificationDue, ticket.firstResponseAt) = (at, at + 60, at + 120)
        (ticket.resolvedAt, ticket.closedAt, ticket.informedAt, ticket.pausedAt) = (at + 1, at + 2, at + 3, at + 4)
        (ticket.verificationTaskID, ticket.taskID, ticket.callID) = (7, 8, 9)
        (ticket.measures, ticket.planOwner, ticket.planDue, ticket.compensation) = ("更换", "赵磊", "2026-12-03", "券")
        (ticket.extensions, ticket.customerSatisfied, ticket.openedByID) = (2, false, handler.id)
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

    /// The two rows hold the same value in every column but the id and the moments of writing.
    static func expectSameRows(_ table: String, _ first: Int, _ second: Int, on db: any Database) async throws {
        let rows = try await db.sql.raw(
            "SELECT * FROM \(ident: table) WHERE id IN (\(bind: first), \(bind: second)) ORDER BY id"
        ).all()
        try #require(rows.count == 2)
        let columns = rows[0].allColumns.filter { !["id", "created_at", "updated_at"].contains($0) }
        #expect(columns.count >= (table == "tickets" ? 36 : 8))
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
