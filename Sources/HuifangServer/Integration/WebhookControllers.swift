import Fluent
import Foundation
import HuifangCore
import Vapor

/// Admins register the endpoints, read each one's delivery log and send a delivery again (`/api/v1/webhooks`).
struct WebhookAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let webhooks = routes.grouped("webhooks").guarded(.administration, .api)
        webhooks.get(use: list)
        webhooks.post(use: create)
        webhooks.delete(":id", use: delete)
        webhooks.get(":id", "deliveries", use: deliveries)
        webhooks.post(":id", "deliveries", ":delivery", "redeliver", use: redeliver)
    }

    struct Input: Content {
        let url: String
        let events: [String]
        /// Whose masking personal data follows (default `analyst`: contact details masked).
        let role: String?
    }

    struct EndpointDTO: Content {
        let id: Int
        let url: String
        let events: [String]
        let role: String
        let createdAt: String
        /// Only in the answer that registers the endpoint.
        let secret: String?

        init(_ endpoint: WebhookEndpoint, showingSecret: Bool = false) {
            (id, url, events, role) = (endpoint.id!, endpoint.url, endpoint.eventTypes, endpoint.role)
            createdAt = Webhooks.instant(Date(timeIntervalSince1970: endpoint.createdAt))
            secret = showingSecret ? endpoint.secret : nil
        }
    }

    struct DeliveryDTO: Content {
        let id: Int
        let eventID: String
        let eventType: String
        let status: String
        let attempts: Int
        let createdAt: String
        let nextAttemptAt: String?
        let sentAt: String?
        let responseStatus: Int?
        let responseBody: String?
        let lastError: String?
        let redeliveryOf: Int?
        let body: String

        init(_ delivery: WebhookDelivery) {
            func instant(_ seconds: Double) -> String { Webhooks.instant(Date(timeIntervalSince1970: seconds)) }
            (id, eventID, eventType) = (delivery.id!, delivery.eventID, delivery.eventType)
            (status, attempts) = (delivery.status.rawValue, delivery.attempts)
            createdAt = instant(delivery.createdAt)
            nextAttemptAt = delivery.status == .pending ? instant(delivery.nextAttemptAt) : nil
            sentAt = delivery.sentAt.map(instant)
            (responseStatus, responseBody) = (delivery.responseStatus, delivery.responseBody)
            (lastError, redeliveryOf, body) = (delivery.lastError, delivery.redeliveryOf, delivery.body)
        }
    }

    @Sendable func list(req: Request) async throws -> [EndpointDTO] {
        try await WebhookEndpoint.query(on: req.db).sort(\.$id).all().map { EndpointDTO($0) }
    }

    @Sendable func create(req: Request) async throws -> Response {
        let input = try req.content.decode(Input.self)
        let endpoint = try await WebhookAdmin(req).register(url: input.url, events: input.events, role: input.role)
        return try await EndpointDTO(endpoint, showingSecret: true).encodeResponse(status: .created, for: req)
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await WebhookAdmin(req).remove(try await req.webhookEndpoint())
        return .noContent
    }

    /// The newest 100 deliveries, each with its body (personal data as the endpoint's role sees it): audited.
    @Sendable func deliveries(req: Request) async throws -> [DeliveryDTO] {
        try await WebhookAdmin(req).deliveries(of: try await req.webhookEndpoint()).map(DeliveryDTO.init)
    }

    /// Queues the same event (its id and body) to the endpoint again, as a new delivery sent at the next run.
    @Sendable func redeliver(req: Request) async throws -> Response {
        let copy = try await WebhookAdmin(req).redeliver(
            req.parameters.get("delivery", as: Int.self), of: try await req.webhookEndpoint())
        return try await DeliveryDTO(copy).encodeResponse(status: .accepted, for: req)
    }
}

/// What admins do with webhook endpoints, from the API and from the page, each audited.
struct WebhookAdmin {
    let db: any Database
    let actor: Actor
    let now: Date

    init(_ req: Request) {
        (db, actor, now) = (req.db, req.actor, req.now)
    }

