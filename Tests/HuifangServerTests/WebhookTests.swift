import Crypto
import Fluent
import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import Testing
import VaporTesting

@testable import HuifangServer

/// Webhooks (issue 17): an admin registers an endpoint for some event types; each event is delivered as a signed
/// JSON body through the outbox's run, retried with back-off, logged per endpoint and sent again on request.
@Suite struct WebhookTests {
    struct Received: Sendable {
        let event: String
        let signature: String
        let body: String
    }

    /// A receiver on loopback that answers each request with the next status of `answers` (then 200).
    final class Receiver: Sendable {
        let app: Application
        let received = NIOLockedValueBox<[Received]>([])
        let answers: NIOLockedValueBox<[HTTPStatus]>
        let port: Int

        init(answers: [HTTPStatus] = []) async throws {
            app = try await Application.make(.testing)
            self.answers = NIOLockedValueBox(answers)
            app.post("hook") { [received, queue = self.answers] req async throws -> Response in
                received.withLockedValue {
                    $0.append(
                        Received(
                            event: req.headers.first(name: "X-Huifang-Event") ?? "",
                            signature: req.headers.first(name: "X-Huifang-Signature") ?? "",
                            body: req.body.string ?? ""))
                }
                let status: HTTPStatus = queue.withLockedValue { $0.isEmpty ? .ok : $0.removeFirst() }
                return Response(status: status, body: .init(string: status == .ok ? "thanks" : "try later"))
            }
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            port = app.http.server.shared.localAddress!.port!
        }

        var url: String { "http://127.0.0.1:\(port)/hook" }

        func stop() async throws {
            await app.server.shutdown()
            try await app.asyncShutdown()
        }
    }

    struct Endpoint: Decodable {
        let id: Int
        let secret: String?
        let events: [String]
        let role: String
    }
    struct Delivery: Decodable {
        let id: Int
        let eventID: String
        let eventType: String
        let status: String
        let attempts: Int
        let responseStatus: Int?
        let responseBody: String?
        let redeliveryOf: Int?
    }

    func withReceiver(answers: [HTTPStatus] = [], _ test: (Receiver, Application, String) async throws -> Void)
        async throws
    {
        let receiver = try await Receiver(answers: answers)
        do {
            try await withHuifang { app in
                let admin = try await makeUser(app, .admin)
                try await test(receiver, app, try await makeToken(app, admin.user))
            }
        } catch {
            try await receiver.stop()
            throw error
        }
        try await receiver.stop()
    }

    func register(_ app: Application, _ token: String, url: String, events: [String], role: String? = nil)
        async throws -> Endpoint
    {
        struct Input: Encodable {
            let url: String
            let events: [String]
            let role: String?
        }
        let response = try await send(
            app, .POST, "/api/v1/webhooks", token: token, body: Input(url: url, events: events, role: role))
        #expect(response.status == .created, "\(response.body.string)")
        return try response.content.decode(Endpoint.self)
    }

    func deliver(_ app: Application, at now: Date = Date()) async throws -> Outbox.Delivery {
        try await Outbox(db: app.db, config: app.huifang, client: app.client, logger: app.logger).deliver(now: now)
    }

    @Test func aTicketOpenedReachesTheEndpointSignedWithItsSecret() async throws {
        try await withReceiver { receiver, app, token in
            let endpoint = try await register(
                app, token, url: receiver.url, events: ["ticket.opened"], role: "supervisor")
            let secret = try #require(endpoint.secret)
            let customer = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "李雷", mobile: try PhoneNumber(parsing: "13800138000"), tier: "普通"),
                by: .commandLine())
            struct Opening: Encodable {
                let kind: String
                let description: String
                let customerID: Int
            }
            let opened = try await send(
                app, .POST, "/api/v1/tickets", token: token,
                body: Opening(kind: "complaint", description: "门店等待时间过长", customerID: customer.id!))
            #expect(opened.status == .created, "\(opened.body.string)")
            #expect(try await deliver(app).sent == 1)

