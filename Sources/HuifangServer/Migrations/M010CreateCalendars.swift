import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Creates calendars and their dated entries, and the default calendar for
/// mainland China from the shipped State Council schedule.
struct M010CreateCalendars: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WorkCalendar.schema)
            .id()
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("weekly_hours", .string, .required)
            .field("is_default", .bool, .required)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(CalendarDay.schema)
            .id()
            .field("calendar_id", .uuid, .required, .references(WorkCalendar.schema, .id, onDelete: .cascade))
            .field("date", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("hours", .string, .required)
            .unique(on: "calendar_id", "date")
            .create()

        try await Self.seedDefault(on: database, schedule: OfficialChinaSchedule.load())
    }

    /// The default calendar with standard hours and the official schedule. (Kept out of
    /// `prepare`: Swift 6.3's optimiser crashed splitting that coroutine with it inline.)
    private static func seedDefault(on database: any Database, schedule: HolidaySchedule) async throws {
        let calendar = WorkCalendar(name: "中国大陆工作日历", timeZone: "Asia/Shanghai",
                                    weeklyHours: WorkCalendar.encode(weekly: BusinessCalendar.standardHours), isDefault: true)
        try await calendar.create(on: database)
        let id = try calendar.requireID()
        _ = try await CalendarStore(db: database).apply(schedule, to: id)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CalendarDay.schema).delete()
        try await database.schema(WorkCalendar.schema).delete()
    }
}
