import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// One event as submitted through the API or read from a file row.
struct EventInput: Content {
    var externalID: String?
    var customerID: Int?
    var memberID: String?
    var mobile: String?
    var kind: String
    /// `2025-03-01`, `2025-03-01 14:30`, `2025-03-01T14:30:00` (organisation time) or with a zone offset.
    var occurredAt: String
    var attributes: [String: String]?
}

/// What happened to a batch of events; problems name the item (API index or file line), the field and why.
struct EventReport: Content {
    struct Problem: Content, Equatable {
        let line: Int
        let field: String
        let value: String
        let reason: String
    }
    var total = 0
    var created = 0
    var updated = 0
    var unchanged = 0
    var failed = 0
    var problems: [Problem] = []
    var applied = false
    var encoding: String?
}

/// Validates events, finds their customers and writes them, idempotent by external id.
struct EventIngest {
    let db: any Database
    let timeZone: TimeZone
    let language: Language
    /// When the events are stored (`created_at`).
    let now: Date

    private struct Resolved {
        let line: Int
        let customerID: Int
        let kind: String
        let occurredAt: Date
        let occurredOn: LocalDate
        let attributes: String
        let externalID: String?
    }

    /// - Parameters:
    ///   - allOrNothing: write nothing when any item is refused (the API); otherwise write the good ones (imports).
    func run(_ items: [(line: Int, input: EventInput)], source: String, allOrNothing: Bool, dryRun: Bool = false)
        async throws -> EventReport
    {
        var report = EventReport()
        report.total = items.count
        let kinds = try await kindNames()
        var resolved: [Resolved] = []
        var seenExternal: [String: Int] = [:]
        let directory = try await directory(for: items.map(\.input))
        for (line, input) in items {
            switch try check(input, line: line, kinds: kinds, directory: directory, seenExternal: &seenExternal) {
            case .resolved(let event):
                resolved.append(event)
            case .refused(let problems):
                report.failed += 1
                report.problems += problems
            }
        }
        if dryRun || (allOrNothing && report.failed > 0) { return report }
        let good = resolved
        let now = self.now
        let counts = try await db.bulkTransaction { db in try await Self.write(good, source: source, at: now, on: db) }
        report.created = counts.created
        report.updated = counts.updated
        report.unchanged = counts.unchanged
        report.applied = true
        return report
    }

    /// The event kinds by code (any case) and by name, and the list of them a refusal names.
    private struct KindNames {
        var byName: [String: String] = [:]
        var allowed = ""
    }

    private func kindNames() async throws -> KindNames {
        let kinds = try await EventKind.query(on: db).all()
        var names = KindNames()
        for kind in kinds {
            names.byName[kind.code.lowercased()] = kind.code
            names.byName[kind.name] = kind.code
        }
        names.allowed = kinds.map { "\($0.code)(\($0.name))" }.joined(separator: ", ")
        return names
    }

    private enum Checked {
        case resolved(Resolved)
        case refused([EventReport.Problem])
    }

