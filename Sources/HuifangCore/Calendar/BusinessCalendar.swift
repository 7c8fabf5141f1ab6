import Foundation

/// Working time in one organisation: its time zone, weekly working hours, public
/// holidays, make-up workdays (调休上班日) and per-date exceptions.
///
/// Deadlines "within N working days" and "within N working hours" are computed here.
/// Every date from 1900 through 2199 is tabulated once when the calendar is made,
/// so adding working days is a table look-up and adding working hours a binary search.
/// Instants are handled to the second.
/// A computation whose input or result lies outside 1900–2199, the range a business calendar covers.
public struct CalendarRangeError: Error, Equatable, Sendable {
    public init() {}
}

public struct BusinessCalendar: Sendable {
    public let timeZone: TimeZone
    /// Working hours by ISO weekday, Monday first (7 entries).
    public let weeklyHours: [[TimeRange]]
    /// Working hours on a make-up workday (a weekend day declared a working day).
    public let makeUpHours: [TimeRange]
    public let holidays: Set<LocalDate>
    public let makeUpWorkdays: Set<LocalDate>
    /// Dates whose hours are set by hand: empty means closed.
    public let exceptions: [LocalDate: [TimeRange]]

    public static let firstDate = LocalDate(year: 1900, month: 1, day: 1)!
    public static let lastDate = LocalDate(year: 2199, month: 12, day: 31)!
    /// The days it computes with: events, planner days, schedules and filters outside them are refused, since rules
    /// count days and months on from them.
    public static let dates = firstDate...lastDate
    public static let years = firstDate.year...lastDate.year

    /// 09:00–12:00 and 13:30–18:00, Monday to Friday.
    public static let standardHours: [[TimeRange]] = {
        let day = TimeRange.list("09:00-12:00,13:30-18:00")!
        return [day, day, day, day, day, [], []]
    }()

    private let base: Int
    private let patterns: [[TimeRange]]
    private let dayPattern: [UInt16]
    /// Working days up to and including each day.
    private let cumulativeDays: [Int32]
    /// Day numbers of the working days, in order.
    private let workingDayList: [Int32]
    /// Working seconds before each day (one extra entry at the end).
    private let cumulativeSeconds: [Int64]
    /// UTC offset through each UTC day, or `Int32.min` on a day the offset changes.
    private let offsets: [Int32]

