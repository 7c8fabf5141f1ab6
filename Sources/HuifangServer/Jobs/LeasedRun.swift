import Fluent
import Foundation
import HuifangCore

/// One run of a job under its lease: takes the lease for a fresh run id, renews it every heartbeat while
/// the work runs, and gives it up when the work ends. A run that cannot take the lease throws
/// `JobConflict.busy`; a heartbeat that finds the lease lost cancels the work and throws `JobConflict.lost`.
/// When the process dies, nothing renews the lease and it lapses within `terms.length`.
struct LeasedRun: Sendable {
    let db: any Database
    let job: String
    let terms: LeaseTerms
    var clock: @Sendable () -> Date = { Date() }
    /// This run's id: it holds the lease and names the run's records.
    var run = JobLease.newRun()

    var lease: JobLease { JobLease(db: db, job: job, run: run) }

    private enum Ended<T: Sendable>: Sendable {
        case work(T)
        case heartbeat
    }

    /// Runs `work` while holding the job's lease.
    func perform<T: Sendable>(_ work: @escaping @Sendable (JobLease) async throws -> T) async throws -> T {
        let lease = self.lease
        guard let held = try await lease.acquire(terms, now: clock()) else {
            throw JobConflict(job: job, kind: .busy, since: try await lease.current()?.takenAt)
        }
        do {
            let value = try await withThrowingTaskGroup(of: Ended<T>.self) { group in
                group.addTask { .work(try await work(lease)) }
                group.addTask {
                    try await heartbeat(from: held)
                    return .heartbeat
                }
                for try await ended in group {
                    if case .work(let value) = ended {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
            // Not released (the database is gone for a moment): it lapses within `terms.length`.
            try? await lease.release()
            return value
        } catch {
            try? await lease.release()
            throw error
        }
    }

    /// Renews the lease every `terms.heartbeat` until cancelled. A renewal the database refuses means the
    /// lease is lost; one that fails (a busy database) is tried again at the next beat until the lease lapses.
    private func heartbeat(from held: Double) async throws {
        var held = held
        while true {
            try await Task.sleep(for: .milliseconds(Int(terms.heartbeat * 1000)))
            do {
                guard let renewed = try await lease.renew(terms, held: held, now: clock()) else { break }
                held = renewed
            } catch {
                if Lease(holder: run, expiresAt: Date(timeIntervalSince1970: held)).isLapsed(at: clock()) { break }
            }
        }
        throw JobConflict(job: job, kind: .lost)
    }
}

/// A job another run holds (`busy`), or one this run lost (`lost`): `409 Conflict`, in the caller's language.
struct JobConflict: Error, Sendable {
    enum Kind: String, Sendable {
        case busy
        case lost
    }

    let job: String
    let kind: Kind
    /// When the run holding the job took it.
    var since: Date? = nil

    /// E.g. "回访计划正在运行（2026-03-02 06:00 开始），请等它结束后再试".
    func message(in language: Language, _ config: HuifangConfig) -> String {
        let name = Catalogue.text("job.\(job)", language)
        switch kind {
        case .busy:
            guard let since else { return Catalogue.text("job.busy", language, [name]) }
            return Catalogue.text("job.busySince", language, [name, config.formatDateTime(since)])
        case .lost:
            return Catalogue.text("job.lost", language, [name])
        }
    }
}
