import Fluent
import Foundation
import HuifangCore
import Vapor

/// A business calendar as stored: time zone and weekly hours; its dated entries are `CalendarDay`s.
final class WorkCalendar: Model, @unchecked Sendable {
    static let schema = "calendars"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "time_zone") var timeZone: String
    /// Seven lines, Monday first, each like `09:00-12:00,13:30-18:00` (empty: not a working day).
    @Field(key: "weekly_hours") var weeklyHours: String
    @Field(key: "is_default") var isDefault: Bool
    /// When customers may be called, e.g. `10:00-12:00,15:00-17:00`.
    @Field(key: "contact_windows") var contactWindows: String
    /// Whether the windows hold on every day, not only on working days.
    @Field(key: "contact_all_days") var contactAllDays: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(name: String, timeZone: String, weeklyHours: String, isDefault: Bool) {
        self.name = name
        self.timeZone = timeZone
        self.weeklyHours = weeklyHours
        self.isDefault = isDefault
        // contact_windows and contact_all_days take their column defaults (they came after the first calendar).
    }

    var weeklyRanges: [[TimeRange]] {
        let days = weeklyHours.split(separator: "\n", omittingEmptySubsequences: false).map {
            TimeRange.list(String($0)) ?? []
        }
        return (0..<7).map { $0 < days.count ? days[$0] : [] }
    }

    static func encode(weekly: [[TimeRange]]) -> String {
        weekly.map { $0.map(\.description).joined(separator: ",") }.joined(separator: "\n")
    }
}

/// One dated entry of a calendar: a holiday, a make-up workday, or a date with hours of its own.
final class CalendarDay: Model, @unchecked Sendable {
    static let schema = "calendar_days"

    enum Kind: String, Codable, CaseIterable { case holiday, workday, hours }

    @ID(key: .id) var id: UUID?
    @Parent(key: "calendar_id") var calendar: WorkCalendar
    @Field(key: "date") var date: String
    @Field(key: "kind") var kind: Kind
    @Field(key: "name") var name: String
    /// For `hours`: the day's ranges, empty when closed.
    @Field(key: "hours") var hours: String

    init() {}

    init(calendarID: UUID, date: LocalDate, kind: Kind, name: String, hours: String = "") {
        self.$calendar.id = calendarID
        self.date = date.iso
        self.kind = kind
        self.name = name
        self.hours = hours
    }
}
