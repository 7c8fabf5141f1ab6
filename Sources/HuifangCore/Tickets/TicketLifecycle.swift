import Foundation

/// A change a ticket's lifecycle refuses, with the catalogue key of the sentence that says why, and the field the
/// caller should correct when one is to blame (nil: the ticket's state refuses it — a conflict).
public struct TicketRefusal: Error, Equatable, Sendable {
    public let key: String
    public let field: String?

    public init(_ key: String, field: String? = nil) {
        self.key = key
        self.field = field
    }
}

/// A ticket's life as rules see it: its status, its four deadlines and when each was met, the pause, and the
/// counters. Every change — opening, an action, waiting on the customer, an extension — is a pure function
/// of the lifecycle, an instant, the deadline policy and the business calendar; the server loads a ticket into
/// this, applies the change and stores the result, and the escalation sweep reads the same `clock`.
public struct TicketLifecycle: Equatable, Sendable {
    public var status: TicketStatus
    public var firstResponseDue: Date
    public var resolutionDue: Date
    public var informDue: Date?
    public var verificationDue: Date?
    public var firstResponseAt: Date?
    public var resolvedAt: Date?
    public var informedAt: Date?
    public var closedAt: Date?
    /// Set while the ticket waits on the customer and its policy stops the clock.
    public var pausedAt: Date?
    public var reopenCount: Int
    public var extensions: Int
    public var customerSatisfied: Bool?

    public init(
        status: TicketStatus, firstResponseDue: Date, resolutionDue: Date, informDue: Date? = nil,
        verificationDue: Date? = nil, firstResponseAt: Date? = nil, resolvedAt: Date? = nil,
        informedAt: Date? = nil, closedAt: Date? = nil, pausedAt: Date? = nil, reopenCount: Int = 0,
        extensions: Int = 0, customerSatisfied: Bool? = nil
    ) {
        self.status = status
        self.firstResponseDue = firstResponseDue
        self.resolutionDue = resolutionDue
        self.informDue = informDue
        self.verificationDue = verificationDue
        self.firstResponseAt = firstResponseAt
        self.resolvedAt = resolvedAt
        self.informedAt = informedAt
        self.closedAt = closedAt
        self.pausedAt = pausedAt
        self.reopenCount = reopenCount
        self.extensions = extensions
        self.customerSatisfied = customerSatisfied
    }

    /// The moments the escalation clock and the lists read.
    public var clock: TicketClock {
        TicketClock(
            status: status, firstResponseAt: firstResponseAt, firstResponseDue: firstResponseDue,
            resolutionDue: resolutionDue, informDue: informDue, verificationDue: verificationDue,
            pausedAt: pausedAt)
    }

    /// A ticket opened at `now`: new (or assigned, when a handler is named), both deadlines counted from now.
    public static func open(
        at now: Date, assigned: Bool, policy: DeadlinePolicy,
        calendar: BusinessCalendar
    ) throws(CalendarRangeError) -> TicketLifecycle {
        TicketLifecycle(
            status: assigned ? .assigned : .new,
            firstResponseDue: try policy.firstResponse.end(from: now, in: calendar),
            resolutionDue: try policy.resolution.end(from: now, in: calendar))
    }

    /// The status `action` leads to, or why the ticket's state refuses it.
    public func allows(_ action: TicketAction, kind: TicketKind) throws(TicketRefusal) -> TicketStatus {
        do {
            return try TicketStateMachine.next(from: status, kind: kind, action)
        } catch {
            throw TicketRefusal(error.key)
        }
    }

    /// Whether the ticket's state allows `action` now: what a page offers.
    public func offers(_ action: TicketAction, kind: TicketKind) -> Bool {
        (try? allows(action, kind: kind)) != nil
    }

