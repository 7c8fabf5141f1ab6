import Foundation
import HuifangCore
import Synchronization
import Vapor

/// How the process writes its log: `text` (swift-log's lines, the default) or `json` (one JSON object a line,
/// `JSONLogLine`), from `HUIFANG_LOG_FORMAT`.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json

    private static let bootstrapped = Mutex(false)

    /// Sets the process's log format; only the first call counts (swift-log allows one bootstrap per process).
    public static func bootstrap(_ format: LogFormat, level: Logger.Level = .info) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first, format == .json else { return }
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label, write: JSONLogHandler.standardError)
            handler.logLevel = level
            return handler
        }
    }
}

/// Writes each record as one line of JSON; the request id Vapor puts in every request's logger metadata
/// (`request-id`) is the same as the `X-Request-ID` header of its response and the number on its error page.
struct JSONLogHandler: LogHandler {
    let label: String
    let write: @Sendable (String) -> Void
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let lock = Mutex(())

    static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = .string(String(describing: error)) }
        let line = JSONLogLine.line(
            time: Date(), level: event.level.rawValue, logger: label, message: event.message.description,
            metadata: merged.mapValues(\.description), source: event.source,
            file: (event.file as NSString).lastPathComponent, line: event.line)
        write(line + "\n")
    }
}
