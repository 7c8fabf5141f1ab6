import Fluent
import Foundation
import HuifangCore
import NIOConcurrencyHelpers

/// The organisation's ticket settings (one row): policies, ladder and categories as JSON, and the
/// triggered rules behind the verification follow-up and promised callbacks.
package final class TicketSettingsRecord: Model, @unchecked Sendable {
    package static let schema = "ticket_settings"

    @ID(custom: "id", generatedBy: .user) package var id: Int?
    @Field(key: "definition") var definition: String
    @OptionalField(key: "verification_rule_id") var verificationRuleID: Int?
    @OptionalField(key: "callback_rule_id") var callbackRuleID: Int?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    package init() {}

    func apply(_ settings: TicketSettings) throws {
        definition = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
    }

    package var settings: TicketSettings { Self.settings(of: definition) }

    /// The settings a stored definition holds, decoded once per change.
    static func settings(of definition: String) -> TicketSettings {
        if let known = decoded.withLockedValue({ $0 }), known.definition == definition { return known.settings }
        let settings = (try? JSONDecoder().decode(TicketSettings.self, from: Data(definition.utf8))) ?? .defaults
        decoded.withLockedValue { $0 = (definition, settings) }
        return settings
    }

    /// The last definition read and its settings: every ticket opened reads them, and they rarely change.
    private static let decoded = NIOLockedValueBox<(definition: String, settings: TicketSettings)?>(nil)

    package static func load(on db: any Database) async throws -> TicketSettingsRecord {
        if let record = try await TicketSettingsRecord.find(1, on: db) { return record }
        let record = TicketSettingsRecord()
        record.id = 1
        try record.apply(.defaults)
        return record
    }
}

/// One escalation of one breach to one level, claimed once: the unique key (ticket, breach, level)
/// is what keeps several instances from escalating the same breach twice.
final class TicketEscalation: Model, @unchecked Sendable {
    static let schema = "ticket_escalations"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "ticket_id") var ticket: Ticket
    @Field(key: "breach_key") var breachKey: String
    @Field(key: "deadline") var deadline: String
    @Field(key: "level") var level: Int
    @Field(key: "target") var target: String
    @Field(key: "due_at") var dueAt: Double
    @Field(key: "escalated_at") var escalatedAt: Double
    @Field(key: "instance") var instance: String

    init() {}
}
