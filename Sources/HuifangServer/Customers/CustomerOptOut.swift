import Fluent
import Foundation
import HuifangCore
import Vapor

/// A customer's own request to be contacted no more — a reply of T/TD/退订/N to an SMS, or 不再联系我 on their
/// survey page: each customer is marked do-not-disturb (in their change history), their consent history gets the
/// customer's own row, their pending messages are cancelled, and the audit log says so with the customer's id
/// only. One transaction.
struct CustomerOptOut {
    let db: any Database
    let config: HuifangConfig
    let now: Date

    /// The customer as the actor of their own opt-out: named in the organisation's language, from `address`.
    static func customer(_ how: ConsentSource, config: HuifangConfig, address: String?) -> Actor {
        let sms = how == .smsReply
        return Actor(
            id: nil, name: Catalogue.text(sms ? "sms.customer" : "link.customer", config.defaultLanguage),
            address: address, source: sms ? "sms" : "link")
    }

    /// Marks `customers` do-not-disturb as `how` says, with `note` on the consent history's rows.
    func optOut(_ customers: [Customer], how: ConsentSource, note: String?, address: String?) async throws {
        guard !customers.isEmpty else { return }
        let actor = Self.customer(how, config: config, address: address)
        try await db.transaction { db in
            let store = CustomerStore(db: db, now: now)
            for customer in customers {
                let current = try await store.record(of: customer)
                var record = current
                record.doNotDisturb = true
                try await store.update(customer, from: current, to: record, by: actor, how: how, note: note)
                try await AuditLog.record(
                    "customer.optOut", by: actor, subjectType: "customer", subjectID: String(customer.id!),
                    detail: how.rawValue, at: now, on: db)
            }
        }
    }
}

/// `POST /api/v1/sms/inbound`: the SMS gateway posts each reply a customer sent,
/// `{"from": "+8613800138000", "text": "T", "received_at": "2026-03-02T10:34:00+08:00"}`, with
/// `Authorization: Bearer HUIFANG_SMS_INBOUND_TOKEN` (compared in constant time; unset, the endpoint answers 404).
/// An opt-out (`SMSReply`) marks every customer with that mobile do-not-disturb (`CustomerOptOut`); any other text
/// is stored nowhere. Always 200 once read, so the gateway does not retry: `{"action", "matched"}`.
struct SMSInboundController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("api", "v1", "sms").post("inbound", use: inbound)
    }

    struct Input: Decodable {
        var from: String?
        var text: String?
        var received_at: String?
    }

    struct Answer: Content {
        /// `opt_out` or `ignored`.
        let action: String
        /// The customers with the sender's number (0 for an unknown number or ignored text).
        let matched: Int
    }

    @Sendable func inbound(req: Request) async throws -> Answer {
        let config = req.application.huifang
        guard let expected = config.smsInboundToken else { throw AppError.notFound }
        guard let given = req.headers.bearerAuthorization?.token, Self.same(given, expected) else {
            throw AppError.unauthorized
        }
        let input = try req.content.decode(Input.self)
        let reply = try SMSReply.read(
            from: input.from, text: input.text, receivedAt: input.received_at, in: config.timeZone)
        guard reply.action == .optOut else { return Answer(action: reply.action.rawValue, matched: 0) }
        let customers = try await Customer.query(on: req.db).filter(\.$mobile == reply.from.e164).sort(\.$id).all()
        let note = reply.receivedAt.map { "received " + ISO8601DateFormatter().string(from: $0) }
        try await CustomerOptOut(db: req.db, config: config, now: req.now).optOut(
            customers, how: .smsReply, note: note, address: req.clientAddress)
        return Answer(action: reply.action.rawValue, matched: customers.count)
    }

    /// Whether two tokens are equal, in time that depends on their lengths only.
    static func same(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