    /// Checks one item: its kind, time, external id (not repeated in the batch), attributes and customer.
    private func check(
        _ input: EventInput, line: Int, kinds: KindNames, directory: CustomerDirectory,
        seenExternal: inout [String: Int]
    ) throws -> Checked {
        var problems: [EventReport.Problem] = []
        func refuse(_ field: String, _ value: String, _ key: String, _ args: [String] = []) {
            problems.append(.init(line: line, field: field, value: value, reason: Catalogue.text(key, language, args)))
        }
        let kindText = input.kind.trimmingWhitespace()
        let kind = kinds.byName[kindText.lowercased()] ?? kinds.byName[kindText]
        if kind == nil {
            refuse(
                "kind", input.kind, kindText.isEmpty ? "problem.required" : "events.problem.unknownKind",
                [kinds.allowed])
        }
        // A day of the working calendar (1900 to 2199): rules count days and months on from it.
        let time = LocalTime.parse(input.occurredAt, in: timeZone).flatMap {
            BusinessCalendar.dates.contains($0.date) ? $0 : nil
        }
        if time == nil { refuse("occurredAt", input.occurredAt, "events.problem.invalidTime") }
        let external = input.externalID?.trimmingWhitespace().nilIfEmpty
        if let external, external.count > 64 { refuse("externalID", external, "problem.tooLong", ["64"]) }
        for (key, value) in input.attributes ?? [:]
        where TextLimit.exceeds(key, TextLimit.name)
            || TextLimit.exceeds(value, TextLimit.line)
        {
            refuse(
                "attributes." + String(key.prefix(TextLimit.name)), String(value.prefix(40)), "problem.tooLong",
                [String(TextLimit.exceeds(key, TextLimit.name) ? TextLimit.name : TextLimit.line)])
        }
        if let external, let first = seenExternal[external] {
            refuse("externalID", external, "problem.duplicateInFile", [String(first)])
        }
        if let external, seenExternal[external] == nil { seenExternal[external] = line }
        var customer: Int?
        do {
            customer = try directory.find(input)
        } catch let problem as FieldProblem {
            let (field, value) =
                input.customerID != nil
                ? ("customerID", String(input.customerID!))
                : input.memberID?.nilIfEmpty != nil ? ("memberID", input.memberID!) : ("mobile", input.mobile ?? "")
            refuse(field, value, problem.catalogueEntry.key, problem.catalogueEntry.arguments)
        } catch let key as CustomerLookupFailure {
            refuse(
                input.memberID?.nilIfEmpty != nil
                    ? "memberID" : input.mobile?.nilIfEmpty != nil ? "mobile" : "customerID",
                input.memberID ?? input.mobile ?? input.customerID.map(String.init) ?? "", key.key)
        }
        guard problems.isEmpty, let kind, let time, let customer else { return .refused(problems) }
        let attributes = (input.attributes ?? [:]).filter { !$0.value.trimmingWhitespace().isEmpty }.mapValues(
            Self.normalisedDate)
        return .resolved(
            Resolved(
                line: line, customerID: customer, kind: kind, occurredAt: time.instant, occurredOn: time.date,
                attributes: ServiceEvent.encode(attributes), externalID: external))
    }

    struct CustomerLookupFailure: Error { let key: String }

    /// Finds the customers a batch names, a few queries for the whole batch.
    struct CustomerDirectory {
        var ids: Set<Int> = []
        var byMember: [String: Int] = [:]
        var byMobile: [String: [Int]] = [:]

        func find(_ input: EventInput) throws -> Int {
            if let id = input.customerID {
                guard ids.contains(id) else { throw CustomerLookupFailure(key: "events.problem.unknownCustomer") }
                return id
            }
            if let member = input.memberID?.trimmingWhitespace().nilIfEmpty {
                guard let id = byMember[member] else {
                    throw CustomerLookupFailure(key: "events.problem.unknownCustomer")
                }
                return id
            }
            if let mobile = input.mobile?.trimmingWhitespace().nilIfEmpty {
                let phone = try PhoneNumber(parsing: mobile)
                let found = byMobile[phone.e164] ?? []
                guard !found.isEmpty else { throw CustomerLookupFailure(key: "events.problem.unknownCustomer") }
                guard found.count == 1 else { throw FieldProblem.mobileMatchesSeveral }
                return found[0]
            }
            throw CustomerLookupFailure(key: "events.problem.customerRequired")
        }
    }

    private struct KeyRow: Decodable {
        let id: Int
        let external_id: String?
        let mobile: String?
    }

