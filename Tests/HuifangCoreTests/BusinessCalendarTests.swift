import Foundation
import HuifangCore
import Testing

/// The official schedule shipped with the server, read as the tests' oracle.
let officialSchedule: HolidaySchedule = {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Sources/HuifangServer/Resources/Calendar/china-holidays.txt")
    return try! HolidaySchedule.parse(String(contentsOf: file, encoding: .utf8))
}()
let shanghai = TimeZone(identifier: "Asia/Shanghai")!
let china = BusinessCalendar(timeZone: shanghai, schedule: officialSchedule)

func date(_ iso: String) -> LocalDate { LocalDate(parsing: iso)! }

/// An instant at a local time in a zone: `2024-09-30T16:00`.
func at(_ text: String, _ zone: TimeZone = shanghai) -> Date {
    let parts = text.split(separator: "T")
    let day = date(String(parts[0]))
    let clock = parts[1].split(separator: ":").map { Int($0)! }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    return calendar.date(
        from: DateComponents(year: day.year, month: day.month, day: day.day, hour: clock[0], minute: clock[1]))!
}

func local(_ instant: Date, _ zone: TimeZone = shanghai) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = zone
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
    return formatter.string(from: instant)
}

@Suite struct BusinessCalendarTests {
    @Test func theScheduleCoversEveryYearFrom2015Through2026() throws {
        #expect(officialSchedule.years == 2015...2026)
        for year in 2015...2026 {
            let names = Set(officialSchedule.entries(ofYear: year).map(\.name))
            #expect(names.contains("春节") && names.contains("元旦") && names.contains("劳动节"), "\(year)")
        }
    }

