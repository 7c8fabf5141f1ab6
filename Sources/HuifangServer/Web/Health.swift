import Fluent
import SQLKit
import Vapor

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: check)
    }

    struct Status: Content {
        let status: String
        let database: String
    }

    @Sendable func check(req: Request) async throws -> Response {
        do {
            _ = try await req.db.sql.raw("SELECT 1").all()
            return try await Status(status: "ok", database: "ok").encodeResponse(status: .ok, for: req)
        } catch {
            req.logger.error("health check: database did not answer: \(String(reflecting: error))")
            // The database's own words (host names, users) stay in the log, not in a public answer.
            return try await Status(status: "unavailable", database: "unavailable")
                .encodeResponse(status: .serviceUnavailable, for: req)
        }
    }
}
