import Fluent
import HuifangCore
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
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// The plain value, with the tags loaded separately.
    func record(tags: [String]) -> CustomerRecord {
        CustomerRecord(
            name: name, mobile: mobile.map(PhoneNumber.init(normalised:)), email: email,
            gender: gender.flatMap(Gender.init(rawValue:)), birthday: birthday.flatMap(LocalDate.init(parsing:)),
            registeredOn: registeredOn.flatMap(LocalDate.init(parsing:)), tier: tier, tags: tags,
            externalID: externalID, assignedAgentID: $assignedAgent.id, consent: consent,
            doNotDisturb: doNotDisturb, notes: notes
        )
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
