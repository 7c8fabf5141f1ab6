import Fluent
import FluentSQL
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Signs in the session's user on pages while the session is alive (within its idle and absolute
/// limits) and the user active; otherwise empties the session, which then ends.
struct SessionUserAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.hasSession, let raw = request.session.data[SessionKey.user] else {
            return try await next.respond(to: request)
        }
        let now = request.now
        if let user = try await Self.liveUser(of: request.session.data, request, now: now) {
            request.auth.login(user)
            request.session.data[SessionKey.lastSeen] = String(now.timeIntervalSince1970)
        } else {
            request.session.data = SessionData()  // AnonymousSessionDiscard deletes the row
        }
        return try await next.respond(to: request)
    }

    /// The user a session's data signs in: while the session is alive at `now` and the user active.
    static func liveUser(of data: SessionData, _ request: Request, now: Date) async throws -> User? {
        guard request.application.huifang.sessionLifetime.isAlive(data, now: now),
            let id = data[SessionKey.user].flatMap(UUID.init(uuidString:)),
            let user = try await User.find(id, on: request.db), user.isActive
        else {
            return nil
        }
        return user
    }
}

/// Signs in a live stream's user from the session cookie, reading the session and never writing it: Vapor writes
/// a request's session back when it answers, and a stream's copy would undo the `lastSeen` a page request wrote
/// meanwhile (nor is an open tab use that keeps a session alive). The global sessions middleware skips these paths
/// (`SessionsMiddlewareSkipping`).
struct ReadOnlySessionAuthenticator: AsyncMiddleware {
    private struct SessionIDKey: StorageKey { typealias Value = SessionID }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let sessions = request.application.sessions
        if let cookie = request.cookies[sessions.configuration.cookieName]?.string {
            let id = SessionID(string: cookie)
            if let data = try await sessions.driver.readSession(id, for: request).get(),
                let user = try await SessionUserAuthenticator.liveUser(of: data, request, now: request.now)
            {
                request.auth.login(user)
                request.storage[SessionIDKey.self] = id
            }
        }
        return try await next.respond(to: request)
    }

    /// Whether the session this request signed in with still signs in `user` at `now`.
    static func isStillSignedIn(_ request: Request, as user: UUID, now: Date) async throws -> Bool {
        guard let id = request.storage[SessionIDKey.self],
            let data = try await request.application.sessions.driver.readSession(id, for: request).get()
        else { return false }
        return try await SessionUserAuthenticator.liveUser(of: data, request, now: now)?.id == user
    }
}

/// The sessions middleware for every request but those whose paths read their session themselves
/// (`ReadOnlySessionAuthenticator`).
struct SessionsMiddlewareSkipping: Middleware {
    let sessions: any Middleware
    let paths: Set<String>

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if paths.contains(request.urlPath) { return next.respond(to: request) }
        return sessions.respond(to: request, chainingTo: next)
    }
}

/// Signs in the API client whose `Authorization: Bearer` token is live.
///
/// A plain `Middleware`: a token kept on PostgreSQL and used within the minute signs its client in without waiting
/// for anything, so the request starts no task for it; reading the token, or recording its use, runs in one.
struct BearerUserAuthenticator: Middleware {
    /// Every column of `users`, as `u."name"`.
    static let userColumns = User.keys.map { "u.\"\($0.description)\"" }.joined(separator: ", ")

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let bearer = request.headers.bearerAuthorization else { return next.respond(to: request) }
        let digest = APIToken.digest(bearer.token)
        if let user = Self.keptUser(digest, for: request) {
            request.auth.login(user)
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask { try await Self.authenticate(digest, for: request) }
            .flatMap { next.respond(to: request) }
    }

    /// The user of a kept token whose last use is recorded within the minute, active, as a copy of its own; nil
    /// when the token has to be read or its use recorded (`authenticate`).
    private static func keptUser(_ digest: String, for request: Request) -> User? {
        let kept = request.application.keptAccess
        guard let token = kept.tokens.value(for: digest), !useIsStale(token, digest, kept, now: request.now),
            token.user.isActive
        else { return nil }
        return token.user.copy()
    }

    /// Whether the token's last use, as read or as this process recorded it, is old enough to be recorded again.
    private static func useIsStale(_ token: KeptAccess.Token, _ digest: String, _ kept: KeptAccess, now: Date) -> Bool {
        APIToken.lastUseIsStale([token.lastUsed, kept.lastUse(of: digest)].compactMap(\.self).max(), now: now)
    }

    private static func authenticate(_ digest: String, for request: Request) async throws {
        let kept = request.application.keptAccess
        // On PostgreSQL the token is kept while change notices vouch for it; a revoked token or a changed user is
        // read again from the next request on (`ChangeNotices`). Each request gets a user of its own.
        guard
            let token = try await kept.tokens.value(
                for: digest, on: request.database, read: { try await Self.read(digest, on: request.database) })
        else { return }
        let user = token.user.copy()
        guard user.isActive else { return }
        let now = request.now
        if useIsStale(token, digest, kept, now: now) {
            // Once a minute: and a token revoked meanwhile, whatever was kept, is found so here.
            let live = try await request.database.sql.raw(
                """
                UPDATE api_tokens SET last_used_at = \(bind: now) WHERE id = \(bind: token.id) AND revoked_at IS NULL
                RETURNING id
                """
            ).first()
            guard live != nil else { return }
            kept.noteUse(of: digest, at: now)
        }
        request.auth.login(user)
    }