    /// Registers an endpoint with a new secret (shown to the admin once, in the answer that registers it).
    func register(url: String, events: [String], role: String?) async throws -> WebhookEndpoint {
        let endpoint = WebhookEndpoint()
        endpoint.url = try Self.checkedURL(url)
        let known = Set(WebhookEventType.allCases.map(\.rawValue))
        guard !events.isEmpty, events.allSatisfy(known.contains) else {
            throw NamedFieldError(field: "events", key: "webhook.problem.events")
        }
        endpoint.events = Array(Set(events)).sorted().joined(separator: ",")
        guard let role = Role(rawValue: role?.nilIfEmpty ?? Role.analyst.rawValue) else {
            throw NamedFieldError(field: "role", key: "webhook.problem.role")
        }
        endpoint.role = role.rawValue
        endpoint.secret = WebhookSignature.newSecret()
        endpoint.createdAt = now.timeIntervalSince1970
        try await db.transaction { db in
            try await endpoint.create(on: db)
            try await AuditLog.record(
                "webhook.create", by: actor, subjectType: "webhook", subjectID: String(endpoint.id!),
                detail: "\(endpoint.url) \(endpoint.events) role=\(endpoint.role)", at: now, on: db)
        }
        return endpoint
    }

    /// HTTPS anywhere; plain HTTP only to this machine (a receiver under test), never over a network.
    static func checkedURL(_ text: String) throws -> String {
        let url = text.trimmingWhitespace()
        guard url.count <= TextLimit.line, let parsed = URL(string: url), let host = parsed.host?.lowercased(),
            !host.isEmpty
        else { throw NamedFieldError(field: "url", key: "webhook.problem.url") }
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        guard parsed.scheme == "https" || (parsed.scheme == "http" && loopback) else {
            throw NamedFieldError(field: "url", key: "webhook.problem.url")
        }
        return url
    }

    /// Removes the endpoint with its delivery log.
    func remove(_ endpoint: WebhookEndpoint) async throws {
        try await db.transaction { db in
            try await WebhookDelivery.query(on: db).filter(\.$endpointID == endpoint.id!).delete()
            try await endpoint.delete(on: db)
            try await AuditLog.record(
                "webhook.delete", by: actor, subjectType: "webhook", subjectID: String(endpoint.id!),
                detail: endpoint.url, at: now, on: db)
        }
    }

    /// The newest 100 deliveries, each with its body (personal data as the endpoint's role sees it): audited.
    func deliveries(of endpoint: WebhookEndpoint) async throws -> [WebhookDelivery] {
        let rows = try await WebhookDelivery.query(on: db).filter(\.$endpointID == endpoint.id!)
            .sort(\.$id, .descending).limit(100).all()
        try await AuditLog.record(
            "webhook.deliveries", by: actor, subjectType: "webhook", subjectID: String(endpoint.id!),
            detail: "count=\(rows.count)", at: now, on: db)
        return rows
    }

    /// Queues the same event (its id and body) to the endpoint again, as a new delivery sent at the next run.
    func redeliver(_ id: Int?, of endpoint: WebhookEndpoint) async throws -> WebhookDelivery {
        guard let id,
            let original = try await WebhookDelivery.query(on: db).filter(\.$id == id)
                .filter(\.$endpointID == endpoint.id!).first()
        else { throw AppError.notFound }
        guard !original.body.isEmpty else { throw AppError(.conflict, "webhook.problem.purged") }
        let copy = WebhookDelivery()
        (copy.endpointID, copy.eventID, copy.eventType, copy.body) =
            (endpoint.id!, original.eventID, original.eventType, original.body)
        (copy.status, copy.attempts, copy.redeliveryOf) = (.pending, 0, original.id)
        (copy.createdAt, copy.nextAttemptAt) = (now.timeIntervalSince1970, now.timeIntervalSince1970)
        try await db.transaction { db in
            try await copy.create(on: db)
            try await AuditLog.record(
                "webhook.redeliver", by: actor, subjectType: "webhook", subjectID: String(endpoint.id!),
                detail: "delivery=\(original.id!)", at: now, on: db)
        }
        return copy
    }
}

extension Request {
    func webhookEndpoint() async throws -> WebhookEndpoint {
        guard let id = parameters.get("id", as: Int.self), let endpoint = try await WebhookEndpoint.find(id, on: db)
        else { throw AppError.notFound }
        return endpoint
    }
}
