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
    /// What people read for each attribute's key (`warranty_until` → 质保截止日), in the caller's language.
    let attributeNames: [String: String]
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
        let report = try await req.domain.events.importCSV(bytes, dryRun: try req.flagQuery("dryRun") ?? false)
        try await req.domain.audit(
            "event.import", subjectType: "event", detail: "created=\(report.created) failed=\(report.failed)")
        return report
    }

    @Sendable func list(req: Request) async throws -> [EventView] {
        let customer = try await req.customer()
        return try await EventView.list(customerID: customer.id!, on: req)
    }

    /// An event kind: its code, its name as stored and as the caller reads it, and its attributes' names.
    struct Kind: Content {
        let code: String
        let name: String
        var label: String?
        var attributes: [NamedCodeDTO]?
    }

    @Sendable func kinds(req: Request) async throws -> [Kind] {
        try await Self.kindViews(on: req)
    }

    static func kindViews(on req: Request) async throws -> [Kind] {
        let names = req.domain.names
        let labels = try await names.eventKindNames()
        let attributeNames = try await names.eventAttributeNames()
        let attributes = Dictionary(
            grouping: try await EventAttribute.query(on: req.db).sort(\.$position).all(), by: \.kind)
        return try await EventKind.query(on: req.db).sort(\.$code).all().map { kind in
            Kind(
                code: kind.code, name: kind.name, label: labels[kind.code],
                attributes: (attributes[kind.code] ?? []).map {
                    NamedCodeDTO(
                        code: $0.key, name: $0.name, label: attributeNames.name(of: $0.key, kind: kind.code),
                        active: nil)
                })
        }
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
        let names = try await req.domain.names.eventKindNames()
        let attributeNames = try await req.domain.names.eventAttributeNames()
        return try await ServiceEvent.query(on: req.db).filter(\.$customer.$id == customerID).sort(
            \.$occurredAt, .descending
        ).limit(200).all().map { event in
            let values = attributes ? event.attributeValues : [:]
            return EventView(
                id: event.id!, kind: event.kind, kindName: names[event.kind] ?? event.kind,
                occurredAt: req.application.huifang.formatDateTime(event.occurredAt), attributes: values,
                attributeNames: Dictionary(
                    values.keys.map { ($0, attributeNames.name(of: $0, kind: event.kind)) },
                    uniquingKeysWith: { a, _ in a }),
                externalID: event.externalID)
        }
    }
}

extension Request {
}
