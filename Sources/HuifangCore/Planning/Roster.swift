/// The kind of one day in an agent's week (排班): off, a standard shift, or hours of its own.
public enum ShiftKind: String, Codable, CaseIterable, Sendable {
    /// 休息
    case off
    /// 早班 09:00–15:00
    case early
    /// 晚班 13:00–21:00
    case late
    /// Start and end chosen by the supervisor, within one day.
    case custom

    /// The hours of a standard shift; `nil` for off and custom.
    public var standardHours: TimeRange? {
        switch self {
        case .early: TimeRange(start: 9 * 3600, end: 15 * 3600)
        case .late: TimeRange(start: 13 * 3600, end: 21 * 3600)
        case .off, .custom: nil
        }
    }
}

/// One day of a roster: its kind and, unless off, its hours.
public struct Shift: Hashable, Sendable {
    public let kind: ShiftKind
    /// `nil` when off.
    public let hours: TimeRange?

    public static let off = Shift(kind: .off, hours: nil)
    public static let early = Shift(kind: .early, hours: ShiftKind.early.standardHours)
    public static let late = Shift(kind: .late, hours: ShiftKind.late.standardHours)

    public static func custom(_ hours: TimeRange) -> Shift { Shift(kind: .custom, hours: hours) }

    private init(kind: ShiftKind, hours: TimeRange?) {
        self.kind = kind
        self.hours = hours
    }

    /// Seconds on shift (0 when off).
    public var seconds: Int { hours?.length ?? 0 }
}

/// An agent's week as a supervisor keeps it, Monday first; it repeats every week. Leave (`AgentAbsence`) is apart
/// from it: an agent on leave gets nothing whatever the roster says.
public struct WeeklyRoster: Hashable, Sendable {
    /// How the API, the form and field errors name the days, Monday first.
    public static let dayCodes = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    /// The working day of an agent without a roster when the calendar names no working hours.
    public static let standardDay = 8 * 3600

    /// Seven shifts, Monday first.
    public let days: [Shift]

    public init(days: [Shift]) {
        precondition(days.count == 7, "a roster has seven days, Monday first")
        self.days = days
    }

    /// The shift on a date: its weekday's (a make-up workday follows its weekday too).
    public func shift(on date: LocalDate) -> Shift { days[date.isoWeekday - 1] }

    /// Seconds an agent works on `date`: their roster's shift, or `fullDay` for an agent without a roster (who
    /// works every day, as before rosters existed). This decides their share of the day's tasks.
    public static func seconds(_ roster: WeeklyRoster?, on date: LocalDate, fullDay: Int) -> Int {
        roster.map { $0.shift(on: date).seconds } ?? fullDay
    }

    /// The organisation's full working day: the longest day of the calendar's week (7.5 hours for 09:00–12:00 and
    /// 13:30–18:00), or `standardDay` when the week names no hours.
    public static func fullDay(weeklyHours: [[TimeRange]]) -> Int {
        let longest = weeklyHours.map { $0.reduce(0) { $0 + $1.length } }.max() ?? 0
        return longest > 0 ? longest : standardDay
    }

    /// One day as the form or the API sends it: the shift kind and, for a custom shift, `HH:MM` times.
    public struct DayInput: Sendable, Equatable {
        public var shift: String
        public var start: String
        public var end: String

        public init(shift: String, start: String = "", end: String = "") {
            self.shift = shift
            self.start = start
            self.end = end
        }
    }

    /// Reads a week by day code; every problem is named `day.field` (`tue.end`), all reported at once.
    public static func parse(_ input: [String: DayInput]) throws(NamedFieldErrors) -> WeeklyRoster {
        var errors: [NamedFieldError] = []
        var days: [Shift] = []
        for code in dayCodes {
            guard let entry = input[code], let kind = ShiftKind(rawValue: entry.shift.trimmingWhitespace()) else {
                errors.append(NamedFieldError(field: code + ".shift", key: "roster.problem.shift"))
                continue
            }
            switch kind {
            case .off: days.append(.off)
            case .early: days.append(.early)
            case .late: days.append(.late)
            case .custom:
                let start = TimeRange.seconds(entry.start.trimmingWhitespace())
                let end = TimeRange.seconds(entry.end.trimmingWhitespace())
                if start == nil { errors.append(NamedFieldError(field: code + ".start", key: "roster.problem.time")) }
                if end == nil { errors.append(NamedFieldError(field: code + ".end", key: "roster.problem.time")) }
                guard let start, let end else { continue }
                guard let hours = TimeRange(start: start, end: end) else {
                    errors.append(NamedFieldError(field: code + ".end", key: "roster.problem.order"))
                    continue
                }
                days.append(.custom(hours))
            }
        }
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        return WeeklyRoster(days: days)
    }

    /// The week as day inputs, for a form and the API to show (a standard shift with its hours).
    public var inputs: [String: DayInput] {
        Dictionary(
            uniqueKeysWithValues: zip(Self.dayCodes, days).map { code, shift in
                let hours = shift.hours.map { ($0.startText, $0.endText) } ?? ("", "")
                return (code, DayInput(shift: shift.kind.rawValue, start: hours.0, end: hours.1))
            })
    }
}

extension TimeRange {
    /// The start as `HH:MM`.
    public var startText: String { String(description.prefix(5)) }
    /// The end as `HH:MM` (`24:00` for the end of the day).
    public var endText: String { String(description.suffix(5)) }
}
