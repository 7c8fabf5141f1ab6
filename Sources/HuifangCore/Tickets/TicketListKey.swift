import Foundation

/// Where a ticket stands in ticket lists, stored with the ticket so that the database orders and pages
/// lists itself. Lists run by `(rank, urgency, id)` descending:
/// 1. running clocks (rank 3), the earliest deadline first — overdue ones first, then the least working
///    time left (a running clock's deadline instant orders the same as its working time left);
/// 2. paused clocks (rank 2), the least working time left when the clock stopped first;
/// 3. open tickets with no clock running (rank 1), then finished tickets (rank 0), newest first.
/// Ties run newest first (the higher id).
public struct TicketListKey: Equatable, Sendable {
    public let rank: Int
    /// Running: minus the deadline (seconds since 1970); paused: minus the working seconds left; else 0.
    public let urgency: Double

    public init(rank: Int, urgency: Double) {
        self.rank = rank
        self.urgency = urgency
    }

    public static let running = 3, paused = 2, open = 1, finished = 0

    /// The key of a ticket whose clock is `clock`; `pausedLeft` is the working time its running deadline
    /// had left when the clock stopped (negative: overdue by).
    public static func make(_ clock: TicketClock, pausedLeft: Int64?) -> TicketListKey {
        if clock.status.isFinished { return TicketListKey(rank: finished, urgency: 0) }
        if let running = clock.running {
            return TicketListKey(rank: Self.running, urgency: -running.due.timeIntervalSince1970)
        }
        if clock.pausedAt != nil { return TicketListKey(rank: paused, urgency: -Double(pausedLeft ?? 0)) }
        return TicketListKey(rank: open, urgency: 0)
    }

    /// Working time left from `moment` until `due` on the calendar (negative: overdue by); what lists show.
    public static func workingLeft(
        until due: Date, at moment: Date,
        calendar: BusinessCalendar
    ) throws(CalendarRangeError) -> Int64 {
        due > moment
            ? try calendar.workingSeconds(from: moment, to: due)
            : -(try calendar.workingSeconds(from: due, to: moment))
    }

    /// What a list says of a running deadline at `moment`: the working time left, or that it has passed — by how
    /// much working time, which is none when it passed outside working hours (a Friday 18:00 deadline seen on
    /// Saturday is overdue, not "0 minutes left").
    public enum TimeLeft: Equatable, Sendable {
        case left(seconds: Int64)
        case overdue(seconds: Int64)
    }

    public static func timeLeft(
        until due: Date, at moment: Date,
        calendar: BusinessCalendar
    ) throws(CalendarRangeError) -> TimeLeft {
        due > moment
            ? .left(seconds: try calendar.workingSeconds(from: moment, to: due))
            : .overdue(seconds: try calendar.workingSeconds(from: due, to: moment))
    }

    /// The lowest urgency of an overdue running clock at `now`: due at or before now.
    public static func overdueFloor(at now: Date) -> Double { -now.timeIntervalSince1970 }
}
