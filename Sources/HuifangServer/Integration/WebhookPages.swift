import Fluent
import Foundation
import HuifangCore
import Vapor

/// `/webhooks`, for admins: the endpoints with their delivery counts, a form to register one (its secret shown once,
/// on the page that registers it), each endpoint's delivery log with 重新投递, and removal.
struct WebhookPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let webhooks = routes.grouped("webhooks").guarded(.administration, .page)
        webhooks.get(use: list)
        webhooks.post(use: create)
        webhooks.get(":id", use: show)
        webhooks.post(":id", "delete", use: delete)
        webhooks.post(":id", "deliveries", ":delivery", "redeliver", use: redeliver)
    }

    struct Row: Encodable {
        let id: Int
        let url: String
        let events: String
        let role: String
        let createdAt: String
        let sent: Int
        let pending: Int
        let failed: Int
    }
    struct Option: Encodable {
        let value: String
        let label: String
        let checked: Bool
    }
    struct Registered: Encodable {
        let url: String
        let secret: String
    }
    struct ListPage: Encodable {
        let rows: [Row]
        let url: String
        let events: [Option]
        let roles: [SelectOption]
        let registered: Registered?
        let error: String?
    }
    struct DeliveryRow: Encodable {
        let id: Int
        let eventID: String
        let eventType: String
        let status: String
        let statusKey: String
        let attempts: Int
        let createdAt: String
        let sentAt: String
        let responseStatus: Int?
        let lastError: String
        let body: String
        let canRedeliver: Bool
    }
    struct ShowPage: Encodable {
        let endpoint: Row
        let deliveries: [DeliveryRow]
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await page(req)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        let events = WebhookEventType.allCases.map(\.rawValue).filter { form["event.\($0)"] != nil }
        let url = form["url"] ?? ""
        do {
            let endpoint = try await WebhookAdmin(req).register(url: url, events: events, role: form["role"])
            // Rendered, not redirected: the secret is shown on this page once, kept in no session nor any cache.
            let response = try await page(req, registered: Registered(url: endpoint.url, secret: endpoint.secret))
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        } catch let error as NamedFieldError {
            let message = req.t("webhooks.field.\(error.field)") + "：" + Catalogue.text(error.key, req.language)
            return try await page(req, url: url, events: Set(events), role: form["role"], error: message)
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let endpoint = try await req.webhookEndpoint()
        let config = req.application.huifang
        let rows = try await WebhookAdmin(req).deliveries(of: endpoint).map { delivery in
            DeliveryRow(
                id: delivery.id!, eventID: delivery.eventID, eventType: Self.label(delivery.eventType, req),
                status: delivery.status.rawValue, statusKey: req.t("webhooks.status.\(delivery.status.rawValue)"),
                attempts: delivery.attempts,
                createdAt: config.formatDateTime(Date(timeIntervalSince1970: delivery.createdAt)),
                sentAt: config.formatDateTime(delivery.sentAt.map(Date.init(timeIntervalSince1970:))),
                responseStatus: delivery.responseStatus, lastError: delivery.lastError ?? "", body: delivery.body,
                canRedeliver: !delivery.body.isEmpty)
        }
        let row = try await Self.rows(req, [endpoint])[0]
        return try await req.renderPage(
            "webhooks/show", titleKey: "webhooks.deliveries", titleArguments: [endpoint.url],
            ShowPage(endpoint: row, deliveries: rows))
    }

    @Sendable func delete(req: Request) async throws -> Response {
        try await WebhookAdmin(req).remove(try await req.webhookEndpoint())
        req.flash("webhooks.removed")
        return req.redirect(to: "/webhooks")
    }

    @Sendable func redeliver(req: Request) async throws -> Response {
        let endpoint = try await req.webhookEndpoint()
        do {
            _ = try await WebhookAdmin(req).redeliver(req.parameters.get("delivery", as: Int.self), of: endpoint)
            req.flash("webhooks.queued")
        } catch let error as AppError where error.status == .conflict {
            req.flash("webhook.problem.purged")
        }
        return req.redirect(to: "/webhooks/\(endpoint.id!)")
    }

    private func page(
        _ req: Request, url: String = "", events: Set<String> = [], role: String? = nil,
        registered: Registered? = nil, error: String? = nil
    ) async throws -> Response {
        let endpoints = try await WebhookEndpoint.query(on: req.db).sort(\.$id).all()
        let chosen = role?.nilIfEmpty ?? Role.analyst.rawValue
        let context = ListPage(
            rows: try await Self.rows(req, endpoints), url: url,
            events: WebhookEventType.allCases.map {
                Option(value: $0.rawValue, label: Self.label($0.rawValue, req), checked: events.contains($0.rawValue))
            },
            roles: Role.allCases.map {
                SelectOption(value: $0.rawValue, label: req.t("role.\($0.rawValue)"), selected: $0.rawValue == chosen)
            },
            registered: registered, error: error)
        let response = try await req.renderPage("webhooks/index", titleKey: "webhooks.title", context)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    static func label(_ eventType: String, _ req: Request) -> String {
        req.t("webhooks.event.\(eventType)") + " (\(eventType))"
    }

    /// The endpoints as listed, with how many of their deliveries were sent, wait, or failed.
    static func rows(_ req: Request, _ endpoints: [WebhookEndpoint]) async throws -> [Row] {
        var counts: [Int: [WebhookDelivery.Status: Int]] = [:]
        for endpoint in endpoints {
            for status in [WebhookDelivery.Status.sent, .pending, .failed] {
                counts[endpoint.id!, default: [:]][status] = try await WebhookDelivery.query(on: req.db)
                    .filter(\.$endpointID == endpoint.id!).filter(\.$status == status).count()
            }
        }
        return endpoints.map { endpoint in
            let count = counts[endpoint.id!] ?? [:]
            return Row(
                id: endpoint.id!, url: endpoint.url,
                events: endpoint.eventTypes.map { req.t("webhooks.event.\($0)") }.joined(separator: "、"),
                role: req.t("role.\(endpoint.role)"),
                createdAt: req.application.huifang.formatDateTime(Date(timeIntervalSince1970: endpoint.createdAt)),
                sent: count[.sent] ?? 0, pending: count[.pending] ?? 0, failed: count[.failed] ?? 0)
        }
    }
}
