import Foundation
import HuifangCore
import Vapor

/// Who may read `/metrics`: a caller with the token, or one whose address is listed. Neither configured: off.
public struct MetricsAccess: Sendable, Equatable {
    /// `HUIFANG_METRICS_TOKEN`, sent as `Authorization: Bearer TOKEN`.
    public var token: String?
    /// `HUIFANG_METRICS_ALLOW`: addresses or CIDR blocks whose callers need no token.
    public var allowed: [TrustedProxies.Network]

    public init(token: String? = nil, allowed: [TrustedProxies.Network] = []) {
        self.token = token
        self.allowed = allowed
    }

    public var isOn: Bool { token != nil || !allowed.isEmpty }

    /// Whether a caller with this bearer token (if any) from this address may read the metrics. The address is
    /// the client's as `Request.clientAddress` finds it, so a proxy on an allowed address does not open the door
    /// to everyone behind it unless it is a trusted proxy whose `X-Forwarded-For` names an allowed client.
    func allows(bearer: String?, address: String) -> Bool {
        if let token, let bearer, SMSInboundController.same(bearer, token) { return true }
        guard let bytes = IPAddress.bytes(address) else { return false }
        return allowed.contains { $0.contains(bytes) }
    }
}

/// `GET /metrics`: everything swift-metrics recorded, in Prometheus' text format, with the outbox's gauges read
/// from the database at the scrape. Refused (404, as if it did not exist) to anyone else, and off unless configured.
struct MetricsController: RouteCollection {
    let access: MetricsAccess

    func boot(routes: any RoutesBuilder) throws {
        guard access.isOn else { return }
        MetricsRegistry.bootstrap()
        routes.get("metrics", use: scrape)
    }

    @Sendable func scrape(req: Request) async throws -> Response {
        guard access.allows(bearer: req.headers.bearerAuthorization?.token, address: req.clientAddress) else {
            throw AppError.notFound
        }
        try await OutboxMetrics.update(on: req.db)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(
            type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(string: MetricsRegistry.text()))
    }
}
