import Fluent
import Foundation
import Vapor

/// Forgets what is no longer needed: sessions past their limits, and sign-in attempts older than
/// both a day and the throttle's window.
struct Housekeeping {
    let db: any Database
    let config: HuifangConfig

    /// Keeps attempts a day at least, so the audit of a lock-out can be compared with them.
    var attemptsKept: Double { max(24 * 3600, config.loginThrottle.window) }

    /// Plain deletes by age: instances sharing a database may run this at the same time.
    @discardableResult
    func run(now: Date) async throws -> (sessions: Int, attempts: Int) {
        let sessions = try await SessionStore.purgeExpired(config.sessionLifetime, now: now, on: db)
        let cutoff = now.addingTimeInterval(-attemptsKept)
        let attempts = try await LoginAttempt.query(on: db).filter(\.$at < cutoff).count()
        try await LoginAttempt.query(on: db).filter(\.$at < cutoff).delete()
        return (sessions, attempts)
    }
}
