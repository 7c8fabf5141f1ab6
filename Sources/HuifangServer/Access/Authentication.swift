import Fluent
import Vapor

/// Signs in the session's user on pages, if the session holds an active one.
struct SessionUserAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.hasSession, let raw = request.session.data["uid"], let id = UUID(uuidString: raw),
           let user = try await User.find(id, on: request.db), user.isActive {
            request.auth.login(user)
        }
        return try await next.respond(to: request)
    }
}

/// Signs in the API client whose `Authorization: Bearer` token is live.
struct BearerUserAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        guard let token = try await APIToken.query(on: request.db)
            .filter(\.$tokenHash == APIToken.digest(bearer.token))
            .filter(\.$revokedAt == nil)
            .with(\.$user)
            .first(), token.user.isActive else { return }
        token.lastUsedAt = Date()
        try await token.save(on: request.db)
        request.auth.login(token.user)
    }
}

/// Refuses a form post whose `_csrf` field (or `X-CSRF-Token` header) does not
/// match the token kept in the session.
struct CSRFProtection: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method != .GET, request.method != .HEAD else {
            return try await next.respond(to: request)
        }
        if request.body.data == nil {
            let limit = request.application.huifang.maxUploadMegabytes * 1024 * 1024
            _ = try await request.body.collect(max: limit).get()
        }
        let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.get(String.self, at: "_csrf"))
        guard request.hasSession, let expected = request.session.data["csrf"], let sent,
              constantTimeEquals(Array(sent.utf8), Array(expected.utf8)) else {
            throw AppError.csrf
        }
        return try await next.respond(to: request)
    }

    private func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The session's CSRF token, made on first use.
    var csrfToken: String {
        if let token = session.data["csrf"] { return token }
        let token = [UInt8].random(count: 24).base64String()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        session.data["csrf"] = token
        return token
    }
}
