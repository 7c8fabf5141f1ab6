import Foundation
import HuifangCore
import Synchronization
import Testing
import VaporTesting

@testable import HuifangServer

/// Every response names its request (`X-Request-ID`), error pages and API errors show the same id, and the JSON
/// log writes it on every record of that request.
@Suite struct RequestIDTests {
    @Test func theResponseTheErrorAndTheLogNameTheSameRequest() async throws {
        try await withHuifang { app in
            let lines = Mutex<[String]>([])
            var handler = JSONLogHandler(label: "test") { line in lines.withLock { $0.append(line) } }
            handler.logLevel = .debug
            let request = Request(application: app, method: .GET, url: "/", on: app.eventLoopGroup.next())
            var logger = Logger(label: "test") { _ in handler }
            logger[metadataKey: "request-id"] = .string(request.id)
            logger.warning("出错了", metadata: ["status": "404"])
            let written = try #require(lines.withLock { $0.first })
            let record = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
            #expect(record["request-id"] as? String == request.id && record["status"] as? String == "404")

            let page = try await app.testing().sendRequest(.GET, "/no-such-page")
            let id = try #require(page.headers.first(name: "X-Request-ID"))
            #expect(page.status == .notFound && page.body.string.contains(id), "the error page shows the id")
            let api = try await app.testing().sendRequest(.GET, "/api/v1/tickets")
            let apiID = try #require(api.headers.first(name: "X-Request-ID"))
            #expect(api.status == .unauthorized && api.body.string.contains("\"requestID\":\"\(apiID)\""))
            #expect(apiID != id, "each request has its own")

            // A proxy's id is kept, so one id follows the request through both logs.
            let proxied = try await app.testing().sendRequest(
                .GET, "/login", headers: ["X-Request-ID": "nginx-7f3a"])
            #expect(proxied.headers.first(name: "X-Request-ID") == "nginx-7f3a")
            // Anything else a client sends is not echoed: a new id stands in for it.
            for sent in ["", "a b", String(repeating: "x", count: 129), "id=1 status=200"] {
                let odd = try await app.testing().sendRequest(.GET, "/login", headers: ["X-Request-ID": sent])
                let answered = try #require(odd.headers.first(name: "X-Request-ID"))
                #expect(answered != sent && UUID(uuidString: answered) != nil, "\(sent.prefix(10))")
            }
        }
    }
}
