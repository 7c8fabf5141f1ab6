import Foundation

/// Local date-times as people and spreadsheets write them, read in the organisation's time zone: the one parser
/// for event files, calls, contact records, extensions and the API.
public enum LocalTime {
    /// 0001-01-02 and 9999-12-30 at midnight UTC: an instant between them is a date of years 1 to 9999 in any zone.
    private static let first = Date(timeIntervalSince1970: Double(LocalDate.dayNumbers.lowerBound + 1) * 86_400)
    private static let last = Date(timeIntervalSince1970: Double(LocalDate.dayNumbers.upperBound - 1) * 86_400)

    /// A local date and instant from `2025-03-01`, `2025-03-01 14:30[:05]`, `2025/3/1 14:30` or ISO 8601 with an offset.
    public static func parse(_ raw: String, in zone: TimeZone) -> (date: LocalDate, instant: Date)? {
        let text = raw.trimmingWhitespace()
        if text.hasSuffix("Z") || text.dropFirst(10).contains("+")
            || (text.count > 19 && text.dropFirst(19).contains("-"))
        {
            let formatter = ISO8601DateFormatter()
            // Years 1 to 9999 only, as a date written out is (a five-digit year would be no `LocalDate`).
            guard let instant = formatter.date(from: text), (Self.first...Self.last).contains(instant) else {
                return nil
            }
            return (LocalDate.today(in: zone, now: instant), instant)
        }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard (1...2).contains(parts.count), let day = LocalDate(parsing: String(parts[0])) else { return nil }
        var seconds = 0
        if parts.count == 2 {
            let clock = parts[1].split(separator: ":").map { Int($0) }
            guard (2...3).contains(clock.count), clock.allSatisfy({ $0 != nil }), (0..<24).contains(clock[0]!),
                (0..<60).contains(clock[1]!),
                clock.count == 2 || (0..<60).contains(clock[2]!)
            else { return nil }
            seconds = clock[0]! * 3600 + clock[1]! * 60 + (clock.count == 3 ? clock[2]! : 0)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard
            let instant = calendar.date(
                from: DateComponents(year: day.year, month: day.month, day: day.day, second: seconds))
        else { return nil }
        return (day, instant)
    }
}