            let got = try #require(receiver.received.withLockedValue { $0 }.first)
            #expect(got.event == "ticket.opened")
            // t=<seconds>,v1=<hex HMAC-SHA256 of "<seconds>.<body>">, recomputed as a receiver would.
            let parts = Dictionary(
                uniqueKeysWithValues: got.signature.split(separator: ",").map {
                    let pair = $0.split(separator: "=", maxSplits: 1)
                    return (String(pair[0]), String(pair[1]))
                })
            let stamp = try #require(parts["t"])
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data("\(stamp).\(got.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
            #expect(parts["v1"] == mac.map { String(format: "%02x", $0) }.joined())
            #expect(abs(Double(stamp)! - Date().timeIntervalSince1970) < 600)

            let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(got.body.utf8))
            #expect(payload.type == "ticket.opened")
            #expect(payload.data.ticket?.kind == "complaint")
            #expect(payload.data.customer?.name == "李雷")
            #expect(payload.data.customer?.mobile == "13800138000", "a supervisor's endpoint sees the number")
            // Nothing else was subscribed, so creating the customer sent nothing.
            #expect(receiver.received.withLockedValue { $0.count } == 1)
        }
    }

    /// Opening a ticket reads its endpoints in the statement that reads its settings and calendar: each endpoint
    /// that takes `ticket.opened` (alone or among other types) gets one delivery, no other does.
    @Test func aTicketOpenedQueuesOneDeliveryForEachEndpointThatTakesIt() async throws {
        try await withReceiver { receiver, app, token in
            let url = receiver.url
            _ = try await register(app, token, url: url, events: ["customer.created"])
            let both = try await register(app, token, url: url, events: ["ticket.opened", "customer.created"])
            let alone = try await register(app, token, url: url, events: ["ticket.opened"], role: "supervisor")
            struct Opening: Encodable {
                let kind: String
                let description: String
            }
            let opened = try await send(
                app, .POST, "/api/v1/tickets", token: token, body: Opening(kind: "complaint", description: "久等"))
            #expect(opened.status == .created, "\(opened.body.string)")
            let queued = try await WebhookDelivery.query(on: app.db).sort(\.$id).all()
            #expect(queued.map(\.endpointID) == [both.id, alone.id])
            #expect(queued.allSatisfy { $0.eventType == "ticket.opened" })
        }
    }

    @Test func personalDataFollowsTheMaskingOfTheEndpointsRole() async throws {
        try await withReceiver { receiver, app, token in
            _ = try await register(app, token, url: receiver.url, events: ["customer.created"])  // analyst by default
            _ = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "韩梅梅", mobile: try PhoneNumber(parsing: "13900139000"), tier: "普通"),
                by: .commandLine())
            #expect(try await deliver(app).sent == 1)
            let body = try #require(receiver.received.withLockedValue { $0 }.first?.body)
            #expect(!body.contains("13900139000"))
            let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(body.utf8))
            #expect(payload.data.customer?.mobile == Masking.maskPhone("13900139000"))
        }
    }

    @Test func aFailedDeliveryIsRetriedWithBackOffLoggedAndCanBeSentAgain() async throws {
        try await withReceiver(answers: [.serviceUnavailable]) { receiver, app, token in
            let endpoint = try await register(app, token, url: receiver.url, events: ["customer.created"])
            let start = Date()
            _ = try await CustomerStore(db: app.db, now: start).create(
                CustomerRecord(name: "王芳", tier: "普通"), by: .commandLine())
            var run = try await deliver(app, at: start)
            #expect(run.retrying == 1 && run.sent == 0)
            run = try await deliver(app, at: start.addingTimeInterval(30))
            #expect(run.sent == 0 && run.retrying == 0, "not again before its minute is up")
            run = try await deliver(app, at: start.addingTimeInterval(61))
            #expect(run.sent == 1)

            let log = try await send(app, .GET, "/api/v1/webhooks/\(endpoint.id)/deliveries", token: token)
            let deliveries = try log.content.decode([Delivery].self)
            #expect(deliveries.count == 1)
            let first = try #require(deliveries.first)
            #expect(first.status == "sent" && first.attempts == 2 && first.responseStatus == 200)
            #expect(first.responseBody == "thanks")

            let again = try await send(
                app, .POST, "/api/v1/webhooks/\(endpoint.id)/deliveries/\(first.id)/redeliver", token: token)
            #expect(again.status == .accepted)
            #expect(try await deliver(app, at: start.addingTimeInterval(62)).sent == 1)
            let bodies = receiver.received.withLockedValue { $0 }.map(\.body)
            #expect(bodies.count == 3 && Set(bodies).count == 1, "the same event, the same body, sent again")
            let after = try await send(app, .GET, "/api/v1/webhooks/\(endpoint.id)/deliveries", token: token)
            let redelivery = try #require(try after.content.decode([Delivery].self).first)
            #expect(redelivery.redeliveryOf == first.id && redelivery.eventID == first.eventID)
        }
    }

    /// The admin's page: register an endpoint (its secret shown once, on that page only), read its delivery log and
    /// send a delivery again, remove it; a wrong field is named and the form kept.
    @Test func anAdminManagesWebhooksOnTheirPage() async throws {
        try await withReceiver { receiver, app, _ in
            let (admin, password) = try await makeUser(app, .admin, username: "webadmin")
            var client = try await PageClient.signedIn(app, admin.username, password)
            let bad = try await client.post(
                "/webhooks", form: ["url": "http://erp.example.com/hook", "event.customer.created": "on"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("接收地址："))
            #expect(bad.body.string.contains("name=\"event.customer.created\" checked"), "the form is kept")

            let created = try await client.post(
                "/webhooks", form: ["url": receiver.url, "event.customer.created": "on", "role": "supervisor"])
            let endpoint = try #require(try await WebhookEndpoint.query(on: app.db).first())
            #expect(created.status == .ok && created.body.string.contains(endpoint.secret))
            #expect(created.headers.first(name: .cacheControl) == "no-store", "the secret stays out of any cache")
            #expect(endpoint.eventTypes == ["customer.created"] && endpoint.role == "supervisor")
            let list = try await client.get("/webhooks").body.string
            #expect(list.contains(receiver.url) && list.contains("新建客户") && !list.contains(endpoint.secret))

            _ = try await CustomerStore(db: app.db, now: Date()).create(
                CustomerRecord(name: "韩梅梅", tier: "普通"), by: .commandLine())
            #expect(try await deliver(app).sent == 1)
            let log = try await client.get("/webhooks/\(endpoint.id!)").body.string
            #expect(log.contains("已送达") && log.contains("韩梅梅") && log.contains("重新投递"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "webhook.deliveries").count() == 1)
            let delivery = try #require(try await WebhookDelivery.query(on: app.db).first())
            let again = try await client.post(
                "/webhooks/\(endpoint.id!)/deliveries/\(delivery.id!)/redeliver", form: [:])
            #expect(again.status == .seeOther)
            #expect(try await deliver(app).sent == 1)
            #expect(receiver.received.withLockedValue { $0.count } == 2)

            #expect(try await client.post("/webhooks/\(endpoint.id!)/delete", form: [:]).status == .seeOther)
            #expect(try await WebhookEndpoint.query(on: app.db).count() == 0)
            #expect(try await WebhookDelivery.query(on: app.db).count() == 0)
        }
    }

    @Test func twoInstancesDeliveringAtOnceSendEachEventOnce() async throws {
        try await withReceiver { receiver, app, token in
            _ = try await register(app, token, url: receiver.url, events: ["customer.created"])
            for name in ["甲", "乙", "丙", "丁", "戊"] {
                _ = try await CustomerStore(db: app.db, now: Date()).create(
                    CustomerRecord(name: name, tier: "普通"), by: .commandLine())
            }
            async let one = Outbox(db: app.db, config: app.huifang, instance: "one", client: app.client).deliver(
                now: Date())
            async let two = Outbox(db: app.db, config: app.huifang, instance: "two", client: app.client).deliver(
                now: Date())
            let (first, second) = try await (one, two)
            #expect(first.sent + second.sent == 5)
            let ids = receiver.received.withLockedValue { $0 }.compactMap {
                try? JSONDecoder().decode(WebhookPayload.self, from: Data($0.body.utf8)).id
            }
            #expect(ids.count == 5 && Set(ids).count == 5)
        }
    }

    @Test func anImportAnnouncesEachCustomerItCreatesAndErasureStrikesTheCustomerOutOfStoredBodies() async throws {
        try await withReceiver { receiver, app, token in
            let endpoint = try await register(
                app, token, url: receiver.url, events: ["customer.created", "customer.erased"], role: "supervisor")
            var headers = bearer(token)
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            let csv = "会员编号,姓名,手机,会员等级\nHY001,欧阳娜娜,13812345678,普通\nHY002,李娜,13912345678,普通\n"
            let imported = try await app.testing().performTest(
                request: .init(
                    method: .POST, url: .init(path: "/api/v1/customers/import"), headers: headers,
                    body: ByteBuffer(string: csv)))
            #expect(imported.status == .ok, "\(imported.body.string)")
            let stored = try await WebhookDelivery.query(on: app.db).all()
            #expect(stored.map(\.eventType) == ["customer.created", "customer.created"])
            #expect(stored.contains { $0.body.contains("欧阳娜娜") && $0.body.contains("13812345678") })

            struct ErasureBody: Encodable {
                let requestedBy: String
                let reason: String
            }
            let member = try #require(try await Customer.query(on: app.db).filter(\.$name == "欧阳娜娜").first())
            let erased = try await send(
                app, .DELETE, "/api/v1/customers/\(member.id!)", token: token,
                body: ErasureBody(requestedBy: "本人", reason: "注销"))
            #expect(erased.status == .ok, "\(erased.body.string)")
            let after = try await WebhookDelivery.query(on: app.db).sort(\.$id).all()
            #expect(after.map(\.eventType) == ["customer.created", "customer.created", "customer.erased"])
            #expect(after.allSatisfy { !$0.body.contains("欧阳娜娜") && !$0.body.contains("13812345678") })
            #expect(after.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.body.utf8))) != nil })
            #expect(try await deliver(app).sent == 3)
            #expect(receiver.received.withLockedValue { $0 }.allSatisfy { !$0.body.contains("欧阳娜娜") })
            _ = endpoint
        }
    }

    @Test func onlyAdminsManageWebhooksAndBadInputIsNamed() async throws {
        try await withHuifang { app in
            let admin = try await makeToken(app, try await makeUser(app, .admin).user)
            let supervisor = try await makeToken(app, try await makeUser(app, .supervisor).user)
            let list = try await send(app, .GET, "/api/v1/webhooks", token: supervisor)
            #expect(list.status == .forbidden)
            let bad: [(String, [String], String)] = [
                ("http://hooks.example.com/in", ["ticket.opened"], "url"),
                ("https://hooks.example.com/in", ["ticket.exploded"], "events"),
                ("https://hooks.example.com/in", [], "events"),
            ]
            struct Input: Encodable {
                let url: String
                let events: [String]
            }
            for (url, events, field) in bad {
                let response = try await send(
                    app, .POST, "/api/v1/webhooks", token: admin, body: Input(url: url, events: events))
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("\"\(field)\""), "\(response.body.string)")
            }
            let listed = try await send(app, .GET, "/api/v1/webhooks", token: admin)
            #expect(try listed.content.decode([Endpoint].self).isEmpty)
        }
    }
}
