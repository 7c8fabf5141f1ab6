import Crypto
import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// An address another system gave us to tell it what happens here, for the event types it chose.
final class WebhookEndpoint: Model, @unchecked Sendable {
    static let schema = "webhook_endpoints"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "url") var url: String
    /// The key of each delivery's HMAC-SHA256 signature; shown once, when the endpoint is registered.
    @Field(key: "secret") var secret: String
    /// The event types it receives, comma-separated.
    @Field(key: "events") var events: String
    /// Whose masking the personal data in its deliveries follows.
    @Field(key: "role") var role: String
    @Field(key: "created_at") var createdAt: Double

    init() {}

    var eventTypes: [String] { events.split(separator: ",").map(String.init) }
}

/// One delivery of one event to one endpoint: the log entry and, while pending, the queue entry.
final class WebhookDelivery: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    enum Status: String, Codable, Sendable {
        case pending, sent, failed
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "endpoint_id") var endpointID: Int
    @Field(key: "event_id") var eventID: String
    @Field(key: "event_type") var eventType: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @Field(key: "created_at") var createdAt: Double
    @Field(key: "next_attempt_at") var nextAttemptAt: Double
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Double?
    @OptionalField(key: "sent_at") var sentAt: Double?
    @OptionalField(key: "response_status") var responseStatus: Int?
    @OptionalField(key: "response_body") var responseBody: String?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "redelivery_of") var redeliveryOf: Int?

    init() {}
}

/// What happened, as a webhook names it.
enum WebhookEventType: String, CaseIterable, Codable, Sendable {
    case customerCreated = "customer.created"
    case customerChanged = "customer.changed"
    case customerErased = "customer.erased"
    case taskPlanned = "task.planned"
    case taskCompleted = "task.completed"
    case recordSaved = "record.saved"
    case surveyAnswered = "survey.answered"
    case ticketOpened = "ticket.opened"
    case ticketChanged = "ticket.changed"
    case ticketEscalated = "ticket.escalated"
    case ticketClosed = "ticket.closed"
    case callLogged = "call.logged"
}

/// The body of every delivery: `{"id", "type", "occurredAt", "data"}`; `data` holds the objects the event is about,
/// each only with what a receiver needs to find it through the API and act on it.
struct WebhookPayload: Codable, Sendable {
    let id: String
    let type: String
    let occurredAt: String
    let data: WebhookData
}

struct WebhookData: Codable, Sendable {
    struct CustomerPart: Codable, Sendable {
        let id: Int
        let name: String
        let tier: String
        /// Masked unless the endpoint's role sees contact details.
        let mobile: String?
        let email: String?
    }
    struct TicketPart: Codable, Sendable {
        let id: Int
        let kind: String
        let category: String
        let severity: String
        let status: String
        let urgent: Bool
        let firstResponseDue: String
        let resolutionDue: String
    }
    struct TaskPart: Codable, Sendable {
        let id: Int
        let status: String?
    }
    struct RecordPart: Codable, Sendable {
        let id: Int
        let taskID: Int
        let outcome: String
    }
    struct CallPart: Codable, Sendable {
        let id: Int
        let direction: String
        /// `answered`, `promised` (a call-back task) or `ticket`.
        let handling: String
        let ticketID: Int?
    }
    struct SurveyPart: Codable, Sendable {
        let id: Int
        let taskID: Int?
    }
    struct EscalationPart: Codable, Sendable {
        let level: Int
        /// `firstResponse` or `resolution`.
        let deadline: String
    }
    var customer: CustomerPart? = nil
    var ticket: TicketPart? = nil
    var escalation: EscalationPart? = nil
    /// `customer.changed`: the fields that changed (`consent` for the consent or do-not-disturb flags).
    var changedFields: [String]? = nil
    var task: TaskPart? = nil
    /// The tasks a planner batch created (`task.planned`: up to 1,000 a delivery).
    var tasks: [Int]? = nil
    var record: RecordPart? = nil
    var call: CallPart? = nil
    var survey: SurveyPart? = nil
}

/// Queues deliveries: in the transaction of what caused them, one per endpoint that takes the event type, each with
/// the customer's contact details masked as the endpoint's role sees them.
struct Webhooks {
    let db: any Database

    /// One occurrence: the objects it is about and the customer it concerns (read here, masked per endpoint).
    struct Occurrence: Sendable {
        var customerID: Int?
        var data: WebhookData
    }

    /// An endpoint that takes an event type, and the role its payloads are masked for.
    typealias Subscriber = (id: Int, role: String)

    /// Queues `type` about `data` (and the customer `customerID`) for every endpoint that takes it: `endpoints`
    /// when they were read already (`subscribers(of:)`, so that a caller can tell whether anything follows a write).
    func emit(
        _ type: WebhookEventType, customerID: Int? = nil, at now: Date, _ data: WebhookData = WebhookData(),
        to endpoints: [Subscriber]? = nil
    ) async throws {
        try await emit(type, at: now, [Occurrence(customerID: customerID, data: data)], to: endpoints)
    }

    /// Whether any endpoint takes `type` (so that a sweep reads what an event needs only when someone listens).
    func wants(_ type: WebhookEventType) async throws -> Bool {
        try await !subscribers(of: type).isEmpty
    }

