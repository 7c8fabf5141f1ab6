/// A daily time range in local wall-clock time, `09:00-12:00`, start inclusive, end exclusive.
public struct TimeRange: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Seconds since local midnight.
    public let start: Int
    public let end: Int

    public init?(start: Int, end: Int) {
        guard 0 <= start, start < end, end <= 86_400 else { return nil }
        self.start = start
        self.end = end
    }

    /// Reads `09:00-12:00` (also with `–`, `~` or `至`); `24:00` ends a day.
    public init?(parsing text: String) {
        let parts = text.split(whereSeparator: { "-–~至".contains($0) }).map { $0.trimmingWhitespace() }
        guard parts.count == 2, let start = Self.seconds(parts[0]), let end = Self.seconds(parts[1]) else { return nil }
        self.init(start: start, end: end)
    }

    static func seconds(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h),
            (0..<60).contains(m),
            h < 24 || m == 0
        else { return nil }
        return h * 3600 + m * 60
    }

    public var length: Int { end - start }

    public var description: String {
        func clock(_ s: Int) -> String {
            let h = s / 3600
            let m = s % 3600 / 60
            return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        }
        return "\(clock(start))-\(clock(end))"
    }

    /// Parses `09:00-12:00,13:30-18:00` into ordered, non-overlapping ranges.
    public static func list(_ text: String) -> [TimeRange]? {
        let ranges = text.split(whereSeparator: { ",，;；".contains($0) }).map { TimeRange(parsing: String($0)) }
        guard !ranges.contains(where: { $0 == nil }) else { return nil }
        let sorted = ranges.compactMap { $0 }.sorted { $0.start < $1.start }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.end > b.start { return nil }
        return sorted
    }
}
