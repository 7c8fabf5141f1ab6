import Fluent
import Foundation
import HuifangCore
import Vapor

/// One event as the API and the customer's timeline show it.
struct EventView: Content {
    let id: Int
    let kind: String
    let kindName: String
    let occurredAt: String
    let attributes: [String: String]
    let externalID: String?
}

struct EventAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let write = routes.grouped("events").guarded(.eventsWrite, .api)
        write.post(use: create)
        write.upload("import", use: importFile)
        routes.grouped("customers", ":id", "events").guarded(.customersRead, .api).get(use: list)
        routes.grouped("event-kinds").guarded(.customersRead, .api).get(use: kinds)
        routes.grouped("event-kinds").guarded(.administration, .api).post(use: addKind)
    }

    /// One event, or `{"events": [...]}`; all or nothing.
    struct Batch: Content { let events: [EventInput] }

    @Sendable func create(req: Request) async throws -> Response {
        let items: [EventInput]
        if let batch = try? req.content.decode(Batch.self) {
            items = batch.events
        } else {
            items = [try req.content.decode(EventInput.self)]
        }
        let report = try await req.domain.events.run(
            items.enumerated().map { ($0.offset + 1, $0.element) }, source: "api", allOrNothing: true)
        try await req.domain.audit(
            "event.create", subjectType: "event",
            detail: "created=\(report.created) updated=\(report.updated) failed=\(report.failed)")
        let response = Response(
            status: report.failed > 0 ? .unprocessableEntity : (report.created > 0 ? .created : .ok))
        try response.content.encode(report)
        return response
    }

    /// A CSV file as the body (`?dryRun=true` checks only): good rows are applied, every refused one reported by line.
    @Sendable func importFile(req: Request) async throws -> EventReport {
        let bytes = Array(req.body.data?.readableBytesView ?? ByteBuffer().readableBytesView)
        let report = try await req.domain.events.importCSV(bytes, dryRun: req.query[Bool.self, at: "dryRun"] ?? false)
        try await req.domain.audit(
            "event.import", subjectType: "event", detail: "created=\(report.created) failed=\(report.failed)")
        return report
    }

    @Sendable func list(req: Request) async throws -> [EventView] {
        let customer = try await req.customer()
        return try await EventView.list(customerID: customer.id!, on: req)
    }

    struct Kind: Content {
        let code: String
        let name: String
    }

    @Sendable func kinds(req: Request) async throws -> [Kind] {
        try await EventKind.query(on: req.db).sort(\.$code).all().map { Kind(code: $0.code, name: $0.name) }
    }

    @Sendable func addKind(req: Request) async throws -> Response {
        let input = try req.content.decode(Kind.self)
        try await req.domain.eventKinds.add(code: input.code, name: input.name)
        return Response(status: .created)
    }
}

/// Adds service event kinds (admins); the code is what files and the API name, the name what people read.
struct EventKindService {
    let db: any Database
    let actor: Actor
    /// The instant of what it does (the request's, or the clock's for the command line).
    let now: Date

    func add(code raw: String, name raw2: String) async throws {
        let code = raw.trimmingWhitespace().lowercased()
        let name = raw2.trimmingWhitespace()
        guard !code.isEmpty, code.count <= 40,
            code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            throw NamedFieldError(field: "code", key: "events.problem.code")
        }
        guard !name.isEmpty, name.count <= 20 else { throw NamedFieldError(field: "name", key: "problem.required") }
        guard
            try await EventKind.query(on: db).group(.or, { $0.filter(\.$code == code).filter(\.$name == name) }).count()
                == 0
        else {
            throw NamedFieldError(field: "code", key: "events.problem.kindTaken")
        }
        try await db.transaction { db in
            try await EventKind(code: code, name: name).create(on: db)
            try await AuditLog.record(
                "eventKind.create", by: actor, subjectType: "eventKind", subjectID: code, detail: name, at: now, on: db)
        }
    }
}

extension EventView {
    /// A customer's events; their attributes (a hospital's department, a car model) are left out for
    /// analysts, who read them in aggregate only.
    static func list(customerID: Int, on req: Request) async throws -> [EventView] {
        let attributes = ObjectScope.seesEventAttributes(try req.viewer)
        let names = Dictionary(
            try await EventKind.query(on: req.db).all().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try await ServiceEvent.query(on: req.db).filter(\.$customer.$id == customerID).sort(
            \.$occurredAt, .descending
        ).limit(200).all().map {
            EventView(
                id: $0.id!, kind: $0.kind, kindName: names[$0.kind] ?? $0.kind,
                occurredAt: req.application.huifang.formatDateTime($0.occurredAt),
                attributes: attributes ? $0.attributeValues : [:], externalID: $0.externalID)
        }
    }
}

extension Request {
}