    // Long: every lookup table (day patterns, running sums, UTC offsets) must be built before the lets are set.
    public init(
        timeZone: TimeZone, weeklyHours: [[TimeRange]] = BusinessCalendar.standardHours,
        makeUpHours: [TimeRange]? = nil,
        holidays: Set<LocalDate> = [], makeUpWorkdays: Set<LocalDate> = [], exceptions: [LocalDate: [TimeRange]] = [:]
    ) {
        precondition(weeklyHours.count == 7, "weekly hours need seven days, Monday first")
        self.timeZone = timeZone
        self.weeklyHours = weeklyHours
        self.makeUpHours = makeUpHours ?? weeklyHours.first { !$0.isEmpty } ?? []
        self.holidays = holidays
        self.makeUpWorkdays = makeUpWorkdays
        self.exceptions = exceptions

        let base = Self.firstDate.dayNumber
        let count = Self.lastDate.dayNumber - base + 1
        var patterns = weeklyHours + [self.makeUpHours, []]
        var patternIndex: [[TimeRange]: UInt16] = [:]
        for (i, p) in patterns.enumerated() where patternIndex[p] == nil { patternIndex[p] = UInt16(i) }
        let makeUp = UInt16(7)
        let closed = UInt16(8)
        var dayPattern = [UInt16](repeating: 0, count: count)
        for offset in 0..<count {
            let weekday = ((base + offset + 3) % 7 + 7) % 7  // 0 = Monday
            dayPattern[offset] = UInt16(weekday)
        }
        for date in holidays where Self.dates.contains(date) {
            dayPattern[date.dayNumber - base] = closed
        }
        for date in makeUpWorkdays where Self.dates.contains(date) {
            dayPattern[date.dayNumber - base] = makeUp
        }
        for (date, ranges) in exceptions where Self.dates.contains(date) {
            if let index = patternIndex[ranges] {
                dayPattern[date.dayNumber - base] = index
            } else {
                patterns.append(ranges)
                patternIndex[ranges] = UInt16(patterns.count - 1)
                dayPattern[date.dayNumber - base] = UInt16(patterns.count - 1)
            }
        }
        let patternSeconds = patterns.map { $0.reduce(0) { $0 + $1.length } }

        var cumulativeDays = [Int32](repeating: 0, count: count)
        var workingDayList: [Int32] = []
        workingDayList.reserveCapacity(count * 5 / 7 + 16)
        var cumulativeSeconds = [Int64](repeating: 0, count: count + 1)
        var days: Int32 = 0
        var seconds: Int64 = 0
        for offset in 0..<count {
            let worked = patternSeconds[Int(dayPattern[offset])]
            cumulativeSeconds[offset] = seconds
            seconds += Int64(worked)
            if worked > 0 {
                days += 1
                workingDayList.append(Int32(base + offset))
            }
            cumulativeDays[offset] = days
        }
        cumulativeSeconds[count] = seconds

        // UTC offsets per UTC day: constant on almost every day; Foundation answers on the others.
        var offsets = [Int32](repeating: 0, count: count)
        let fixed =
            timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(base) * 86_400)) == nil
            ? Int32(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 0))) : nil
        var previous = Int32(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(base) * 86_400)))
        for offset in 0..<count {
            if let fixed {
                offsets[offset] = fixed
                continue
            }
            let next = Int32(
                timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(base + offset + 1) * 86_400)))
            offsets[offset] = next == previous ? previous : Int32.min
            previous = next
        }

        self.base = base
        self.patterns = patterns
        self.dayPattern = dayPattern
        self.cumulativeDays = cumulativeDays
        self.workingDayList = workingDayList
        self.cumulativeSeconds = cumulativeSeconds
        self.offsets = offsets
    }

    /// A calendar for mainland China from a published schedule.
    public init(
        timeZone: TimeZone, weeklyHours: [[TimeRange]] = BusinessCalendar.standardHours, schedule: HolidaySchedule,
        exceptions: [LocalDate: [TimeRange]] = [:]
    ) {
        var holidays: Set<LocalDate> = []
        var workdays: Set<LocalDate> = []
        for entry in schedule.entries {
            for day in entry.first.dayNumber...entry.last.dayNumber {
                if entry.kind == .holiday {
                    holidays.insert(LocalDate(dayNumber: day))
                } else {
                    workdays.insert(LocalDate(dayNumber: day))
                }
            }
        }
        self.init(
            timeZone: timeZone, weeklyHours: weeklyHours, holidays: holidays, makeUpWorkdays: workdays,
            exceptions: exceptions)
    }

    // MARK: Working days

    private func index(_ date: LocalDate) throws(CalendarRangeError) -> Int {
        let i = date.dayNumber - base
        guard i >= 0, i < dayPattern.count else { throw CalendarRangeError() }
        return i
    }

    /// The working hours of a date: its exception, nothing on a holiday, the make-up hours on a make-up workday,
    /// else the weekday's (the only rule outside 1900–2199).
    public func hours(on date: LocalDate) -> [TimeRange] {
        guard let i = try? index(date) else { return weeklyHours[date.isoWeekday - 1] }
        return patterns[Int(dayPattern[i])]
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool { !hours(on: date).isEmpty }

    /// The kind of a date, for calendars people read.
    public enum DayKind: String, Sendable { case working, weekend, holiday, makeUpWorkday, exception }

    public func kind(of date: LocalDate) -> DayKind {
        if exceptions[date] != nil { return .exception }
        if makeUpWorkdays.contains(date) { return .makeUpWorkday }
        if holidays.contains(date) { return .holiday }
        return isWorkingDay(date) ? .working : .weekend
    }

    /// The n-th working day strictly after `date` (the date itself never counts); before it for negative n.
    public func addWorkingDays(_ n: Int, after date: LocalDate) throws(CalendarRangeError) -> LocalDate {
        if n == 0 { return date }
        let i = try index(date)
        let position =
            n > 0 ? Int(cumulativeDays[i]) + n - 1 : Int(cumulativeDays[i]) - (isWorkingDay(date) ? 1 : 0) + n
        guard position >= 0, position < workingDayList.count else { throw CalendarRangeError() }
        return LocalDate(dayNumber: Int(workingDayList[position]))
    }

    /// Working days from `first` through `last`, both included; 0 when `last` is before `first`.
    public func workingDays(from first: LocalDate, through last: LocalDate) throws(CalendarRangeError) -> Int {
        guard first <= last else { return 0 }
        let a = try index(first)
        let b = try index(last)
        return Int(cumulativeDays[b]) - (a > 0 ? Int(cumulativeDays[a - 1]) : 0)
    }

    /// `date` plus n calendar days.
    public func addCalendarDays(_ n: Int, after date: LocalDate) -> LocalDate { date.adding(days: n) }

    // MARK: Working hours

    /// Adds working time: only time inside working hours counts. Adding zero returns the instant itself.
    public func addWorkingHours(_ hours: Double, to instant: Date) throws(CalendarRangeError) -> Date {
        try addWorkingSeconds(Int64((hours * 3600).rounded()), to: instant)
    }

    public func addWorkingSeconds(_ seconds: Int64, to instant: Date) throws(CalendarRangeError) -> Date {
        guard seconds != 0 else { return instant }
        precondition(seconds > 0, "working time is added forwards")
        let target = try position(of: instant) + seconds
        // The day on whose working time the target falls: the last day starting before it.
        var low = 0
        var high = dayPattern.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if cumulativeSeconds[mid] < target { low = mid } else { high = mid - 1 }
        }
        guard cumulativeSeconds[low + 1] >= target else { throw CalendarRangeError() }
        var remaining = target - cumulativeSeconds[low]
        for range in patterns[Int(dayPattern[low])] {
            if remaining <= Int64(range.length) {
                return self.instant(local: Int64(base + low) * 86_400 + Int64(range.start) + remaining)
            }
            remaining -= Int64(range.length)
        }
        preconditionFailure("working seconds of a day do not add up")
    }

    /// Working time between two instants, in seconds; negative when `end` is before `start`.
    public func workingSeconds(from start: Date, to end: Date) throws(CalendarRangeError) -> Int64 {
        try position(of: end) - position(of: start)
    }

    public func addCalendarHours(_ hours: Double, to instant: Date) -> Date { instant.addingTimeInterval(hours * 3600) }

    public func calendarSeconds(from start: Date, to end: Date) -> Int64 {
        Int64(end.timeIntervalSince1970.rounded(.down)) - Int64(start.timeIntervalSince1970.rounded(.down))
    }

    /// Working seconds from the start of the table to an instant.
    private func position(of instant: Date) throws(CalendarRangeError) -> Int64 {
        let local = localSeconds(instant)
        let day = Int((local - (local < 0 ? 86_399 : 0)) / 86_400)
        let i = day - base
        guard i >= 0, i < dayPattern.count else { throw CalendarRangeError() }
        let timeOfDay = Int(local - Int64(day) * 86_400)
        var worked = 0
        for range in patterns[Int(dayPattern[i])] {
            if timeOfDay >= range.end {
                worked += range.length
            } else if timeOfDay > range.start {
                worked += timeOfDay - range.start
            }
        }
        return cumulativeSeconds[i] + Int64(worked)
    }

    // MARK: Local time

    /// Seconds since 1970-01-01 00:00 local wall-clock time.
    public func localSeconds(_ instant: Date) -> Int64 {
        let utc = Int64(instant.timeIntervalSince1970.rounded(.down))
        return utc + Int64(offset(atUTC: utc))
    }

    /// The instant at a local wall-clock time (in a DST gap, the hour after; in an overlap, the first).
    public func instant(local: Int64) -> Date {
        let first = local - Int64(offset(atUTC: local))
        let second = local - Int64(offset(atUTC: first))
        return Date(timeIntervalSince1970: Double(second))
    }

    /// The local date and time of an instant.
    public func localDate(of instant: Date) -> (date: LocalDate, secondOfDay: Int) {
        let local = localSeconds(instant)
        let day = Int((local - (local < 0 ? 86_399 : 0)) / 86_400)
        return (LocalDate(dayNumber: day), Int(local - Int64(day) * 86_400))
    }

    private func offset(atUTC utc: Int64) -> Int32 {
        let day = Int((utc - (utc < 0 ? 86_399 : 0)) / 86_400) - base
        if day >= 0, day < offsets.count, offsets[day] != Int32.min { return offsets[day] }
        return Int32(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
    }
}
