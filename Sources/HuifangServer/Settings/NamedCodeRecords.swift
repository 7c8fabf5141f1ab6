import Fluent
import Foundation
import HuifangCore

/// One matter an inbound call can be about (来电事项): what the call form offers and the report groups by.
final class CallMatter: Model, @unchecked Sendable {
    static let schema = "call_matters"

    @ID(key: .id) var id: UUID?
    /// What a call stores in `calls.matter`.
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int
    /// Offered by the call form; a retired matter keeps its name for the calls that hold it.
    @Field(key: "is_active") var isActive: Bool

    init() {}

    init(_ entry: NamedCode, position: Int) {
        code = entry.code
        name = entry.name
        self.position = position
        isActive = entry.isActive
    }

    var entry: NamedCode { NamedCode(code: code, name: name, isActive: isActive) }
}

/// One skill (技能) agents may hold and rules may require.
final class Skill: Model, @unchecked Sendable {
    static let schema = "skills"

    @ID(key: .id) var id: UUID?
    /// What `users.skills` and a rule's required skill hold.
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int

    init() {}

    init(_ entry: NamedCode, position: Int) {
        code = entry.code
        name = entry.name
        self.position = position
    }

    var entry: NamedCode { NamedCode(code: code, name: name) }
}

/// The name of one attribute of a kind of service event (`warranty_until` → 质保截止日).
final class EventAttribute: Model, @unchecked Sendable {
    static let schema = "event_attributes"

    @ID(key: .id) var id: UUID?
    /// The event kind's code.
    @Field(key: "kind") var kind: String
    /// The key events keep (a file's column, the API's attribute).
    @Field(key: "key") var key: String
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int

    init() {}

    init(kind: String, _ entry: NamedCode, position: Int) {
        self.kind = kind
        key = entry.code
        name = entry.name
        self.position = position
    }

    var entry: NamedCode { NamedCode(code: key, name: name) }
}
