import Fluent
import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import Testing
import VaporTesting

@testable import HuifangServer

/// A delivery that takes long (a slow gateway) keeps time: a message claimed late in the batch is held for ten
/// minutes from its own claim, not from the batch's start, so another instance cannot take it while it is sent.
@Suite struct OutboxTimingTests {
    @Test func aMessageClaimedLateInASlowDeliveryIsHeldFromItsOwnClaim() async throws {
        struct Seen: Sendable {
            let reference: String
            let claimedUntil: Double?
        }
        let seen = NIOLockedValueBox<[Seen]>([])
        let database = NIOLockedValueBox<(any Database)?>(nil)
        let gateway = try await Application.make(.testing)
        gateway.post("send") { req async throws -> HTTPStatus in
            let payload = try req.content.decode(SMSClient.Payload.self)
            // What the outbox holds for this message while it is being sent.
            let db = try #require(database.withLockedValue { $0 })
            let held = try await MailMessage.find(Int(payload.reference), on: db)?.claimedUntil
            seen.withLockedValue { $0.append(Seen(reference: payload.reference, claimedUntil: held)) }
            try await Task.sleep(for: .milliseconds(1500))
            return .accepted
        }
        try await gateway.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(gateway.http.server.shared.localAddress?.port)
        do {
            try await withHuifang(["HUIFANG_SMS_GATEWAY": "http://127.0.0.1:\(port)/send"]) { app in
                database.withLockedValue { $0 = app.db }
                let start = Date()
                let customer = try await CustomerStore(db: app.db, now: start).create(
                    CustomerRecord(name: "李雷", tier: "普通"), by: .commandLine())
                var ids: [Int] = []
                for text in ["第一条", "第二条"] {
                    ids.append(
                        try await Outbox.enqueue(
                            channel: "sms", to: "+8613800138000", subject: "", body: text,
                            customerID: customer.id!, taskID: nil, now: start, on: app.db))
                }
                let outbox = Outbox(db: app.db, config: app.huifang, client: app.client, logger: app.logger)
                #expect(try await outbox.deliver(now: start).sent == 2)

                let claims = seen.withLockedValue { $0 }
                #expect(claims.map(\.reference) == ids.map(String.init))
                let first = try #require(claims.first?.claimedUntil)
                let second = try #require(claims.last?.claimedUntil)
                #expect(first >= start.timeIntervalSince1970 + 600)
                #expect(second >= first + 1.4, "claimed after the first took 1.5 s, held ten minutes from then")
                let sent = try #require(try await MailMessage.find(ids[1], on: app.db)?.sentAt)
                #expect(sent >= start.timeIntervalSince1970 + 2.9, "sent when it was sent, after both waits")
            }
        } catch {
            await gateway.server.shutdown()
            try await gateway.asyncShutdown()
            throw error
        }
        await gateway.server.shutdown()
        try await gateway.asyncShutdown()
    }
}
