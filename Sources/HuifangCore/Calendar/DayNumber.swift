/// Days since 1970-01-01 for a calendar date, and back: the arithmetic under
/// every working-day computation (Howard Hinnant's civil-calendar algorithms).
extension LocalDate {
    /// Days since 1970-01-01 (negative before).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = month
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The first and last day a `LocalDate` can hold (0001-01-01 and 9999-12-31) as day numbers.
    public static let dayNumbers = -719_162...2_932_896

    /// The date `dayNumber` days after 1970-01-01; before 0001-01-01 or after 9999-12-31, that day: arithmetic on
    /// a date at the edge of the range (a year 9999 typed in, plus a rule's days) saturates instead of stopping the
    /// process.
    public init(dayNumber: Int) {
        let z = min(max(dayNumber, Self.dayNumbers.lowerBound), Self.dayNumbers.upperBound) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)!
    }

    /// Monday = 1 … Sunday = 7 (ISO 8601).
    public var isoWeekday: Int {
        let w = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    /// `days` later (earlier when negative), saturating at 0001-01-01 and 9999-12-31.
    public func adding(days: Int) -> LocalDate {
        LocalDate(dayNumber: dayNumber + min(max(days, -Self.dayNumbers.count), Self.dayNumbers.count))
    }
}
