import Foundation

/// A calendar date with no time or zone: a birthday or a registration date.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `2024-03-05`, `2024/3/5`, `2024.3.5`, `20240305` and `2024年3月5日`,
    /// optionally followed by a time (spreadsheets add ` 00:00:00`), which is ignored.
    public init?(parsing raw: String) {
        var text = raw.trimmingWhitespace()
        if let space = text.firstIndex(where: { $0 == " " || $0 == "T" }) { text = String(text[..<space]) }
        let parts: [Substring]
        if text.count == 8, text.allSatisfy(\.isASCIIDigit) {
            parts = [text.prefix(4), text.dropFirst(4).prefix(2), text.suffix(2)]
        } else {
            parts = text.split(whereSeparator: { "-/.年月日".contains($0) })
        }
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            parts[0].count == 4
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Today's date in a time zone.
    public static func today(in zone: TimeZone, now: Date) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    public var iso: String { iso(minuteOfDay: nil) }

    /// `2024-03-05`, and with a minute of the day `2024-03-05 09:30`: written digit by digit, since lists, exports
    /// and sweeps write thousands of these (string interpolation and padding cost several times more).
    public func iso(minuteOfDay: Int?) -> String {
        let minute = minuteOfDay.map { min(max($0, 0), 1439) }
        return String(unsafeUninitializedCapacity: minute == nil ? 10 : 16) { buffer in
            var end = 0
            func put(_ number: Int, digits: Int) {
                var rest = number
                for position in (0..<digits).reversed() {
                    buffer[end + position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                end += digits
            }
            func put(_ character: Unicode.Scalar) {
                buffer[end] = UInt8(ascii: character)
                end += 1
            }
            put(year, digits: 4)  // 1…9999: `init(year:month:day:)` refuses any other
            put("-")
            put(month, digits: 2)
            put("-")
            put(day, digits: 2)
            if let minute {
                put(" ")
                put(minute / 60, digits: 2)
                put(":")
                put(minute % 60, digits: 2)
            }
            return end
        }
    }

    public var description: String { iso }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(parsing: raw) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a date YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// Trims ASCII, full-width and non-breaking spaces, which spreadsheets leave around values.
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0 == "\u{3000}" || $0 == "\u{FEFF}" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}

extension LocalDate {
    /// Reads exactly `YYYY-MM-DD`, as dates are stored; quicker than `init?(parsing:)` for bulk work.
    public init?(iso text: String) {
        var year = 0
        var month = 0
        var day = 0
        var index = 0
        for byte in text.utf8 {
            switch index {
            case 4, 7:
                guard byte == UInt8(ascii: "-") else { return nil }
            case 0...9:
                guard byte >= 48, byte <= 57 else { return nil }
                let digit = Int(byte - 48)
                if index < 4 {
                    year = year * 10 + digit
                } else if index < 7 {
                    month = month * 10 + digit
                } else {
                    day = day * 10 + digit
                }
            default:
                return nil
            }
            index += 1
        }
        guard index == 10 else { return nil }
        self.init(year: year, month: month, day: day)
    }
}
