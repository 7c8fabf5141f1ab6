import Foundation

/// How long a job's lease lasts without renewal, and how often a run renews it.
public struct LeaseTerms: Sendable, Equatable {
    /// Seconds a lease lasts from the moment it is taken or last renewed.
    public let length: TimeInterval

    public init(length: TimeInterval) {
        precondition(length > 0, "a lease lasts some time")
        self.length = length
    }

    /// One minute: a crashed run's job is free again within a minute of its last heartbeat.
    public static let standard = LeaseTerms(length: 60)

    /// Seconds between renewals: a quarter of the length, so that three heartbeats in a row may fail
    /// (a slow disk, a busy database) before a live run loses its lease.
    public var heartbeat: TimeInterval { length / 4 }

    /// When a lease taken or renewed at `instant` lapses.
    public func expiry(from instant: Date) -> Date { instant.addingTimeInterval(length) }
}

/// A job's lease as stored: the run that holds it (a fresh id per run, never the process) and until when.
public struct Lease: Sendable, Equatable {
    public let holder: String
    public let expiresAt: Date

    public init(holder: String, expiresAt: Date) {
        self.holder = holder
        self.expiresAt = expiresAt
    }

    /// A lease lapses at its expiry instant; from then on any run may take the job.
    public func isLapsed(at now: Date) -> Bool { now >= expiresAt }
}

/// Who may run a job, who keeps it, and which runs are dead — the rules every instance applies alike.
public enum LeaseRules {
    /// `run` may take a job whose lease is absent, lapsed, or its own.
    public static func mayTake(_ lease: Lease?, by run: String, at now: Date) -> Bool {
        guard let lease else { return true }
        return lease.holder == run || lease.isLapsed(at: now)
    }

    /// A run keeps its lease only while it holds it and it has not lapsed: once lapsed it is lost even
    /// when nobody has taken it yet, because another run may be taking it at this moment.
    public static func mayRenew(_ lease: Lease?, by run: String, at now: Date) -> Bool {
        guard let lease else { return false }
        return lease.holder == run && !lease.isLapsed(at: now)
    }

    /// A run whose record is unfinished is dead when its job's lease is not its own and live: it crashed,
    /// or it stopped renewing. A dead run never comes back (`mayRenew` refuses it for good), so it may be
    /// marked abandoned at once. A record that names no run (from before runs had ids) is dead too.
    public static func isDead(run: String?, lease: Lease?, at now: Date) -> Bool {
        guard let run else { return true }
        return !mayRenew(lease, by: run, at: now)
    }
}