    func directory(for inputs: [EventInput]) async throws -> CustomerDirectory {
        var directory = CustomerDirectory()
        let sql = db.sql
        let ids = Array(Set(inputs.compactMap(\.customerID)))
        let members = Array(Set(inputs.compactMap { $0.memberID?.trimmingWhitespace().nilIfEmpty }))
        let mobiles = Array(
            Set(
                inputs.compactMap { $0.mobile?.trimmingWhitespace().nilIfEmpty }.compactMap {
                    try? PhoneNumber(parsing: $0).e164
                }))
        for chunk in ids.chunked(500) {
            for row in try await sql.raw(
                "SELECT id, external_id, mobile FROM customers WHERE id IN (\(binds: Array(chunk))) AND erased_at IS NULL"
            ).all(decoding: KeyRow.self) {
                directory.ids.insert(row.id)
            }
        }
        for chunk in members.chunked(500) {
            for row in try await sql.raw(
                "SELECT id, external_id, mobile FROM customers WHERE external_id IN (\(binds: Array(chunk)))"
            ).all(decoding: KeyRow.self) {
                if let member = row.external_id { directory.byMember[member] = row.id }
            }
        }
        for chunk in mobiles.chunked(500) {
            for row in try await sql.raw(
                "SELECT id, external_id, mobile FROM customers WHERE mobile IN (\(binds: Array(chunk)))"
            ).all(decoding: KeyRow.self) {
                if let mobile = row.mobile { directory.byMobile[mobile, default: []].append(row.id) }
            }
        }
        return directory
    }

    private static func write(_ events: [Resolved], source: String, at now: Date, on db: any Database) async throws -> (
        created: Int, updated: Int, unchanged: Int
    ) {
        var created = 0
        var updated = 0
        var unchanged = 0
        let externals = events.compactMap(\.externalID)
        var existing: [String: ServiceEvent] = [:]
        for chunk in externals.chunked(500) {
            for event in try await ServiceEvent.query(on: db).filter(\.$externalID ~~ Array(chunk)).all() {
                existing[event.externalID!] = event
            }
        }
        var fresh: [Resolved] = []
        var touched = Set(events.map(\.customerID))
        for event in events {
            guard let external = event.externalID, let stored = existing[external] else {
                fresh.append(event)
                continue
            }
            if stored.$customer.id == event.customerID, stored.kind == event.kind,
                stored.occurredOn == event.occurredOn.iso,
                abs(stored.occurredAt.timeIntervalSince(event.occurredAt)) < 1, stored.attributes == event.attributes
            {
                unchanged += 1
                continue
            }
            touched.insert(stored.$customer.id)
            stored.$customer.id = event.customerID
            stored.kind = event.kind
            stored.occurredAt = event.occurredAt
            stored.occurredOn = event.occurredOn.iso
            stored.attributes = event.attributes
            try await stored.update(on: db)
            updated += 1
        }
        let sql = db.sql
        for chunk in fresh.chunked(500) {
            let insert = sql.insert(into: ServiceEvent.schema)
                .columns(
                    "customer_id", "kind", "occurred_at", "occurred_on", "attributes", "external_id", "source",
                    "created_at")
            for event in chunk {
                insert.values(
                    SQLBind(event.customerID), SQLBind(event.kind), SQLBind(event.occurredAt),
                    SQLBind(event.occurredOn.iso),
                    SQLBind(event.attributes), SQLBind(event.externalID), SQLBind(source), SQLBind(now))
            }
            try await insert.run()
            created += chunk.count
        }
        try await refreshLastEvent(of: Array(touched), on: db)
        return (created, updated, unchanged)
    }

    /// Sets each customer's `last_event_on`, which churn rules read.
    static func refreshLastEvent(of customers: [Int], on db: any Database) async throws {
        let sql = db.sql
        for chunk in customers.chunked(500) {
            try await sql.raw(
                """
                UPDATE customers SET last_event_on = (SELECT MAX(occurred_on) FROM events WHERE events.customer_id = customers.id)
                WHERE id IN (\(binds: Array(chunk)))
                """
            ).run()
        }
    }

    /// A date value (`2025/12/31`, `2025年12月31日`) as `2025-12-31`, so rules can compare dates as text; other values unchanged.
    static func normalisedDate(_ value: String) -> String {
        let text = value.trimmingWhitespace()
        guard text.count <= 11, text.contains(where: { "-/.年".contains($0) }), let date = LocalDate(parsing: text)
        else { return value }
        return date.iso
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