    /// The endpoints that take `type`, in the order they were registered: read as three columns, not as models,
    /// since every ticket, customer and record written asks (and usually finds none).
    func subscribers(of type: WebhookEventType) async throws -> [Subscriber] {
        struct Row: Decodable {
            let id: Int
            let events: String
            let role: String
        }
        let rows = try await db.sql.raw("SELECT id, events, role FROM webhook_endpoints ORDER BY id")
            .all(decoding: Row.self)
        return Self.subscribers(of: type, among: rows.map { ($0.id, $0.events, $0.role) })
    }

    /// The endpoints among `rows` (id, comma-separated event types, role) that take `type`, in the rows' order.
    static func subscribers(of type: WebhookEventType, among rows: [(id: Int, events: String, role: String)])
        -> [Subscriber]
    {
        rows.filter { $0.events.split(separator: ",").contains { $0 == type.rawValue } }.map { ($0.id, $0.role) }
    }

    /// The endpoints as one text, `id role events` joined by `;` in the order they were registered: a column of a
    /// statement that reads more (`TicketService.openingReads`). Event types and roles hold neither separator.
    static let aggregated: SQLQueryString = """
        (SELECT string_agg(CAST(id AS TEXT) || ' ' || role || ' ' || events, ';' ORDER BY id) FROM webhook_endpoints)
        """

    /// The endpoints that take `type`, from the text `aggregated` reads.
    static func subscribers(of type: WebhookEventType, aggregated text: String?) -> [Subscriber] {
        let rows = (text ?? "").split(separator: ";").compactMap { endpoint -> (Int, String, String)? in
            let parts = endpoint.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3, let id = Int(parts[0]) else { return nil }
            return (id, parts[2], parts[1])
        }
        return subscribers(of: type, among: rows)
    }

    /// Queues each occurrence of `type`; one look-up of the endpoints however many (an escalation sweep's batch).
    func emit(_ type: WebhookEventType, at now: Date, _ occurrences: [Occurrence], to given: [Subscriber]? = nil)
        async throws
    {
        guard !occurrences.isEmpty else { return }
        var endpoints = given ?? []
        if given == nil { endpoints = try await subscribers(of: type) }
        guard !endpoints.isEmpty else { return }
        var customers: [Int: Customer] = [:]
        for chunk in Set(occurrences.compactMap(\.customerID)).sorted().chunked(500) {
            for customer in try await Customer.query(on: db).filter(\.$id ~~ Array(chunk)).all() {
                customers[customer.id!] = customer
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var rows: [[any SQLExpression]] = []
        for occurrence in occurrences {
            let eventID = UUID().uuidString.lowercased()
            let customer = occurrence.customerID.flatMap { customers[$0] }
            for endpoint in endpoints {
                var data = occurrence.data
                data.customer = customer.map { Self.part($0, role: Role(rawValue: endpoint.role) ?? .analyst) }
                let payload = WebhookPayload(
                    id: eventID, type: type.rawValue, occurredAt: Self.instant(now), data: data)
                let body = String(decoding: try encoder.encode(payload), as: UTF8.self)
                let at = now.timeIntervalSince1970
                rows.append([
                    SQLBind(endpoint.id), SQLBind(eventID), SQLBind(type.rawValue), SQLBind(body),
                    SQLBind(WebhookDelivery.Status.pending.rawValue), SQLBind(0), SQLBind(at), SQLBind(at),
                ])
            }
        }
        for chunk in rows.chunked(200) {
            let insert = db.sql.insert(into: WebhookDelivery.schema).columns(
                "endpoint_id", "event_id", "event_type", "body", "status", "attempts", "created_at", "next_attempt_at")
            for row in chunk { insert.values(row) }
            try await insert.run()
        }
    }

    /// The customer as an endpoint of `role` may see them: contact details masked unless the role sees them all.
    static func part(_ customer: Customer, role: Role) -> WebhookData.CustomerPart {
        let sees = role.seesAllContactDetails
        let phone = customer.mobile.map(PhoneNumber.init(normalised:))
        return WebhookData.CustomerPart(
            id: customer.id!, name: customer.name, tier: customer.tier,
            mobile: sees ? phone?.display : phone?.masked,
            email: customer.email.map { sees ? $0 : Masking.maskEmail($0) })
    }

    static func instant(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func part(_ ticket: Ticket, config: HuifangConfig) -> WebhookData.TicketPart {
        WebhookData.TicketPart(
            id: ticket.id!, kind: ticket.kind.rawValue, category: ticket.category, severity: ticket.severity.rawValue,
            status: ticket.status.rawValue, urgent: ticket.urgent,
            firstResponseDue: instant(ticket.firstResponseDue), resolutionDue: instant(ticket.resolutionDue))
    }
}

/// The signature of a delivery: `X-Huifang-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
/// `"<unix seconds>.<body>"` under the endpoint's secret. A receiver recomputes it and refuses a timestamp far from
/// its own clock, so a recorded delivery cannot be replayed later.
enum WebhookSignature {
    static func header(body: String, secret: String, at seconds: Int) -> String {
        "t=\(seconds),v1=\(hex(body: body, secret: secret, at: seconds))"
    }

    static func hex(body: String, secret: String, at seconds: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(seconds).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.lowercaseHex
    }

    /// A new endpoint's secret: 32 random bytes as hex.
    static func newSecret() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { $0.lowercaseHex }
    }
}
