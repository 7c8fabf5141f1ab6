import Fluent
import Foundation
import HuifangCore
import SQLKit

/// The names of the codes in the configurable lists — call matters, skills, event kinds and their attributes —
/// as a reader in `language` reads them, for pages and exports.
struct NameLabels {
    let db: any Database
    let language: Language

    /// The call matters in their order, names as the reader reads them; the retired too unless `activeOnly`.
    func callMatters(activeOnly: Bool = false) async throws -> [NamedCode] {
        var query = CallMatter.query(on: db).sort(\.$position)
        if activeOnly { query = query.filter(\.$isActive == true) }
        return try await query.all().map { matter in
            var entry = matter.entry
            entry.name = NamedCodes.label(
                stored: matter.name, catalogueKey: "callMatter." + matter.code, language: language)
            return entry
        }
    }

    /// Every call matter's name by code, retired ones too.
    func matterNames() async throws -> [String: String] {
        Dictionary(try await callMatters().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// The skills in their order, names as the reader reads them.
    func skills() async throws -> [NamedCode] {
        try await Skill.query(on: db).sort(\.$position).all().map { skill in
            NamedCode(
                code: skill.code,
                name: NamedCodes.label(stored: skill.name, catalogueKey: "skill." + skill.code, language: language))
        }
    }

    /// Every skill's name by code.
    func skillNames() async throws -> [String: String] {
        Dictionary(try await skills().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// `medical,vip` as `医疗回访、VIP 客户`: each skill by its name (an unknown code as itself), in the list's order.
    func skillText(_ codes: some Sequence<String>, names: [String: String], order: [String]) -> String {
        let position = Dictionary(order.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        return codes.sorted { (position[$0] ?? .max, $0) < (position[$1] ?? .max, $1) }.map { names[$0] ?? $0 }
            .joined(separator: language == .zh ? "、" : ", ")
    }

    /// Every event kind's name by code, as the reader reads it.
    func eventKindNames() async throws -> [String: String] {
        Dictionary(
            try await EventKind.query(on: db).all().map {
                ($0.code, NamedCodes.label(stored: $0.name, catalogueKey: "eventKind." + $0.code, language: language))
            }, uniquingKeysWith: { a, _ in a })
    }

    /// The names of every kind's attributes, as the reader reads them.
    func eventAttributeNames() async throws -> EventAttributeNames {
        let rows = try await EventAttribute.query(on: db).sort(\.$kind).sort(\.$position).all()
        var byKind: [String: [NamedCode]] = [:]
        for row in rows {
            byKind[row.kind, default: []].append(
                NamedCode(
                    code: row.key,
                    name: NamedCodes.label(
                        stored: row.name, catalogueKey: "eventAttribute." + row.key, language: language)))
        }
        return EventAttributeNames(byKind)
    }

    /// One kind's attributes as stored (for its form and the API).
    func storedAttributes(of kind: String) async throws -> [NamedCode] {
        try await EventAttribute.query(on: db).filter(\.$kind == kind).sort(\.$position).all().map(\.entry)
    }

}

/// Replaces the configurable lists of names (validated, audited), for the pages and the API.
struct NameLists {
    let context: ServiceContext

    var db: any Database { context.db }

    /// Replaces the call matters. Codes stored calls hold stay valid as they are; a matter left out that calls hold
    /// is kept retired (named as before), one no call holds is removed.
    func replaceCallMatters(_ submitted: [NamedCode]) async throws {
        let entries = submitted.map(Self.trimmed)
        let stored = Set(
            try await db.sql.raw("SELECT DISTINCT matter AS code FROM calls").all(decoding: CodeRow.self).map(\.code))
        let existing = try await CallMatter.query(on: db).sort(\.$position).all()
        let problems = CallMatters.problems(entries, keptCodes: stored.union(existing.map(\.code)))
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        let listed = Set(entries.map(\.code))
        let retired = existing.filter { !listed.contains($0.code) && stored.contains($0.code) }.map {
            NamedCode(code: $0.code, name: $0.name, isActive: false)
        }
        try await db.transaction { db in
            try await CallMatter.query(on: db).delete()
            for (position, entry) in (entries + retired).enumerated() {
                try await CallMatter(entry, position: position).create(on: db)
            }
            try await AuditLog.record(
                "callMatters.update", by: context.actor, subjectType: "callMatters",
                detail: entries.map { $0.code + ($0.isActive ? "" : "(retired)") }.joined(separator: ","),
                at: context.now, on: db)
        }
    }

    /// Replaces the skills. A skill agents hold or rules require cannot be left out: it is named in the refusal.
    func replaceSkills(_ submitted: [NamedCode]) async throws {
        let entries = submitted.map { NamedCode(code: Self.trimmed($0).code, name: Self.trimmed($0).name) }
        let existing = try await Skill.query(on: db).sort(\.$position).all()
        let problems = Skills.problems(entries, keptCodes: Set(existing.map(\.code)))
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        let listed = Set(entries.map(\.code))
        let held = try await heldSkills()
        if let dropped = existing.first(where: { !listed.contains($0.code) && held.contains($0.code) }) {
            throw NamedFieldErrors(errors: [
                NamedFieldError(field: "skills", key: "skills.problem.inUse", arguments: [dropped.name])
            ])
        }
        try await db.transaction { db in
            try await Skill.query(on: db).delete()
            for (position, entry) in entries.enumerated() { try await Skill(entry, position: position).create(on: db) }
            try await AuditLog.record(
                "skills.update", by: context.actor, subjectType: "skills",
                detail: entries.map(\.code).joined(separator: ","), at: context.now, on: db)
        }
    }

    /// Renames an event kind and replaces the names of its attributes.
    func saveEventKind(_ code: String, name rawName: String, attributes submitted: [NamedCode]) async throws {
        guard let kind = try await EventKind.query(on: db).filter(\.$code == code).first() else {
            throw AppError.notFound
        }
        let name = rawName.trimmingWhitespace()
        let attributes = submitted.map { NamedCode(code: Self.trimmed($0).code, name: Self.trimmed($0).name) }
        var problems: [NamedFieldError] = []
        if name.isEmpty {
            problems.append(NamedFieldError(field: "name", key: "problem.required"))
        } else if name.count > NamedCodes.nameLimit {
            problems.append(.tooLong("name", NamedCodes.nameLimit))
        } else if try await EventKind.query(on: db).filter(\.$name == name).filter(\.$code != code).count() > 0 {
            problems.append(NamedFieldError(field: "name", key: "events.problem.kindTaken"))
        }
        problems += EventAttributes.problems(attributes)
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        try await db.transaction { db in
            kind.name = name
            try await kind.save(on: db)
            try await EventAttribute.query(on: db).filter(\.$kind == code).delete()
            for (position, attribute) in attributes.enumerated() {
                try await EventAttribute(kind: code, attribute, position: position).create(on: db)
            }
            try await AuditLog.record(
                "eventKind.update", by: context.actor, subjectType: "eventKind", subjectID: code,
                detail: ([name] + attributes.map { "\($0.code)=\($0.name)" }).joined(separator: ","),
                at: context.now, on: db)
        }
    }

    /// The skill codes agents hold or rules require.
    func heldSkills() async throws -> Set<String> {
        var held = Set(try await User.query(on: db).all().flatMap(\.skillSet))
        for rule in try await RuleRecord.query(on: db).all() {
            if let skill = try? rule.rule().requiredSkill, !skill.isEmpty { held.insert(skill) }
        }
        return held
    }

    private struct CodeRow: Decodable { let code: String }

    private static func trimmed(_ entry: NamedCode) -> NamedCode {
        NamedCode(
            code: entry.code.trimmingWhitespace(), name: entry.name.trimmingWhitespace(), isActive: entry.isActive)
    }
}

extension DomainServices {
    /// The names of call matters, skills, event kinds and their attributes, in the context's language.
    var names: NameLabels { NameLabels(db: db, language: language) }
    /// Changing the lists of call matters, skills and event kinds' attributes.
    var nameLists: NameLists { NameLists(context: context) }
}
