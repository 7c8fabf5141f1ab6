import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Vapor

/// One event of a `text/event-stream`, as a browser's `EventSource` hands it to a listener.
struct StreamedEvent: Sendable {
    var name = "message"
    var id: String?
    var data = ""

    func decoded<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(data.utf8)) }
}

/// An open response of the real server on a loopback port, read event by event as it arrives (the in-memory
/// tester waits for a whole body, which a stream never ends).
struct EventStreamReader {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    fileprivate var parts: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    fileprivate var pending: [UInt8] = []

    /// The next event (comments and `retry:` skipped), or `nil` once the server has ended the stream.
    mutating func next() async throws -> StreamedEvent? {
        while true {
            if let end = blankLine() {
                let block = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                if let event = Self.parse(block) { return event }
                continue
            }
            guard let part = try await parts.next() else { return nil }
            switch part {
            case .head: continue
            case .body(let buffer): pending += Array(buffer.readableBytesView)
            case .end: return nil
            }
        }
    }

    /// The next event named `name`, skipping the others.
    mutating func next(_ name: String) async throws -> StreamedEvent? {
        while let event = try await next() {
            if event.name == name { return event }
        }
        return nil
    }

    private func blankLine() -> Int? {
        guard pending.count >= 2 else { return nil }
        return (0..<(pending.count - 1)).first { pending[$0] == 10 && pending[$0 + 1] == 10 }
    }

    private static func parse(_ block: String) -> StreamedEvent? {
        var event = StreamedEvent()
        var data: [String] = []
        for line in block.split(separator: "\n") where !line.hasPrefix(":") {
            let (field, value) =
                line.firstIndex(of: ":").map { colon in
                    (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
                } ?? (String(line), "")
            switch field {
            case "event": event.name = value
            case "id": event.id = value
            case "data": data.append(value)
            default: continue
            }
        }
        guard !data.isEmpty else { return nil }
        event.data = data.joined(separator: "\n")
        return event
    }
}

/// Serves `app` on a loopback port for the length of `body`, then stops the server.
func serving<T>(_ app: Application, _ body: (Int) async throws -> T) async throws -> T {
    try await app.asyncBoot()
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    do {
        guard let port = app.http.server.shared.localAddress?.port else { throw StreamTestError.noPort }
        let result = try await body(port)
        await app.server.shutdown()
        return result
    } catch {
        await app.server.shutdown()
        throw error
    }
}

/// Opens `GET path` on the server at `port` with `headers`, hands the open response to `body` and closes the
/// connection after it, as a browser tab that is closed. Gives up after `seconds` (a stream that never sends what a
/// test waits for would hang the suite).
func withEventStream<T: Sendable>(
    port: Int, _ path: String, headers: HTTPHeaders = [:], seconds: Int = 300,
    _ body: @Sendable @escaping (inout EventStreamReader) async throws -> T
) async throws -> T {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                    wrappingChannelSynchronously: channel)
            }
        }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
                head.headers = headers
                head.headers.replaceOrAdd(name: "Host", value: "127.0.0.1:\(port)")
                head.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
                try await outbound.write(.head(head))
                try await outbound.write(.end(nil))
                var parts = inbound.makeAsyncIterator()
                guard case .head(let response) = try await parts.next() else { throw StreamTestError.noHead }
                var reader = EventStreamReader(status: response.status, headers: response.headers, parts: parts)
                return try await body(&reader)
            }
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            try? await channel.channel.close()
            throw StreamTestError.timedOut
        }
        return result
    }
}

enum StreamTestError: Error {
    case noPort
    case noHead
    case timedOut
}
