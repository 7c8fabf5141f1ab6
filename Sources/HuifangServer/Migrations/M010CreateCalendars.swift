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
    /// Written in SQL, not through the models, which gained columns in later migrations.
    private static func seedDefault(on database: any Database, schedule: HolidaySchedule) async throws {
        let sql = database.sql
        let id = UUID()
        try await sql.insert(into: WorkCalendar.schema).columns(
            "id", "name", "time_zone", "weekly_hours", "is_default", "updated_at"
        )
        .values(
            SQLBind(id), SQLBind("中国大陆工作日历"), SQLBind("Asia/Shanghai"),
            SQLBind(WorkCalendar.encode(weekly: BusinessCalendar.standardHours)), SQLBind(true), SQLBind(Date())
        )
        .run()
        var rows: [(LocalDate, String, String)] = []
        for entry in schedule.entries {
            for day in entry.first.dayNumber...entry.last.dayNumber {
                rows.append((LocalDate(dayNumber: day), entry.kind == .holiday ? "holiday" : "workday", entry.name))
            }
        }
        for chunk in rows.chunked(200) {
            let insert = sql.insert(into: CalendarDay.schema).columns(
                "id", "calendar_id", "date", "kind", "name", "hours")
            for (date, kind, name) in chunk {
                insert.values(
                    SQLBind(UUID()), SQLBind(id), SQLBind(date.iso), SQLBind(kind), SQLBind(name), SQLBind(""))
            }
            try await insert.run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CalendarDay.schema).delete()
        try await database.schema(WorkCalendar.schema).delete()
    }
}