    /// Every year's working days: the weekdays less the statutory days (11 a year, 13 from 2025;
    /// 2015 had one more for the anniversary, 2020 two fewer after the extended Spring Festival).
    @Test(arguments: [
        (2015, 249), (2016, 250), (2017, 249), (2018, 250), (2019, 250), (2020, 249),
        (2021, 250), (2022, 249), (2023, 249), (2024, 251), (2025, 248), (2026, 248),
    ])
    func workingDaysOfEachYear(year: Int, expected: Int) throws {
        #expect(
            try china.workingDays(
                from: LocalDate(year: year, month: 1, day: 1)!, through: LocalDate(year: year, month: 12, day: 31)!)
                == expected)
    }

    @Test(arguments: [
        ("2024-09-30", 1, "2024-10-08"),  // the example: National Day week
        ("2024-09-30", 3, "2024-10-10"),
        ("2024-04-30", 5, "2024-05-10"),  // across Labour Day
        ("2024-05-10", 1, "2024-05-11"),  // a make-up Saturday counts
        ("2024-12-31", 1, "2025-01-02"),  // across New Year
        ("2025-01-24", 1, "2025-01-26"),  // Sunday 26 January 2025 was a working day
        ("2025-01-26", 1, "2025-01-27"),
        ("2025-01-27", 1, "2025-02-05"),  // the eight-day Spring Festival of 2025
        ("2020-01-23", 1, "2020-02-03"),  // the extended Spring Festival of 2020: 1 February was no longer worked
        ("2015-09-02", 1, "2015-09-06"),  // the 2015 anniversary holiday and its make-up Sunday
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-14", 1, "2026-02-24"),
        ("2023-09-28", 1, "2023-10-07"),
        ("2024-10-07", 1, "2024-10-08"),  // from a holiday: the first working day after it
    ])
    func addsWorkingDaysByTheOfficialSchedule(from: String, days: Int, expected: String) throws {
        #expect(try china.addWorkingDays(days, after: date(from)).iso == expected)
    }

    @Test func countsAndKindsOfKnownDates() throws {
        #expect(china.kind(of: date("2024-09-29")) == .makeUpWorkday)
        #expect(china.kind(of: date("2024-10-01")) == .holiday)
        #expect(china.kind(of: date("2024-10-05")) == .holiday)
        #expect(china.kind(of: date("2024-10-13")) == .weekend)
        #expect(china.kind(of: date("2024-10-14")) == .working)
        #expect(!china.isWorkingDay(date("2020-01-31")) && !china.isWorkingDay(date("2020-02-01")))
        #expect(try china.workingDays(from: date("2024-10-01"), through: date("2024-10-07")) == 0)
        // 29, 30 Sep and 8–12 Oct
        #expect(try china.workingDays(from: date("2024-09-29"), through: date("2024-10-12")) == 7)
        #expect(try china.workingDays(from: date("2024-10-12"), through: date("2024-09-29")) == 0)
        #expect(try china.addWorkingDays(-1, after: date("2024-10-08")).iso == "2024-09-30")
        #expect(try china.addWorkingDays(-1, after: date("2024-10-05")).iso == "2024-09-30")
    }

    @Test func addsWorkingHoursOnlyInsideWorkingHours() throws {
        #expect(local(try china.addWorkingHours(4, to: at("2024-09-30T16:00"))) == "2024-10-08T11:00")
        #expect(local(china.addCalendarHours(4, to: at("2024-09-30T16:00"))) == "2024-09-30T20:00")
        // lunch does not count
        #expect(local(try china.addWorkingHours(1, to: at("2024-10-08T12:30"))) == "2024-10-08T14:30")
        #expect(local(try china.addWorkingHours(1, to: at("2024-10-08T17:00"))) == "2024-10-08T18:00")
        #expect(local(try china.addWorkingHours(0.5, to: at("2024-10-08T21:00"))) == "2024-10-09T09:30")
        // through the make-up Saturday
        #expect(local(try china.addWorkingHours(7.5 * 5, to: at("2024-10-08T09:00"))) == "2024-10-12T18:00")
        #expect(try china.workingSeconds(from: at("2024-09-30T16:00"), to: at("2024-10-08T11:00")) == 4 * 3600)
        #expect(try china.workingSeconds(from: at("2024-10-01T10:00"), to: at("2024-10-07T10:00")) == 0)
        #expect(china.calendarSeconds(from: at("2024-10-01T10:00"), to: at("2024-10-02T10:00")) == 86_400)
    }

    @Test func keepsWallClockHoursAcrossDaylightSavingChanges() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let calendar = BusinessCalendar(timeZone: berlin)
        // Summer time began on Sunday 31 March 2024.
        #expect(
            local(try calendar.addWorkingHours(2, to: at("2024-03-29T17:00", berlin)), berlin) == "2024-04-01T10:00")
        #expect(
            try calendar.workingSeconds(from: at("2024-03-29T09:00", berlin), to: at("2024-04-01T09:00", berlin)) == 7
                * 3600 + 1800)
        // Winter time began on Sunday 27 October 2024.
        #expect(
            local(try calendar.addWorkingHours(7.5, to: at("2024-10-25T09:00", berlin)), berlin) == "2024-10-25T18:00")
        #expect(
            local(try calendar.addWorkingHours(8, to: at("2024-10-25T09:00", berlin)), berlin) == "2024-10-28T09:30")
    }

    @Test func handlesLeapYearsAndTheWholeRange() throws {
        let plain = BusinessCalendar(timeZone: TimeZone(identifier: "UTC")!)
        #expect(try plain.addWorkingDays(1, after: date("2024-02-28")).iso == "2024-02-29")
        #expect(try plain.addWorkingDays(1, after: date("2023-02-28")).iso == "2023-03-01")
        #expect(try plain.addWorkingDays(1, after: date("2100-02-26")).iso == "2100-03-01")  // 2100 is no leap year
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        for day in stride(
            from: BusinessCalendar.firstDate.dayNumber, through: BusinessCalendar.lastDate.dayNumber, by: 1)
        {
            let d = LocalDate(dayNumber: day)
            #expect(d.dayNumber == day)
            if day % 997 == 0 {
                let instant = Date(timeIntervalSince1970: Double(day) * 86_400)
                let parts = gregorian.dateComponents([.year, .month, .day, .weekday], from: instant)
                #expect([parts.year, parts.month, parts.day] == [d.year, d.month, d.day])
                #expect((parts.weekday! + 5) % 7 + 1 == d.isoWeekday)
            }
        }
    }

    @Test func datesAndMinutesAreWrittenWithLeadingZeros() throws {
        #expect(LocalDate(year: 7, month: 3, day: 5)!.iso == "0007-03-05")
        #expect(LocalDate(year: 9999, month: 12, day: 31)!.iso == "9999-12-31")
        let day = try #require(LocalDate(year: 2026, month: 1, day: 9))
        #expect(day.iso(minuteOfDay: 0) == "2026-01-09 00:00")
        #expect(day.iso(minuteOfDay: 9 * 60 + 5) == "2026-01-09 09:05")
        #expect(day.iso(minuteOfDay: 1439) == "2026-01-09 23:59")
        for number in stride(from: -719_162, through: 2_932_896, by: 7919) {  // 0001-01-01 … 9999-12-31
            let date = LocalDate(dayNumber: number)
            #expect(date.iso == String(format: "%04d-%02d-%02d", date.year, date.month, date.day))
            #expect(LocalDate(parsing: date.iso) == date)
        }
    }

    @Test func resultsOutsideTheCoveredYearsThrowInsteadOfStopping() throws {
        #expect(throws: CalendarRangeError()) { try china.addWorkingDays(5, after: date("2199-12-30")) }
        #expect(throws: CalendarRangeError()) { try china.addWorkingDays(-5, after: date("1900-01-02")) }
        #expect(throws: CalendarRangeError()) { try china.addWorkingDays(1, after: date("2250-01-01")) }
        #expect(throws: CalendarRangeError()) { try china.addWorkingHours(10, to: at("2199-12-31T17:00")) }
        #expect(throws: CalendarRangeError()) {
            try china.workingDays(from: date("2199-01-01"), through: date("2200-01-01"))
        }
        #expect(try china.addWorkingDays(1, after: date("2199-12-29")).iso == "2199-12-30")
        // Outside the table a date is judged by its weekday alone.
        #expect(china.isWorkingDay(date("2250-06-03")) && !china.isWorkingDay(date("2250-06-01")))
    }

    /// Properties over random dates and amounts, reproducible from the seed.
    @Test func addingThenCountingRoundTrips() throws {
        var rng = SplitMix64(seed: 20_241_008)
        let first = date("2015-01-01").dayNumber
        let last = date("2026-12-31").dayNumber
        for _ in 0..<3000 {
            let start = LocalDate(dayNumber: Int(rng.next() % UInt64(last - first)) + first)
            let n = Int(rng.next() % 60) + 1
            let end = try china.addWorkingDays(n, after: start)
            #expect(china.isWorkingDay(end))
            #expect(try china.workingDays(from: start.adding(days: 1), through: end) == n, "\(start.iso) + \(n)")
            #expect(
                try china.addWorkingDays(-n, after: end)
                    == (china.isWorkingDay(start) ? start : try china.addWorkingDays(-1, after: start)))

            let instant = Date(
                timeIntervalSince1970: Double(start.dayNumber) * 86_400 + Double(rng.next() % 86_400) - 8 * 3600)
            let seconds = Int64(rng.next() % (200 * 3600)) + 1
            let deadline = try china.addWorkingSeconds(seconds, to: instant)
            #expect(try china.workingSeconds(from: instant, to: deadline) == seconds)
            let (day, second) = china.localDate(of: deadline)
            #expect(
                china.hours(on: day).contains { $0.start < second && second <= $0.end },
                "\(local(deadline)) is not inside working hours")
        }
    }

    @Test func contactWindowsSkipHolidaysAndOffHours() throws {
        let windows = ContactWindows(calendar: china, ranges: TimeRange.list("10:00-12:00,15:00-17:00")!)
        #expect(local(try #require(windows.nextContactSlot(after: at("2024-09-30T17:30")))) == "2024-10-08T10:00")
        #expect(local(try #require(windows.nextContactSlot(after: at("2024-10-08T11:00")))) == "2024-10-08T11:00")
        #expect(local(try #require(windows.nextContactSlot(after: at("2024-10-08T12:30")))) == "2024-10-08T15:00")
        #expect(local(try #require(windows.nextContactSlot(after: at("2024-10-08T07:00")))) == "2024-10-08T10:00")
        #expect(!windows.isInsideWindow(at("2024-10-03T10:30")))
        #expect(windows.isInsideWindow(at("2024-10-12T10:30")), "a make-up Saturday is a working day")
        #expect(!windows.isInsideWindow(at("2024-10-08T12:00")), "a window's end is outside it")
        let everyDay = ContactWindows(calendar: china, ranges: TimeRange.list("10:00-12:00")!, workingDaysOnly: false)
        #expect(local(try #require(everyDay.nextContactSlot(after: at("2024-10-01T09:00")))) == "2024-10-01T10:00")
    }

    @Test func readsICalendarFilesAndWindowsLineEndings() throws {
        let ics =
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270104\r\nSUMMARY:元旦\r\n  休\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270109\r\nSUMMARY:补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let schedule = try ICalendarSchedule.parse(ics)
        #expect(
            schedule.entries.map { "\($0.kind) \($0.first.iso)..\($0.last.iso) \($0.name)" } == [
                "holiday 2027-01-01..2027-01-03 元旦 休", "workday 2027-01-09..2027-01-09 补班",
            ])
        let text = try HolidaySchedule.parse("year 2027\r\nholiday 2027-01-01..2027-01-03 元旦\r\n")
        #expect(text.entries.count == 1)
        #expect(throws: HolidaySchedule.ParseError.self) { try ICalendarSchedule.parse("holiday 2027-01-01 元旦") }
    }

    @Test func refusesMalformedScheduleLinesByLineNumber() throws {
        #expect(throws: HolidaySchedule.ParseError(line: 3, reason: "2024-10-08 is not a Saturday or Sunday")) {
            try HolidaySchedule.parse("# comment\nyear 2024\nworkday 2024-10-08 国庆节\n")
        }
        #expect(throws: HolidaySchedule.ParseError.self) {
            try HolidaySchedule.parse("year 2024\nholiday 2024-10-07..2024-10-01 国庆节\n")
        }
        #expect(throws: HolidaySchedule.ParseError.self) { try HolidaySchedule.parse("holiday 2024-10-01 国庆节\n") }
        #expect(TimeRange.list("09:00-12:00,11:00-13:00") == nil, "overlapping ranges are refused")
        #expect(TimeRange(parsing: "09:00-08:00") == nil)
        #expect(TimeRange.list("13:30-18:00,09:00-12:00")?.map(\.description) == ["09:00-12:00", "13:30-18:00"])
    }
}
