/// A published schedule of public holidays and make-up workdays (调休上班日),
/// read from the text format of `china-holidays.txt`.
public struct HolidaySchedule: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable { case holiday, workday }
        public let kind: Kind
        public let first: LocalDate
        public let last: LocalDate
        public let name: String
        /// The schedule year whose notice announced it.
        public let year: Int

        public init(kind: Kind, first: LocalDate, last: LocalDate, name: String, year: Int) {
            self.kind = kind
            self.first = first
            self.last = last
            self.name = name
            self.year = year
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Why a line of a schedule file was refused, with its line number.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    /// Reads `year Y`, `holiday FIRST[..LAST] NAME` and `workday DATE NAME` lines; `#` starts a comment.
    public static func parse(_ text: String) throws(ParseError) -> HolidaySchedule {
        var entries: [Entry] = []
        var year: Int?
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated()
        {
            let line =
                raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingWhitespace() ?? ""
            guard !line.isEmpty else { continue }
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            let number = index + 1
            if parts[0] == "year" {
                guard parts.count == 2, let y = Int(parts[1]) else {
                    throw ParseError(line: number, reason: "expected: year YYYY")
                }
                year = y
                continue
            }
            guard let kind = Entry.Kind(rawValue: parts[0]), parts.count == 3 else {
                throw ParseError(line: number, reason: "expected: holiday FIRST[..LAST] NAME or workday DATE NAME")
            }
            guard let year else { throw ParseError(line: number, reason: "an entry before the first 'year' line") }
            entries.append(try entry(kind, dates: parts[1], name: parts[2], year: year, line: number))
        }
        return HolidaySchedule(entries: entries)
    }

    /// Dates of the working calendar only (1900 to 2199): a range beyond them would be millions of days to store.
    static func within(_ first: LocalDate, _ last: LocalDate, line: Int) throws(ParseError) {
        guard BusinessCalendar.dates.contains(first), BusinessCalendar.dates.contains(last) else {
            throw ParseError(line: line, reason: "\(first.iso)..\(last.iso) is outside the years 1900 to 2199")
        }
    }

    /// One entry checked: a date or a range FIRST..LAST; a make-up workday is a single Saturday or Sunday.
    static func entry(_ kind: Entry.Kind, dates: String, name: String, year: Int, line: Int) throws(ParseError)
        -> Entry
    {
        let range = dates.components(separatedBy: "..")
        guard let first = LocalDate(parsing: range[0]), let last = LocalDate(parsing: range.last!),
            range.count <= 2, first <= last
        else {
            throw ParseError(line: line, reason: "'\(dates)' is not a date or a date range FIRST..LAST")
        }
        try within(first, last, line: line)
        if kind == .workday {
            guard first == last else { throw ParseError(line: line, reason: "a make-up workday is one date") }
            guard first.isoWeekday >= 6 else {
                throw ParseError(line: line, reason: "\(first.iso) is not a Saturday or Sunday")
            }
        }
        return Entry(kind: kind, first: first, last: last, name: name, year: year)
    }

    /// The entries a year's notice announced.
    public func entries(ofYear year: Int) -> [Entry] { entries.filter { $0.year == year } }

    /// The years the schedule covers.
    public var years: ClosedRange<Int>? {
        guard let low = entries.map(\.year).min(), let high = entries.map(\.year).max() else { return nil }
        return low...high
    }
}
