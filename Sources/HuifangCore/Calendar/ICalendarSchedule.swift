import Foundation

/// Reads holidays and make-up workdays from an iCalendar (.ics) file, as holiday
/// feeds publish them: all-day events whose summary says 班 (上班, 补班) for a make-up
/// workday and anything else (休, 放假, the festival's name) for a holiday.
public enum ICalendarSchedule {
    public static func parse(_ text: String) throws(HolidaySchedule.ParseError) -> HolidaySchedule {
        // Unfold continuation lines (RFC 5545 §3.1), remembering where each line began.
        var lines: [(number: Int, text: String)] = []
        // "\r\n" is one Character in Swift, so split on either line ending.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated()
        {
            let line = String(raw)
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !lines.isEmpty {
                lines[lines.count - 1].text += line.dropFirst()
            } else {
                lines.append((index + 1, line))
            }
        }
        guard lines.contains(where: { $0.text == "BEGIN:VCALENDAR" }) else {
            throw HolidaySchedule.ParseError(line: 1, reason: "not an iCalendar file (no BEGIN:VCALENDAR)")
        }
        var entries: [HolidaySchedule.Entry] = []
        var start: LocalDate?
        var end: LocalDate?
        var summary = ""
        var eventLine = 0
        for (number, line) in lines {
            let name = line.prefix { $0 != ":" && $0 != ";" }.uppercased()
            let value = line.firstIndex(of: ":").map { String(line[line.index(after: $0)...]) } ?? ""
            switch name {
            case "BEGIN" where value == "VEVENT":
                start = nil
                end = nil
                summary = ""
                eventLine = number
            case "DTSTART": start = date(value)
            case "DTEND": end = date(value)
            case "SUMMARY": summary = value.replacingOccurrences(of: "\\,", with: ",").trimmingWhitespace()
            case "END" where value == "VEVENT":
                guard let start else {
                    throw HolidaySchedule.ParseError(line: eventLine, reason: "an event without a DTSTART date")
                }
                let last = end.map { $0.adding(days: -1) } ?? start  // DTEND of an all-day event is exclusive
                guard last >= start else {
                    throw HolidaySchedule.ParseError(line: eventLine, reason: "DTEND is before DTSTART")
                }
                try HolidaySchedule.within(start, last, line: eventLine)
                let isWorkday = summary.contains("班")
                let label = summary.isEmpty ? (isWorkday ? "上班" : "假日") : summary
                if isWorkday {
                    for day in start.dayNumber...last.dayNumber {
                        entries.append(
                            .init(
                                kind: .workday, first: LocalDate(dayNumber: day), last: LocalDate(dayNumber: day),
                                name: label, year: start.year))
                    }
                } else {
                    entries.append(.init(kind: .holiday, first: start, last: last, name: label, year: start.year))
                }
            default: continue
            }
        }
        return HolidaySchedule(entries: entries)
    }

    /// `20250101` or `20250101T000000`.
    static func date(_ value: String) -> LocalDate? {
        let digits = value.prefix(8)
        guard digits.count == 8, let y = Int(digits.prefix(4)), let m = Int(digits.dropFirst(4).prefix(2)),
            let d = Int(digits.suffix(2))
        else { return nil }
        return LocalDate(year: y, month: m, day: d)
    }
}
