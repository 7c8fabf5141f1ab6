import Foundation

/// The four deadlines a ticket runs against, in the order they run.
public enum TicketDeadline: String, Codable, CaseIterable, Sendable {
    case firstResponse, resolution, inform, verification
}

/// Who an escalation level notifies.
public enum EscalationTarget: String, Codable, CaseIterable, Sendable {
    /// The head of the ticket's department (the supervisors when it has none).
    case departmentHead
    case supervisors
}

/// One step of the escalation ladder: how long after the breached deadline, and whom it tells.
public struct EscalationLevel: Codable, Hashable, Sendable {
    public var after: PolicyDuration
    public var notify: EscalationTarget

    public init(after: PolicyDuration, notify: EscalationTarget) {
        self.after = after
        self.notify = notify
    }
}

/// The moments a ticket's clock needs: status, deadlines, whether it waits on the customer.
public struct TicketClock: Sendable {
    public var status: TicketStatus
    public var firstResponseAt: Date?
    public var firstResponseDue: Date
    public var resolutionDue: Date
    public var informDue: Date?
    public var verificationDue: Date?
    /// Set while the ticket waits on the customer and its policy stops the clock.
    public var pausedAt: Date?

    public init(
        status: TicketStatus, firstResponseAt: Date?, firstResponseDue: Date, resolutionDue: Date,
        informDue: Date?, verificationDue: Date?, pausedAt: Date?
    ) {
        self.status = status
        self.firstResponseAt = firstResponseAt
        self.firstResponseDue = firstResponseDue
        self.resolutionDue = resolutionDue
        self.informDue = informDue
        self.verificationDue = verificationDue
        self.pausedAt = pausedAt
    }

    /// The deadline now running, or nil when none is (finished, or paused).
    public var running: RunningDeadline? {
        guard pausedAt == nil else { return nil }
        switch status {
        case .closed, .adopted, .declined:
            return nil
        case .new, .assigned, .inProgress:
            return firstResponseAt == nil
                ? RunningDeadline(.firstResponse, firstResponseDue) : RunningDeadline(.resolution, resolutionDue)
        case .resolved:
            return informDue.map { RunningDeadline(.inform, $0) }
        case .informed:
            return verificationDue.map { RunningDeadline(.verification, $0) }
        }
    }
}

/// A deadline and when it falls. `key` names this breach: a new due time (extension, re-open) is a new breach.
public struct RunningDeadline: Equatable, Sendable {
    public let deadline: TicketDeadline
    public let due: Date

    public init(_ deadline: TicketDeadline, _ due: Date) {
        self.deadline = deadline
        self.due = due
    }

    public var key: String { "\(deadline.rawValue)@\(Int64(due.timeIntervalSince1970.rounded(.down)))" }

    /// The level already reached for `running`, from the stored breach key and level: nothing when
    /// no deadline runs or the stored level belongs to an earlier breach.
    public static func levelReached(by running: RunningDeadline?, storedKey: String?, storedLevel: Int) -> Int {
        guard let running, running.key == storedKey else { return 0 }
        return storedLevel
    }
}

/// An escalation that has fallen due: level `level` (from 1) of the breach `key`.
public struct DueEscalation: Equatable, Sendable {
    public let deadline: TicketDeadline
    public let key: String
    public let level: Int
    public let notify: EscalationTarget
    /// When it fell due.
    public let at: Date
    /// The deadline that was missed.
    public let due: Date
}

/// The escalation ladder (levels are configurable; the first marks the breach).
public struct EscalationLadder: Codable, Hashable, Sendable {
    public var levels: [EscalationLevel]

    public init(_ levels: [EscalationLevel]) {
        self.levels = levels
    }

    /// At the breach, the department head; four working hours later, the supervisors.
    public static let defaults = EscalationLadder([
        EscalationLevel(after: PolicyDuration(0, .workingHours), notify: .departmentHead),
        EscalationLevel(after: PolicyDuration(4, .workingHours), notify: .supervisors),
    ])

    /// What a ladder must satisfy: one to five levels, amounts not negative, later levels not earlier. Each problem
    /// names its field: `ladder` for the count, `ladder[i].after` for a level's amount.
    public func problems() -> [NamedFieldError] {
        var found: [NamedFieldError] = []
        if levels.isEmpty || levels.count > 5 {
            found.append(.init(field: "ladder", key: "escalation.problem.levelCount"))
        }
        for (index, level) in levels.enumerated() where level.after.amount < 0 || level.after.amount > 10_000 {
            found.append(.init(field: "ladder[\(index)].after", key: "escalation.problem.amount"))
        }
        return found
    }

    /// The levels of the running deadline that are due by `now` beyond those already reached,
    /// and when the next one falls due (nil: the ladder is done or no deadline runs).
    /// `reached` is the highest level already escalated for `running.key`.
    public func due(_ running: RunningDeadline?, reached: Int, now: Date, calendar: BusinessCalendar)
        throws(CalendarRangeError) -> (due: [DueEscalation], next: Date?)
    {
        guard let running else { return ([], nil) }
        var due: [DueEscalation] = []
        var level = max(reached, 0)
        while let at = try moment(of: level + 1, for: running, calendar: calendar) {
            guard at <= now else { return (due, at) }
            level += 1
            due.append(
                DueEscalation(
                    deadline: running.deadline, key: running.key, level: level, notify: levels[level - 1].notify,
                    at: at, due: running.due))
        }
        return (due, nil)
    }

    /// When level `level` (from 1) of the running deadline falls due; nil past the top of the ladder.
    public func moment(of level: Int, for running: RunningDeadline?, calendar: BusinessCalendar)
        throws(CalendarRangeError) -> Date?
    {
        guard let running, level >= 1, level <= levels.count else { return nil }
        let step = levels[level - 1]
        return try step.after.amount == 0 ? running.due : step.after.end(from: running.due, in: calendar, exact: true)
    }
}

extension PolicyDuration {
    /// The end of the duration from `start`; with `exact`, working days count whole working days of
    /// time (so "1 working day after a breach at 15:00" is 15:00 on the next working day).
    public func end(from start: Date, in calendar: BusinessCalendar, exact: Bool) throws(CalendarRangeError) -> Date {
        guard exact, unit == .workingDays else { return try end(from: start, in: calendar) }
        let (startDay, second) = calendar.localDate(of: start)
        let day = try calendar.addWorkingDays(amount, after: startDay)
        let open = calendar.hours(on: day)
        let clamped = min(max(second, open.first?.start ?? 0), open.last?.end ?? 86_400)
        return calendar.instant(local: Int64(day.dayNumber) * 86_400 + Int64(clamped))
    }
}

/// The clock stopped while waiting on the customer: on resuming, a deadline keeps the time it had left
/// when the wait began — working time for working-time units, calendar time otherwise.
public enum PausedClock {
    public static func resume(
        due: Date, pausedAt: Date, resumedAt: Date, unit: PolicyDuration.Unit,
        calendar: BusinessCalendar
    ) throws(CalendarRangeError) -> Date {
        guard due > pausedAt, resumedAt > pausedAt else { return due }
        switch unit {
        case .calendarHours:
            return due.addingTimeInterval(resumedAt.timeIntervalSince(pausedAt))
        case .workingHours, .workingDays:
            let left = try calendar.workingSeconds(from: pausedAt, to: due)
            return try calendar.addWorkingSeconds(left, to: resumedAt)
        }
    }
}
