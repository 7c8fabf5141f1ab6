import Fluent
import Foundation
import Vapor

/// A kind of service event the organisation records (purchase, discharge, …), managed by admins.
final class EventKind: Model, @unchecked Sendable {
    static let schema = "event_kinds"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String

    init() {}

    init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// Something that happened to a customer (服务事件): a purchase, a repair, a discharge…
final class ServiceEvent: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "customer_id") var customer: Customer
    @Field(key: "kind") var kind: String
    @Field(key: "occurred_at") var occurredAt: Date
    /// The local date in the organisation's zone, which rules count from.
    @Field(key: "occurred_on") var occurredOn: String
    /// A JSON object of text values (product, amount, expiry date, department…).
    @Field(key: "attributes") var attributes: String
    @OptionalField(key: "external_id") var externalID: String?
    /// `api`, `import` or `ui`.
    @Field(key: "source") var source: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var attributeValues: [String: String] { Self.decode(attributes) }

    static func decode(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }

    static func encode(_ attributes: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(attributes), as: UTF8.self)) ?? "{}"
    }
}
