import Fluent
import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The State Council schedule shipped with Huifang (`Resources/Calendar/china-holidays.txt`).
package enum OfficialChinaSchedule {
    package static func load() throws -> HolidaySchedule {
        let file = Resources.root.appendingPathComponent("Calendar/china-holidays.txt")
        return try HolidaySchedule.parse(String(contentsOf: file, encoding: .utf8))
    }
}

/// Reads and edits stored calendars, and builds the `BusinessCalendar` that computes with them.
package struct CalendarStore {
    let db: any Database

    package init(db: any Database) { self.db = db }

    func defaultCalendar() async throws -> WorkCalendar {
        guard let calendar = try await WorkCalendar.query(on: db).filter(\.$isDefault == true).first() else {
            throw Abort(.internalServerError, reason: "no default calendar")
        }
        return calendar
    }

    /// The computing calendar of the default calendar: what deadlines are counted in.
    package func defaultBusiness() async throws -> BusinessCalendar {
        try await defaultContact().calendar
    }

    /// The default calendar as contacts use it: its computing calendar, its contact windows and whether they hold
    /// on every day. Read by four columns, the computing calendar from the cache: every ticket opened and every
    /// attempt recorded reads it.
    func defaultContact() async throws -> (calendar: BusinessCalendar, windows: [TimeRange], allDays: Bool) {
        struct Row: Decodable {
            let id: UUID
            let updated_at: Date?
            let contact_windows: String
            let contact_all_days: Bool
        }
        let row = try await db.sql.raw(
            """
            SELECT id, updated_at, contact_windows, contact_all_days FROM calendars
            WHERE is_default = \(bind: true) LIMIT 1
            """
        ).first(decoding: Row.self)
        guard let row else { throw Abort(.internalServerError, reason: "no default calendar") }
        let windows = TimeRange.list(row.contact_windows) ?? []
        return (try await defaultBusiness(id: row.id, updatedAt: row.updated_at), windows, row.contact_all_days)
    }

    /// The default calendar's computing calendar, given its id and last change as read: from the cache, else built.
    func defaultBusiness(id: UUID, updatedAt: Date?) async throws -> BusinessCalendar {
        if let cached = CalendarCache.shared.get(Self.key(id, updatedAt)) { return cached }
        return try await business(defaultCalendar())
    }

    private static func key(_ id: UUID, _ updatedAt: Date?) -> String {
        "\(id)@\(updatedAt?.timeIntervalSince1970 ?? 0)"
    }

    /// The computing calendar of a stored one, built once per change and kept.
    func business(_ calendar: WorkCalendar) async throws -> BusinessCalendar {
        let key = Self.key(calendar.id!, calendar.updatedAt)
        if let cached = CalendarCache.shared.get(key) { return cached }
        let days = try await CalendarDay.query(on: db).filter(\.$calendar.$id == calendar.id!).all()
        var holidays: Set<LocalDate> = []
        var workdays: Set<LocalDate> = []
        var exceptions: [LocalDate: [TimeRange]] = [:]
        for day in days {
            guard let date = LocalDate(parsing: day.date) else { continue }
            switch day.kind {
            case .holiday: holidays.insert(date)
            case .workday: workdays.insert(date)
            case .hours: exceptions[date] = TimeRange.list(day.hours) ?? []
            }
        }
        let business = BusinessCalendar(
            timeZone: TimeZone(identifier: calendar.timeZone) ?? TimeZone(identifier: "Asia/Shanghai")!,
            weeklyHours: calendar.weeklyRanges, holidays: holidays, makeUpWorkdays: workdays,
            exceptions: exceptions)
        CalendarCache.shared.set(key, business)
        return business
    }

    /// Sets one date's entry (replacing any), or removes it with `kind == nil`, and marks the calendar changed.
    func set(_ date: LocalDate, kind: CalendarDay.Kind?, name: String, hours: String = "", in calendar: WorkCalendar)
        async throws
    {
        guard !TextLimit.exceeds(name, TextLimit.name) else { throw NamedFieldError.tooLong("name", TextLimit.name) }
        try await db.transaction { db in
            try await CalendarDay.query(on: db).filter(\.$calendar.$id == calendar.id!).filter(\.$date == date.iso)
                .delete()
            if let kind {
                try await CalendarDay(calendarID: calendar.id!, date: date, kind: kind, name: name, hours: hours)
                    .create(on: db)
            }
            try await Self.touch(calendar, on: db)
        }
    }

    /// Adds a schedule's holidays and make-up workdays, replacing entries on the same dates.
    @discardableResult
    func apply(_ schedule: HolidaySchedule, to calendarID: UUID) async throws -> Int {
        var rows: [(LocalDate, CalendarDay.Kind, String)] = []
        for entry in schedule.entries {
            for day in entry.first.dayNumber...entry.last.dayNumber {
                rows.append((LocalDate(dayNumber: day), entry.kind == .holiday ? .holiday : .workday, entry.name))
            }
        }
        let entries = rows
        try await db.transaction { db in
            let sql = db.sql
            for chunk in entries.chunked(200) {
                try await CalendarDay.query(on: db).filter(\.$calendar.$id == calendarID).filter(
                    \.$date ~~ chunk.map { $0.0.iso }
                ).delete()
                let insert = sql.insert(into: CalendarDay.schema).columns(
                    "id", "calendar_id", "date", "kind", "name", "hours")
                for (date, kind, name) in chunk {
                    insert.values(
                        SQLBind(UUID()), SQLBind(calendarID), SQLBind(date.iso), SQLBind(kind.rawValue), SQLBind(name),
                        SQLBind(""))
                }
                try await insert.run()
            }
            if let calendar = try await WorkCalendar.find(calendarID, on: db) { try await Self.touch(calendar, on: db) }
        }
        return entries.count
    }

    private static func touch(_ calendar: WorkCalendar, on db: any Database) async throws {
        calendar.updatedAt = Date()  // a version stamp for the cache, not a business time: always moves on
        try await calendar.update(on: db)
    }
}

/// Built calendars by id and version, shared by every request of this process.
final class CalendarCache: Sendable {
    static let shared = CalendarCache()
    private let storage = NIOLockedValueBox<[String: BusinessCalendar]>([:])

    func get(_ key: String) -> BusinessCalendar? { storage.withLockedValue { $0[key] } }

    func set(_ key: String, _ calendar: BusinessCalendar) {
        storage.withLockedValue { cache in
            if cache.count > 16 { cache.removeAll() }
            cache[key] = calendar
        }
    }
}