    /// The lifecycle after `action` at `now`. Starting or resolving meets the first response; resolving starts
    /// the inform and verification deadlines; re-opening clears the resolution and starts its deadline again.
    /// A finished or resolved ticket no longer waits on the customer.
    public func applying(
        _ action: TicketAction, kind: TicketKind, at now: Date, policy: DeadlinePolicy,
        calendar: BusinessCalendar
    ) throws -> TicketLifecycle {
        var next = self
        next.status = try allows(action, kind: kind)
        switch action {
        case .assign:
            break
        case .start:
            next.firstResponseAt = firstResponseAt ?? now
        case .resolve, .adopt, .decline:
            next.firstResponseAt = firstResponseAt ?? now
            next.resolvedAt = now
            if action == .resolve {
                next.informDue = try policy.inform.end(from: now, in: calendar)
                next.verificationDue = try policy.verification.end(from: now, in: calendar)
            }
        case .inform:
            next.informedAt = now
        case .close:
            next.closedAt = now
        case .reopen:
            next.customerSatisfied = nil
            next.reopenCount += 1
            (next.resolvedAt, next.informedAt, next.closedAt, next.informDue, next.verificationDue) =
                (nil, nil, nil, nil, nil)
            next.resolutionDue = try policy.resolution.end(from: now, in: calendar)
        }
        if next.status.isFinished || next.status == .resolved { next.pausedAt = nil }
        return next
    }

    /// Waiting on the customer from `now`: the clock stops, when the policy says so and work is under way.
    public func pausing(at now: Date, policy: DeadlinePolicy) throws(TicketRefusal) -> TicketLifecycle {
        guard policy.pausesWhileWaiting else { throw TicketRefusal("ticket.refuse.noPause") }
        guard [.new, .assigned, .inProgress].contains(status) else {
            throw TicketRefusal("ticket.refuse.notInProgress")
        }
        guard pausedAt == nil else { throw TicketRefusal("ticket.refuse.alreadyPaused") }
        var next = self
        next.pausedAt = now
        return next
    }

    /// The customer answered at `now`: the clock runs again, each running deadline keeping the time it had left
    /// (working time for working-time deadlines). Returns the lifecycle and when the pause began.
    public func resuming(
        at now: Date, policy: DeadlinePolicy,
        calendar: BusinessCalendar
    ) throws -> (lifecycle: TicketLifecycle, pausedAt: Date) {
        guard let pausedAt else { throw TicketRefusal("ticket.refuse.notPaused") }
        var next = self
        if firstResponseAt == nil {
            next.firstResponseDue = try PausedClock.resume(
                due: firstResponseDue, pausedAt: pausedAt, resumedAt: now,
                unit: policy.firstResponse.unit, calendar: calendar)
        }
        next.resolutionDue = try PausedClock.resume(
            due: resolutionDue, pausedAt: pausedAt, resumedAt: now,
            unit: policy.resolution.unit, calendar: calendar)
        next.pausedAt = nil
        return (next, pausedAt)
    }

    /// The due time of `deadline` while it can still be missed; nil once it is met or not yet running.
    public func pendingDue(_ deadline: TicketDeadline) -> Date? {
        switch deadline {
        case .firstResponse: firstResponseAt == nil ? firstResponseDue : nil
        case .resolution: resolvedAt == nil ? resolutionDue : nil
        case .inform: status == .resolved ? informDue : nil
        case .verification: status == .informed || status == .resolved ? verificationDue : nil
        }
    }

    /// `deadline` moved to `until` at `now` (the caller has the reason and that the customer was told): only a
    /// deadline still open, only later than both its due time and now. Returns the lifecycle and the old due time.
    public func extending(
        _ deadline: TicketDeadline, until: Date,
        at now: Date
    ) throws(TicketRefusal) -> (lifecycle: TicketLifecycle, previous: Date) {
        guard !status.isFinished else { throw TicketRefusal("ticket.refuse.finished") }
        guard let current = pendingDue(deadline) else {
            throw TicketRefusal("ticket.problem.deadlineMet", field: "deadline")
        }
        guard until > current, until > now else { throw TicketRefusal("ticket.problem.notLater", field: "until") }
        var next = self
        switch deadline {
        case .firstResponse: next.firstResponseDue = until
        case .resolution: next.resolutionDue = until
        case .inform: next.informDue = until
        case .verification: next.verificationDue = until
        }
        next.extensions += 1
        return (next, current)
    }
}
