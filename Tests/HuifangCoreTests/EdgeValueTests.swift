import Foundation
import Testing

@testable import HuifangCore

/// Values at the edge of what a type holds, typed in or crafted, are answered as any other input: none of them
/// stops the process (an overflow, a force unwrap of nil).
@Suite struct EdgeValueTests {
    @Test func dayAndMonthArithmeticSaturatesAtTheFirstAndLastDateALocalDateHolds() {
        let (first, last) = (LocalDate(year: 1, month: 1, day: 1)!, LocalDate(year: 9999, month: 12, day: 31)!)
        #expect(last.adding(days: 180) == last && first.adding(days: -1) == first)
        #expect(last.adding(days: Int.max) == last && first.adding(days: Int.min) == first)
        #expect(LocalDate(dayNumber: Int.max) == last && LocalDate(dayNumber: Int.min) == first)
        #expect(last.adding(days: -1).iso == "9999-12-30" && first.adding(days: 1).iso == "0001-01-02")
        #expect(LocalDate(year: 2026, month: 12, day: 31)!.adding(days: 1).iso == "2027-01-01")
        #expect(last.adding(months: 1) == last && first.adding(months: -1) == first)
        #expect(last.adding(months: Int.max) == last && first.adding(months: Int.min) == first)
        #expect(LocalDate(year: 2024, month: 1, day: 31)!.adding(months: 1).iso == "2024-02-29")
    }

    @Test func anInstantOutsideYearsOneTo9999IsNoLocalTime() {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        #expect(LocalTime.parse("10000-01-01T00:00:00Z", in: zone) == nil)
        #expect(LocalTime.parse("0001-01-01T00:00:00Z", in: zone) == nil)
        #expect(LocalTime.parse("9999-12-31T23:00:00Z", in: zone) == nil, "10000-01-01 in Shanghai")
        #expect(LocalTime.parse("2026-03-01T00:00:00Z", in: zone)?.date.iso == "2026-03-01")
    }

    @Test func aCellReferenceBeyondExcelsLastColumnIsNone() {
        #expect(XLSXReader.column("B12") == 1 && XLSXReader.column("XFD1") == 16_383)
        #expect(XLSXReader.column("XFE1") == nil && XLSXReader.column("AAAA1") == nil)
        #expect(XLSXReader.column("AAAAAAAAAAAAAAA1") == nil)
    }

    @Test func hugePointsAreRefusedByNameNotSummed() {
        let plan = SpotCheckPlan(
            sharePerMille: 50, minimum: 3,
            checkpoints: [
                Checkpoint(key: "a", text: "开场问候", points: Int.max), Checkpoint(key: "b", text: "礼貌结束", points: 1),
            ])
        #expect(plan.problems().map(\.field) == ["checkpoints[0].points"])
    }

    /// A schedule's dates lie in the working calendar's years: an all-day event from year 1 (whose exclusive end,
    /// a day earlier, used to stop the process) or a range to 9999 (millions of days to store) is refused by line.
    @Test func aScheduleBeyondTheCalendarsYearsIsRefusedByLine() {
        let event = { (start: String, end: String) in
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:\(start)\r\nDTEND;VALUE=DATE:\(end)\r\n"
                + "SUMMARY:假日\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        }
        #expect(
            throws: HolidaySchedule.ParseError(
                line: 2, reason: "0001-01-01..0001-01-01 is outside the years 1900 to 2199")
        ) {
            try ICalendarSchedule.parse(event("00010101", "00010101"))
        }
        #expect(throws: HolidaySchedule.ParseError.self) { try ICalendarSchedule.parse(event("20270101", "99991231")) }
        #expect(
            throws: HolidaySchedule.ParseError(
                line: 2, reason: "2027-01-01..9999-12-31 is outside the years 1900 to 2199")
        ) {
            try HolidaySchedule.parse("year 2027\nholiday 2027-01-01..9999-12-31 元旦\n")
        }
        #expect((try? ICalendarSchedule.parse(event("20270101", "20270104")))?.entries.count == 1)
    }
}
