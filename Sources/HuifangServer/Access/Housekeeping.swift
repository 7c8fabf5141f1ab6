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

/// Runs `Housekeeping` every ten minutes while the server runs.
struct HousekeepingScheduler: LifecycleHandler {
    static let every: Duration = .seconds(600)
    private let holder = PlanningScheduler.TaskHolder()

    func didBootAsync(_ application: Application) async throws {
        let housekeeping = Housekeeping(db: application.db, config: application.huifang)
        let logger = application.logger
        let clock = application.clock
        holder.task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.every)
                guard !Task.isCancelled else { return }
                do {
                    let purged = try await housekeeping.run(now: clock.now())
                    logger.debug("housekeeping purged \(purged.sessions) sessions, \(purged.attempts) sign-in attempts")
                } catch {
                    logger.error("housekeeping failed: \(String(reflecting: error))")
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        holder.task?.cancel()
    }
}
