import Fluent
import Foundation
import Vapor

/// A signed-in session's data: the user, when they signed in and when they were last seen
/// (seconds since 1970), and the CSRF token. Anonymous visitors have no session at all.
enum SessionKey {
    static let user = "uid"
    static let signedInAt = "at"
    static let lastSeen = "seen"
    static let csrf = "csrf"
}

/// How long a session lives on the server, whatever its cookie says.
struct SessionLifetime: Sendable {
    /// Seconds without a request after which a session ends.
    let idle: Double
    /// Seconds after sign-in after which a session ends.
    let max: Double

    /// Whether a session with this data is still alive at `now`; a session without times is not.
    func isAlive(_ data: SessionData, now: Date) -> Bool {
        guard let at = data[SessionKey.signedInAt].flatMap({ Double($0) }),
            let seen = data[SessionKey.lastSeen].flatMap({ Double($0) })
        else { return false }
        let time = now.timeIntervalSince1970
        return time - at < max && time - seen < idle
    }
}

extension HuifangConfig {
    var sessionLifetime: SessionLifetime { SessionLifetime(idle: sessionIdleLimit, max: sessionMaxAge) }
}

/// Drops a session that holds no signed-in user before it is stored, so an anonymous visitor
/// (the login page, an error page, a forged cookie) never makes a row in `_fluent_sessions`.
struct AnonymousSessionDiscard: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            if request.hasSession, request.session.data[SessionKey.user] == nil {
                request.session.destroy()
            }
            return response
        }
    }
}

extension Request {
    /// Starts a fresh session for `user`: a new id, so a session fixed before sign-in is worthless.
    func startSession(for user: User, now: Date) async throws {
        if let old = session.id {
            try await application.sessions.driver.deleteSession(old, for: self).get()
            session.id = nil
        }
        let time = String(now.timeIntervalSince1970)
        session.data = SessionData()
        session.data[SessionKey.user] = user.id?.uuidString
        session.data[SessionKey.signedInAt] = time
        session.data[SessionKey.lastSeen] = time
        session.data[SessionKey.csrf] = [UInt8].random(count: 24).base64String()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        auth.login(user)
    }

    /// The id of this request's stored session, if it has one.
    var storedSessionID: SessionID? { hasSession ? session.id : nil }
}

/// The rows of `_fluent_sessions`, read as Huifang's session data.
enum SessionStore {
    /// Ends every session of `userID` but `kept` (the session of the request making the change).
    @discardableResult
    static func end(userID: UUID, except kept: SessionID? = nil, on db: any Database) async throws -> Int {
        try await delete(on: db) { record in
            record.data[SessionKey.user] == userID.uuidString && record.key != kept
        }
    }

    /// Deletes sessions past their idle or absolute limit. A plain delete by age: several
    /// instances sharing a database may run it at once.
    @discardableResult
    static func purgeExpired(_ lifetime: SessionLifetime, now: Date, on db: any Database) async throws -> Int {
        try await delete(on: db) { !lifetime.isAlive($0.data, now: now) }
    }

    /// Session data is JSON whose layout differs between SQLite and PostgreSQL, so rows are
    /// chosen in Swift; signed-in sessions are few, and expired ones are purged.
    private static func delete(on db: any Database, where matches: (SessionRecord) -> Bool) async throws -> Int {
        let ids = try await SessionRecord.query(on: db).all().filter(matches).compactMap(\.id)
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            try await SessionRecord.query(on: db).filter(\.$id ~~ chunk).delete()
        }
        return ids.count
    }
}
