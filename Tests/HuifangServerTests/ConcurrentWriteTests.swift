import Fluent
import Foundation
import HuifangCore
import NIOCore
import SQLKit
import Synchronization
import Testing
import VaporTesting

@testable import HuifangServer

/// Many agents save at once while the command line imports: nothing fails and nothing acknowledged is lost.
@Suite(.serialized) struct ConcurrentWriteTests {
    static let secret = "concurrent-write-test-secret-0123456789abcdef"
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-load-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    final class Finished: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// What one client was told it saved.
    struct Acknowledged: Sendable {
        var customers: [Int: String] = [:]
        var events = 0
        var tickets: [Int] = []
        var failures: [String] = []
        /// Rounds begun while the import was running (their saves wait for its write lock, then go on).
        var roundsDuringImport = 0
    }

    @Test func sixteenClientsSavingWhileTheCommandLineImports20000RowsAllSucceed() async throws {
        let file = directory.appendingPathComponent("load.sqlite").path
        let environment = ["HUIFANG_DATABASE_URL": "sqlite:" + file, "HUIFANG_SECRET": Self.secret]
        try await withHuifang(environment) { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let sample = try await CommandLineTests().run(["import", "sample", "--rows", "20000"])
            let importFile = directory.appendingPathComponent("members.csv")
            try sample.output.write(to: importFile)

            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            app.http.client.configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
            let client = app.client
            let importDone = Finished()
            let importing = Task {
                defer { importDone.flag.store(true, ordering: .sequentiallyConsistent) }
                return try await CommandLineTests().run(
                    [
                        "import", "customers", importFile.path,
                        "--database-url", app.huifang.database.url,
                    ], environment: environment)
            }
            let writers = (0..<16).map { number in
                Task {
                    try await Self.write(as: number, port: port, token: token, client: client) {
                        !importDone.flag.load(ordering: .sequentiallyConsistent)
                    }
                }
            }
            var saved = Acknowledged()
            for writer in writers {
                let one = try await writer.value
                saved.customers.merge(one.customers) { $1 }
                saved.events += one.events
                saved.tickets += one.tickets
                saved.failures += one.failures
                saved.roundsDuringImport += one.roundsDuringImport
            }
            let imported = try await importing.value
            await app.server.shutdown()

            #expect(saved.roundsDuringImport >= 16, "every client saved while the import ran")
            #expect(saved.failures.isEmpty, "\(saved.failures.count) failed: \(saved.failures.prefix(5))")
            #expect(imported.status == 0, "\(imported.stdout) \(imported.stderr)")
            #expect(imported.stdout.contains("20000"), "\(imported.stdout)")
            try await Self.expectPresent(saved, importedRows: 20000, on: app.db)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// One client's work: a customer with a member ID, a service event for them and a complaint ticket, again and
    /// again — at least twenty rounds, and for as long as `keepGoing` says (the import is running).
    static func write(
        as number: Int, port: Int, token: String, client: any Client,
        keepGoing: @Sendable () -> Bool
    ) async throws -> Acknowledged {
        var saved = Acknowledged()
        var round = 0
        while round < 20 || keepGoing() {
            if keepGoing() { saved.roundsDuringImport += 1 }
            let member = "W\(number)-\(round)"
            let customer = try await post(
                client, port, token, "/api/v1/customers",
                ["name": "并发客户\(number)", "externalId": member, "tier": "普通"])
            if customer.status == 201, let id = customer.json?["id"] as? Int {
                saved.customers[id] = member
            } else {
                saved.failures.append("customer \(member): \(customer.status) \(customer.text)")
            }
            let event = try await post(
                client, port, token, "/api/v1/events",
                [
                    "events": [
                        [
                            "externalID": "E-\(member)", "memberID": member, "kind": "discharge",
                            "occurredAt": "2025-09-26 10:00",
                        ]
                    ]
                ])
            if event.status == 201 {
                saved.events += 1
            } else {
                saved.failures.append("event: \(event.status) \(event.text)")
            }
            let ticket = try await post(
                client, port, token, "/api/v1/tickets",
                ["kind": "complaint", "description": "客户\(member)投诉等待过久"])
            if ticket.status == 201, let id = ticket.json?["id"] as? Int {
                saved.tickets.append(id)
            } else {
                saved.failures.append("ticket: \(ticket.status) \(ticket.text)")
            }
            round += 1
        }
        return saved
    }

    struct Reply {
        let status: Int
        let text: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] }
    }

    static func post(_ client: any Client, _ port: Int, _ token: String, _ path: String, _ body: Any) async throws
        -> Reply
    {
        var headers = bearer(token)
        headers.contentType = .json
        let bytes = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
        let response = try await client.send(
            .POST, headers: headers, to: URI(string: "http://127.0.0.1:\(port)\(path)")
        ) {
            $0.body = bytes
        }
        return Reply(status: Int(response.status.code), text: response.body.map { String(buffer: $0) } ?? "")
    }

    /// Every acknowledged customer (with its member ID), event and ticket is in the database, beside the import.
    static func expectPresent(_ saved: Acknowledged, importedRows: Int, on db: any Database) async throws {
        let sql = db.sql
        let stored = try await sql.raw("SELECT id, external_id FROM customers WHERE external_id LIKE 'W%'").all()
        let byID = Dictionary(
            uniqueKeysWithValues: try stored.map {
                (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "external_id", as: String.self))
            })
        #expect(byID == saved.customers, "every acknowledged customer is stored with its member ID, and only those")
        #expect(try await Customer.query(on: db).count() == importedRows + saved.customers.count)
        #expect(try await ServiceEvent.query(on: db).filter(\.$source == "api").count() == saved.events)
        let tickets = try await Ticket.query(on: db).all().compactMap(\.id)
        #expect(Set(tickets) == Set(saved.tickets))
    }
}

extension HuifangConfig.DatabaseLocation {
    /// The `--database-url` that names this database to the command line.
    var url: String {
        switch self {
        case .sqliteFile(let path): "sqlite:" + path
        case .sqliteMemory: "sqlite::memory:"
        case .postgres(let url): url
        }
    }
}
