import Foundation

/// One message of a `text/event-stream` (Server-Sent Events, as browsers' `EventSource` reads it).
public struct ServerSentEvent: Sendable, Equatable {
    /// The listener the browser calls (`addEventListener(event, …)`); `nil`: `message`.
    public var event: String?
    /// What the browser sends back as `Last-Event-ID` when it reconnects.
    public var id: String?
    /// The payload; each of its lines becomes one `data:` line.
    public var data: String

    public init(event: String? = nil, id: String? = nil, data: String) {
        self.event = event
        self.id = id
        self.data = data
    }

    /// The event as sent: its fields, one `data:` line per line of `data`, and the blank line that ends it.
    /// A line break inside the name or the id would start a field of its own, so it is dropped.
    public var encoded: String {
        var text = ""
        if let event { text += "event: \(Self.singleLine(event))\n" }
        if let id { text += "id: \(Self.singleLine(id))\n" }
        let lines = data.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false
        ).flatMap { $0.split(separator: "\r", omittingEmptySubsequences: false) }
        for line in lines { text += "data: \(line)\n" }
        return text + "\n"
    }

    /// A comment: ignored by browsers, it keeps an idle connection open through proxies and finds a closed one.
    public static func comment(_ text: String) -> String { ": \(singleLine(text))\n\n" }

    /// How long a browser waits before it reconnects once the stream ends or breaks.
    public static func retry(milliseconds: Int) -> String { "retry: \(max(0, milliseconds))\n\n" }

    /// The `Last-Event-ID` a reconnecting browser sends (or an `after` parameter), read as the id of the last
    /// notification it has; `nil` when absent or not a non-negative integer.
    public static func lastEventID(_ raw: String?) -> Int? {
        guard let raw, let id = Int(raw.trimmingCharacters(in: .whitespaces)), id >= 0 else { return nil }
        return id
    }

    private static func singleLine(_ text: String) -> String {
        String(text.filter { !$0.isNewline })
    }
}