    /// The live token with its user: one raw statement, which every API request not answered from the kept tokens
    /// makes (through Fluent's query builder it cost 3 % of a new ticket's CPU). The user's columns by name, so that
    /// PostgreSQL can keep it prepared (`PreparedNames.preparable`).
    private static func read(_ digest: String, on db: any Database) async throws -> KeptAccess.Token? {
        let row = try await db.sql.raw(
            """
            SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, \(unsafeRaw: Self.userColumns)
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = \(bind: digest) AND t.revoked_at IS NULL
            """
        ).first()
        guard let row else { return nil }
        return KeptAccess.Token(
            id: try row.decode(column: "token_id", as: UUID.self),
            lastUsed: try row.optional("token_last_used_at", as: Date.self),
            user: try row.decode(fluentModel: User.self))
    }
}

/// Bearer tokens with their users, kept on PostgreSQL while change notices vouch for them
/// (`ChangeNotices.Topic.access`), and the last use this process recorded of each token: a kept token's
/// `lastUsed` is as old as its reading.
final class KeptAccess: Sendable {
    /// A live token as read, its user decoded once: a request takes a copy of the user (`User.copy`), and nothing
    /// changes the kept one. Only its values are kept, not the row, which holds on to the connection's buffer.
    struct Token: @unchecked Sendable {
        let id: UUID
        let lastUsed: Date?
        let user: User
    }

    static let capacity = 10_000
    let tokens: NoticedCopies<String, Token>
    private let uses = NIOLockedValueBox([String: Date]())

    init(notices: ChangeNotices) {
        tokens = NoticedCopies(.access, notices: notices, capacity: Self.capacity)
    }

    func lastUse(of digest: String) -> Date? { uses.withLockedValue { $0[digest] } }

    func noteUse(of digest: String, at date: Date) {
        uses.withLockedValue { uses in
            if uses.count >= Self.capacity { uses.removeAll() }
            uses[digest] = date
        }
    }
}

/// Refuses a signed-in user's form post whose `_csrf` field (or `X-CSRF-Token` header) does not
/// match the token kept in the session, and an anonymous post from another site.
///
/// The body is read only once the user is known to hold a role the route admits, and only up to
/// the route's limit, so nobody can make Huifang buffer an upload without being allowed to upload.
struct CSRFProtection: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method != .GET, request.method != .HEAD else {
            return try await next.respond(to: request)
        }
        guard let user = request.auth.get(User.self) else {
            try SameOrigin.check(request)
            return try await next.respond(to: request)  // only sign-in takes an anonymous post; guards refuse the rest
        }
        if let access = request.route?.access, !access.roles.contains(user.role) {
            return try await next.respond(to: request)  // AccessGuard refuses it, unread
        }
        if request.body.data == nil {
            _ = try await request.body.collect(max: request.bodyLimit).get()
        }
        let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.get(String.self, at: "_csrf"))
        guard let expected = request.session.data[SessionKey.csrf], let sent,
            constantTimeEquals(Array(sent.utf8), Array(expected.utf8))
        else {
            throw AppError.csrf
        }
        return try await next.respond(to: request)
    }

    private func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The sign-in form's protection against cross-site posts, without a session.
///
/// Anonymous visitors get no server-side session (so no stored CSRF token): a crowd of visitors
/// cannot fill the sessions table. The one form they post is sign-in, whose forgery would sign a
/// victim into the attacker's account. Browsers send `Origin` with every cross-site POST (and
/// `Referer` where older ones do not), so a post naming another site there is refused; the session
/// cookie is `SameSite=Lax` besides. Clients that send neither header are not browsers a page can
/// drive, and gain nothing they could not do directly.
enum SameOrigin {
    static func check(_ request: Request) throws {
        let claimed = request.headers.first(name: .origin) ?? request.headers.first(name: .referer)
        guard let claimed else { return }
        guard let origin = authority(of: claimed), allowed(request).contains(origin) else { throw AppError.csrf }
    }

    /// `host[:port]` of a URL, lower-cased, without a default port.
    static func authority(of text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            let host = url.host?.lowercased()
        else { return nil }
        guard let port = url.port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    private static func allowed(_ request: Request) -> Set<String> {
        var hosts: Set<String> = []
        if let configured = authority(of: request.application.huifang.publicURL) { hosts.insert(configured) }
        if let host = request.headers.first(name: .host)?.lowercased() {
            hosts.insert(host)
            for suffix in [":80", ":443"] where host.hasSuffix(suffix) {
                hosts.insert(String(host.dropLast(suffix.count)))
            }
        }
        return hosts
    }
}

extension Request {
    /// The signed-in session's CSRF token; empty for an anonymous visitor, who has no session.
    var csrfToken: String {
        guard hasSession, session.data[SessionKey.user] != nil else { return "" }
        return session.data[SessionKey.csrf] ?? ""
    }
}
