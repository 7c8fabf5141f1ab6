import Foundation

/// One log record as one line of JSON (`HUIFANG_LOG_FORMAT=json`), for a log collector: `time` (UTC, to the
/// millisecond), `level`, `logger`, `message`, then every metadata item (`request-id`, `method`, `path`, …) as a
/// string, then where it was written (`source`, `file`, `line`). Keys are sorted, so equal records are equal lines.
public enum JSONLogLine {
    public static func line(
        time: Date, level: String, logger: String, message: String, metadata: [String: String],
        source: String, file: String, line: UInt
    ) -> String {
        var record: [String: Any] = metadata
        record["time"] = timestamp(time)
        record["level"] = level
        record["logger"] = logger
        record["message"] = message
        record["source"] = source
        record["file"] = file
        record["line"] = Int(line)
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else { return #"{"level":"error","message":"unencodable log record"}"# }
        return text
    }

    /// `2026-11-30T10:15:03.042Z`.
    static func timestamp(_ time: Date) -> String {
        time.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}
