import Foundation

/// When customers may be called: daily time ranges (e.g. 10:00–12:00 and 15:00–17:00),
/// on working days only or on every day.
public struct ContactWindows: Sendable {
    public let calendar: BusinessCalendar
    public let ranges: [TimeRange]
    public let workingDaysOnly: Bool

    public init(calendar: BusinessCalendar, ranges: [TimeRange], workingDaysOnly: Bool = true) {
        self.calendar = calendar
        self.ranges = ranges.sorted { $0.start < $1.start }
        self.workingDaysOnly = workingDaysOnly
    }

    private func allowed(_ date: LocalDate) -> Bool { !workingDaysOnly || calendar.isWorkingDay(date) }

    public func isInsideWindow(_ instant: Date) -> Bool {
        let (date, second) = calendar.localDate(of: instant)
        return allowed(date) && ranges.contains { $0.start <= second && second < $0.end }
    }

    /// The instant itself when it is inside a window, else the start of the next window; `nil` when there is none in a year.
    public func nextContactSlot(after instant: Date) -> Date? {
        if isInsideWindow(instant) { return instant }
        let (date, second) = calendar.localDate(of: instant)
        for offset in 0...366 {
            let day = date.adding(days: offset)
            guard allowed(day) else { continue }
            if let range = ranges.first(where: { offset > 0 || $0.start > second }) {
                return calendar.instant(local: Int64(day.dayNumber) * 86_400 + Int64(range.start))
            }
        }
        return nil
    }

    /// The start of the latest window that opens before `instant`; `nil` when there is none in the year before it.
    public func lastWindowStart(before instant: Date) -> Date? {
        let (date, second) = calendar.localDate(of: instant)
        for offset in 0...366 {
            let day = date.adding(days: -offset)
            guard allowed(day) else { continue }
            if let range = ranges.last(where: { offset > 0 || $0.start < second }) {
                return calendar.instant(local: Int64(day.dayNumber) * 86_400 + Int64(range.start))
            }
        }
        return nil
    }
}
