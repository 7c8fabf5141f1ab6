import Fluent
import Foundation
import HuifangCore
import SQLKit

/// The names of codes people used to read raw: call matters (a list of their own, no longer the ticket
/// categories), agents' skills, and the attributes of each event kind. Seeded with the defaults, and with every
/// code already stored — a call's matter, an agent's skill, a rule's required skill — so that none loses its name.
struct M033NamedCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CallMatter.schema).id()
            .field("code", .string, .required).field("name", .string, .required)
            .field("position", .int, .required).field("is_active", .bool, .required)
            .unique(on: "code").create()
        try await database.schema(Skill.schema).id()
            .field("code", .string, .required).field("name", .string, .required).field("position", .int, .required)
            .unique(on: "code").create()
        try await database.schema(EventAttribute.schema).id()
            .field("kind", .string, .required).field("key", .string, .required).field("name", .string, .required)
            .field("position", .int, .required)
            .unique(on: "kind", "key").create()
        try await seedMatters(on: database)
        try await seedSkills(on: database)
        for (kind, attributes) in EventAttributes.defaults {
            for (position, attribute) in attributes.enumerated() {
                try await EventAttribute(kind: kind, attribute, position: position).create(on: database)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EventAttribute.schema).delete()
        try await database.schema(Skill.schema).delete()
        try await database.schema(CallMatter.schema).delete()
    }

    private struct Text: Decodable { let value: String? }

    /// The defaults, then each matter stored calls hold, retired, named by the ticket category it was.
    private func seedMatters(on database: any Database) async throws {
        let stored = try await database.sql.raw("SELECT DISTINCT matter AS value FROM calls").all(decoding: Text.self)
            .compactMap(\.value)
        let categories =
            stored.isEmpty ? [] : (try? await TicketSettingsRecord.load(on: database).settings.categories) ?? []
        var entries = CallMatters.defaults
        for code in stored.sorted() where !code.isEmpty && !entries.contains(where: { $0.code == code }) {
            let name = categories.first { $0.code == code }?.name ?? code
            entries.append(NamedCode(code: code, name: Self.unique(name, among: entries), isActive: false))
        }
        for (position, entry) in entries.enumerated() {
            try await CallMatter(entry, position: position).create(on: database)
        }
    }

    /// The defaults, then every other skill agents hold or rules require, named by its code.
    private func seedSkills(on database: any Database) async throws {
        var codes = Set<String>()
        for row in try await database.sql.raw("SELECT skills AS value FROM users").all(decoding: Text.self) {
            for code in (row.value ?? "").split(separator: ",") { codes.insert(code.trimmingWhitespace()) }
        }
        for row in try await database.sql.raw("SELECT definition AS value FROM rules").all(decoding: Text.self) {
            let json = try? JSONSerialization.jsonObject(with: Data((row.value ?? "{}").utf8)) as? [String: Any]
            if let skill = json?["requiredSkill"] as? String { codes.insert(skill.trimmingWhitespace()) }
        }
        var entries = Skills.defaults
        for code in codes.sorted() where !code.isEmpty && !entries.contains(where: { $0.code == code }) {
            entries.append(NamedCode(code: code, name: Self.unique(code, among: entries)))
        }
        for (position, entry) in entries.enumerated() {
            try await Skill(entry, position: position).create(on: database)
        }
    }

    /// `name`, shortened to the longest a name may be, and told apart from the names already listed.
    static func unique(_ name: String, among entries: [NamedCode]) -> String {
        var candidate = String(name.prefix(NamedCodes.nameLimit))
        var number = 2
        while entries.contains(where: { $0.name == candidate }) {
            candidate = String(name.prefix(NamedCodes.nameLimit - 3)) + " \(number)"
            number += 1
        }
        return candidate
    }
}
