import Foundation
import HuifangCore

/// The calendar questions operators and other features ask, answered the same way
/// for the command line and the API. Inputs are read leniently and refused with a
/// message naming the parameter.
struct CalendarQueries {
    let calendar: BusinessCalendar

    /// An input that cannot be used: the parameter, its value, and (a catalogue key for) what was expected.
    struct InputError: Error {
        let parameter: String
        let value: String
        let expected: String

        func message(in language: Language) -> String {
            Catalogue.text("calendar.badInput", language, [parameter, value, Catalogue.text(expected, language)])
        }
    }

    static func date(_ value: String, _ parameter: String) throws -> LocalDate {
        guard let date = LocalDate(parsing: value), BusinessCalendar.dates.contains(date) else {
            throw InputError(parameter: parameter, value: value, expected: "calendar.expect.date")
        }
        return date
    }

    /// `2024-09-30T16:00` (or with seconds, or a space for the T) in the calendar's time zone.
    func instant(_ value: String, _ parameter: String) throws -> Date {
        let parts = value.split(whereSeparator: { $0 == "T" || $0 == " " })
        let clock = parts.count == 2 ? parts[1].split(separator: ":").compactMap { Int($0) } : []
        guard parts.count == 2, let day = LocalDate(parsing: String(parts[0])),
            BusinessCalendar.dates.contains(day), (2...3).contains(clock.count), (0..<24).contains(clock[0]),
            (0..<60).contains(clock[1]), clock.count == 2 || (0..<60).contains(clock[2])
        else {
            throw InputError(parameter: parameter, value: value, expected: "calendar.expect.time")
        }
        let seconds = clock[0] * 3600 + clock[1] * 60 + (clock.count == 3 ? clock[2] : 0)
        return calendar.instant(local: Int64(day.dayNumber) * 86_400 + Int64(seconds))
    }

    /// `2024-10-08T11:00`, with `:SS` only when the seconds are not zero.
    func format(_ instant: Date) -> String {
        let (date, second) = calendar.localDate(of: instant)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let base = "\(date.iso)T\(two(second / 3600)):\(two(second % 3600 / 60))"
        return second % 60 == 0 ? base : base + ":\(two(second % 60))"
    }

    func workdays(from: String, to: String) throws -> Int {
        try calendar.workingDays(from: Self.date(from, "from"), through: Self.date(to, "to"))
    }

    func addWorkdays(from: String, days: Int) throws -> String {
        let start = try Self.date(from, "from")
        guard abs(days) <= 20_000 else {
            throw InputError(parameter: "days", value: String(days), expected: "calendar.expect.days")
        }
        do {
            return try calendar.addWorkingDays(days, after: start).iso
        } catch {
            throw InputError(parameter: "days", value: String(days), expected: "calendar.expect.inRange")
        }
    }

    func addHours(from: String, hours: Double, working: Bool) throws -> String {
        let start = try instant(from, "from")
        guard hours >= 0, hours <= 100_000 else {
            throw InputError(parameter: "hours", value: String(hours), expected: "calendar.expect.hours")
        }
        let result: Date
        do {
            result =
                working ? try calendar.addWorkingHours(hours, to: start) : calendar.addCalendarHours(hours, to: start)
        } catch {
            throw InputError(parameter: "hours", value: String(hours), expected: "calendar.expect.inRange")
        }
        return format(result)
    }

    struct Day: Codable, Equatable {
        let date: String
        let kind: String
        let name: String
        let hours: String?
    }

    /// The year's holidays, make-up workdays and dates with hours of their own, in date order.
    static func show(year: Int, days: [CalendarDay]) -> [Day] {
        days.filter { $0.date.hasPrefix("\(year)-") }.sorted { $0.date < $1.date }.map {
            Day(date: $0.date, kind: $0.kind.rawValue, name: $0.name, hours: $0.kind == .hours ? $0.hours : nil)
        }
    }

    /// Reads pasted lines in the schedule format, an iCalendar file, or a workbook (`HolidaySchedule.parse(records:)`).
    static func schedule(from bytes: [UInt8]) throws -> HolidaySchedule {
        let content: ScheduleFile.Content
        do throws(ImportFileProblem) {
            content = try ScheduleFile.read(bytes)
        } catch .workbookTooLarge {
            throw HolidaySchedule.ParseError(line: 1, reason: "the Excel file unpacks to more than 512 MB")
        } catch .sheetTooLarge {
            throw HolidaySchedule.ParseError(line: 1, reason: "the sheet holds more than 16 million cells")
        } catch {
            throw HolidaySchedule.ParseError(line: 1, reason: "the Excel file cannot be read (save it as .xlsx again)")
        }
        switch content {
        case .workbook(let records): return try HolidaySchedule.parse(records: records)
        case .text(let text):
            return text.contains("BEGIN:VCALENDAR")
                ? try ICalendarSchedule.parse(text) : try HolidaySchedule.parse(text)
        }
    }
}
