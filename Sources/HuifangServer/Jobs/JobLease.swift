import Fluent
import Foundation
import HuifangCore
import SQLKit

/// A job's lease row in `job_leases`, seen from one run: whoever holds it may run the job, and it lapses on
/// its own when its run stops renewing it. The holder is the run's id — a fresh one per run, never the
/// process — so two runs in one process exclude each other as two instances on one PostgreSQL do.
///
/// Every write is a compare-and-set on what was read, decided by `LeaseRules`.
struct JobLease: Sendable {
    let db: any Database
    /// The job: `planner`, `escalation`.
    let job: String
    /// The run holding, or wanting, the lease.
    let run: String

    /// Names this process (host, pid, a random suffix) in leases and run records, for people reading them.
    static let process: String = {
        let info = ProcessInfo.processInfo
        return "\(info.hostName)#\(info.processIdentifier)#\(UUID().uuidString.prefix(8))"
    }()

    /// A fresh run id.
    static func newRun() -> String { UUID().uuidString.lowercased() }

    /// The stored row; `expires_at` is kept exactly as read, for the compare-and-set.
    struct Stored: Decodable, Sendable {
        let holder: String
        let expires_at: Double
        let taken_at: Double?
        let instance: String?

        var lease: Lease { Lease(holder: holder, expiresAt: Date(timeIntervalSince1970: expires_at)) }
        var takenAt: Date? { taken_at.map(Date.init(timeIntervalSince1970:)) }
    }

    private struct Holder: Decodable { let holder: String }

    /// The lease as it stands, if any.
    func current() async throws -> Stored? {
        try await Self.current(of: job, on: db)
    }

    /// The lease of `job` as it stands, if any.
    static func current(of job: String, on db: any Database) async throws -> Stored? {
        try await db.sql
            .raw("SELECT holder, expires_at, taken_at, instance FROM job_leases WHERE name = \(bind: job)")
            .first(decoding: Stored.self)
    }

    /// Takes the job until `terms` from `now` when the lease is absent, lapsed or this run's. Returns the
    /// expiry written (the value a renewal compares with), or `nil` when another run holds the job.
    func acquire(_ terms: LeaseTerms, now: Date) async throws -> Double? {
        let found = try await current()
        guard LeaseRules.mayTake(found?.lease, by: run, at: now) else { return nil }
        let expires = terms.expiry(from: now).timeIntervalSince1970
        let at = now.timeIntervalSince1970
        let taken: Holder?
        if let found {
            taken = try await sql.raw(
                """
                UPDATE job_leases SET holder = \(bind: run), expires_at = \(bind: expires), taken_at = \(bind: at),
                instance = \(bind: Self.process) WHERE name = \(bind: job) AND holder = \(bind: found.holder)
                AND expires_at = \(bind: found.expires_at) RETURNING holder
                """
            ).first(decoding: Holder.self)
        } else {
            taken = try await sql.raw(
                """
                INSERT INTO job_leases (name, holder, expires_at, taken_at, instance)
                VALUES (\(bind: job), \(bind: run), \(bind: expires), \(bind: at), \(bind: Self.process))
                ON CONFLICT (name) DO NOTHING RETURNING holder
                """
            ).first(decoding: Holder.self)
        }
        return taken?.holder == run ? expires : nil
    }

    /// Extends the lease this run holds until `terms` from `now`, if it still holds it unlapsed with the
    /// expiry it last wrote (`held`). Returns the new expiry, or `nil`: the lease is lost.
    func renew(_ terms: LeaseTerms, held: Double, now: Date) async throws -> Double? {
        let mine = Lease(holder: run, expiresAt: Date(timeIntervalSince1970: held))
        guard LeaseRules.mayRenew(mine, by: run, at: now) else { return nil }
        let expires = terms.expiry(from: now).timeIntervalSince1970
        let renewed = try await sql.raw(
            """
            UPDATE job_leases SET expires_at = \(bind: expires)
            WHERE name = \(bind: job) AND holder = \(bind: run) AND expires_at = \(bind: held) RETURNING holder
            """
        ).first(decoding: Holder.self)
        return renewed == nil ? nil : expires
    }

    /// Whether this run still holds the job, as the database says now.
    func isHeld(now: Date) async throws -> Bool {
        LeaseRules.mayRenew(try await current()?.lease, by: run, at: now)
    }

    /// Gives the job up, if this run holds it.
    func release() async throws {
        try await sql.raw("DELETE FROM job_leases WHERE name = \(bind: job) AND holder = \(bind: run)").run()
    }

    private var sql: any SQLDatabase { db.sql }
}
