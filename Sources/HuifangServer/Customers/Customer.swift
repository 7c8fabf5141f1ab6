import Fluent
import HuifangCore
import SQLKit
import Vapor

/// A customer or member (客户/会员). Keyed by an integer so that lists page by
/// key quickly at millions of rows.
final class Customer: Model, @unchecked Sendable {
    static let schema = "customers"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    @OptionalField(key: "mobile") var mobile: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "gender") var gender: String?
    @OptionalField(key: "birthday") var birthday: String?
    @OptionalField(key: "registered_on") var registeredOn: String?
    @Field(key: "tier") var tier: String
    @OptionalField(key: "external_id") var externalID: String?
    @OptionalParent(key: "assigned_agent_id") var assignedAgent: User?
    @Field(key: "consent") var consent: Bool
    @Field(key: "do_not_disturb") var doNotDisturb: Bool
    @OptionalField(key: "notes") var notes: String?
    /// When the customer's personal information was erased (`CustomerErasure`); the row then stays for the figures.
    @OptionalField(key: "erased_at") var erasedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// The plain value, with the tags loaded separately.
    func record(tags: [String]) -> CustomerRecord {
        CustomerRecord(
            stored: .init(
                name: name, mobile: mobile, email: email, gender: gender, birthday: birthday,
                registered_on: registeredOn, tier: tier, external_id: externalID,
                assigned_agent_id: $assignedAgent.id, consent: consent, do_not_disturb: doNotDisturb,
                notes: notes), tags: tags)
    }

    /// Copies a record's fields (all but the tags, kept in their own table).
    func apply(_ record: CustomerRecord) {
        name = record.name
        mobile = record.mobile?.e164
        email = record.email
        gender = record.gender?.rawValue
        birthday = record.birthday?.iso
        registeredOn = record.registeredOn?.iso
        tier = record.tier
        externalID = record.externalID
        $assignedAgent.id = record.assignedAgentID
        consent = record.consent
        doNotDisturb = record.doNotDisturb
        notes = record.notes
    }
}

/// A customer's columns as stored, read or written with SQL for bulk work
/// (imports), where building a model per row would cost more than the work.
struct StoredCustomer: Codable, Sendable {
    var name: String
    var mobile: String?
    var email: String?
    var gender: String?
    var birthday: String?
    var registered_on: String?
    var tier: String
    var external_id: String?
    var assigned_agent_id: UUID?
    var consent: Bool
    var do_not_disturb: Bool
    var notes: String?

    init(
        name: String, mobile: String?, email: String?, gender: String?, birthday: String?, registered_on: String?,
        tier: String, external_id: String?, assigned_agent_id: UUID?, consent: Bool, do_not_disturb: Bool,
        notes: String?
    ) {
        self.name = name
        self.mobile = mobile
        self.email = email
        self.gender = gender
        self.birthday = birthday
        self.registered_on = registered_on
        self.tier = tier
        self.external_id = external_id
        self.assigned_agent_id = assigned_agent_id
        self.consent = consent
        self.do_not_disturb = do_not_disturb
        self.notes = notes
    }

    init(_ record: CustomerRecord) {
        self.init(
            name: record.name, mobile: record.mobile?.e164, email: record.email, gender: record.gender?.rawValue,
            birthday: record.birthday?.iso, registered_on: record.registeredOn?.iso, tier: record.tier,
            external_id: record.externalID, assigned_agent_id: record.assignedAgentID, consent: record.consent,
            do_not_disturb: record.doNotDisturb, notes: record.notes)
    }

    static let columns = [
        "name", "mobile", "email", "gender", "birthday", "registered_on", "tier", "external_id",
        "assigned_agent_id", "consent", "do_not_disturb", "notes",
    ]

    /// The values in the order of `columns`, for an INSERT or UPDATE.
    var binds: [SQLBind] {
        [
            SQLBind(name), SQLBind(mobile), SQLBind(email), SQLBind(gender), SQLBind(birthday), SQLBind(registered_on),
            SQLBind(tier), SQLBind(external_id), SQLBind(assigned_agent_id), SQLBind(consent), SQLBind(do_not_disturb),
            SQLBind(notes),
        ]
    }
}

/// A stored customer with its key, as a bulk read returns it.
struct KeyedStoredCustomer: Decodable {
    let id: Int
    let stored: StoredCustomer

    init(from decoder: any Decoder) throws {
        id = try decoder.container(keyedBy: Key.self).decode(Int.self, forKey: .id)
        stored = try StoredCustomer(from: decoder)
    }

    private enum Key: String, CodingKey { case id }
}

extension CustomerRecord {
    init(stored s: StoredCustomer, tags: [String]) {
        self.init(
            name: s.name, mobile: s.mobile.map(PhoneNumber.init(normalised:)), email: s.email,
            gender: s.gender.flatMap(Gender.init(rawValue:)), birthday: s.birthday.flatMap(LocalDate.init(parsing:)),
            registeredOn: s.registered_on.flatMap(LocalDate.init(parsing:)), tier: s.tier, tags: tags,
            externalID: s.external_id, assignedAgentID: s.assigned_agent_id, consent: s.consent,
            doNotDisturb: s.do_not_disturb, notes: s.notes
        )
    }
}

/// One tag on one customer; tags filter lists, so they have their own indexed table.
final class CustomerTag: Model, @unchecked Sendable {
    static let schema = "customer_tags"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "customer_id") var customerID: Int
    @Field(key: "tag") var tag: String

    init() {}

    init(customerID: Int, tag: String) {
        self.customerID = customerID
        self.tag = tag
    }
}

/// One field's change on one customer: who, when, through what, old → new.
final class CustomerChange: Model, @unchecked Sendable {
    static let schema = "customer_changes"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "customer_id") var customerID: Int
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "source") var source: String
    @Field(key: "field") var field: String
    @OptionalField(key: "old_value") var oldValue: String?
    @OptionalField(key: "new_value") var newValue: String?

    init() {}

    /// The pseudo-field of the entry that records a customer's creation.
    static let createdField = "created"
}
