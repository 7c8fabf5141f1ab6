import struct Foundation.UUID

/// The fields of a customer that people edit and whose changes are kept.
public enum CustomerField: String, CaseIterable, Codable, Sendable {
    case name, mobile, email, gender, birthday, registeredOn, tier, tags
    case externalID, assignedAgent, consent, doNotDisturb, notes

    public var catalogueKey: String { "field.\(rawValue)" }
    /// Fields holding personal contact data, masked in history as in the profile.
    public var isContactDetail: Bool { self == .mobile || self == .email }
}

public enum Gender: String, CaseIterable, Codable, Sendable {
    case male, female

    /// Reads 男/女/M/F/male/female (and 先生/女士, as agents type them).
    public init(parsing raw: String) throws(FieldProblem) {
        switch raw.trimmingWhitespace().lowercased() {
        case "男", "m", "male", "先生", "男性": self = .male
        case "女", "f", "female", "女士", "女性": self = .female
        default: throw .invalidGender
        }
    }
}

/// A customer's editable data as a plain value: what the database row holds,
/// without identity or timestamps.
public struct CustomerRecord: Equatable, Sendable {
    public var name: String
    public var mobile: PhoneNumber?
    public var email: String?
    public var gender: Gender?
    public var birthday: LocalDate?
    public var registeredOn: LocalDate?
    public var tier: String
    public var tags: [String]
    public var externalID: String?
    public var assignedAgentID: UUID?
    public var consent: Bool
    public var doNotDisturb: Bool
    public var notes: String?

    public init(
        name: String, mobile: PhoneNumber? = nil, email: String? = nil, gender: Gender? = nil,
        birthday: LocalDate? = nil, registeredOn: LocalDate? = nil, tier: String, tags: [String] = [],
        externalID: String? = nil, assignedAgentID: UUID? = nil, consent: Bool = true,
        doNotDisturb: Bool = false, notes: String? = nil
    ) {
        self.name = name
        self.mobile = mobile
        self.email = email
        self.gender = gender
        self.birthday = birthday
        self.registeredOn = registeredOn
        self.tier = tier
        self.tags = tags
        self.externalID = externalID
        self.assignedAgentID = assignedAgentID
        self.consent = consent
        self.doNotDisturb = doNotDisturb
        self.notes = notes
    }

    /// The value of a field as it is written into the change history.
    public func historyValue(_ field: CustomerField) -> String? {
        switch field {
        case .name: name
        case .mobile: mobile?.display
        case .email: email
        case .gender: gender?.rawValue
        case .birthday: birthday?.iso
        case .registeredOn: registeredOn?.iso
        case .tier: tier
        case .tags: tags.isEmpty ? nil : tags.joined(separator: ",")
        case .externalID: externalID
        case .assignedAgent: assignedAgentID?.uuidString
        case .consent: String(consent)
        case .doNotDisturb: String(doNotDisturb)
        case .notes: notes
        }
    }

    /// The fields that differ from `other`, each as old → new.
    public func changes(from old: CustomerRecord) -> [FieldChange] {
        CustomerField.allCases.compactMap { field in
            let before = old.historyValue(field)
            let after = historyValue(field)
            return before == after ? nil : FieldChange(field: field, oldValue: before, newValue: after)
        }
    }
}

/// One field's change, as kept in a customer's history.
public struct FieldChange: Equatable, Sendable {
    public let field: CustomerField
    public let oldValue: String?
    public let newValue: String?

    public init(field: CustomerField, oldValue: String?, newValue: String?) {
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
    }
}

/// Values to set on a customer: `nil` leaves a field alone, `.some(nil)` clears it.
public struct CustomerPatch: Equatable, Sendable {
    public var name: String?
    public var mobile: PhoneNumber??
    public var email: String??
    public var gender: Gender??
    public var birthday: LocalDate??
    public var registeredOn: LocalDate??
    public var tier: String?
    public var tags: [String]?
    public var externalID: String??
    public var assignedAgentID: UUID??
    public var consent: Bool?
    public var doNotDisturb: Bool?
    public var notes: String??

    public init() {}

    /// The record with this patch applied.
    public func applied(to record: CustomerRecord) -> CustomerRecord {
        var r = record
        if let name { r.name = name }
        if let mobile { r.mobile = mobile }
        if let email { r.email = email }
        if let gender { r.gender = gender }
        if let birthday { r.birthday = birthday }
        if let registeredOn { r.registeredOn = registeredOn }
        if let tier { r.tier = tier }
        if let tags { r.tags = tags }
        if let externalID { r.externalID = externalID }
        if let assignedAgentID { r.assignedAgentID = assignedAgentID }
        if let consent { r.consent = consent }
        if let doNotDisturb { r.doNotDisturb = doNotDisturb }
        if let notes { r.notes = notes }
        return r
    }

    /// A new customer from this patch, with the defaults for what it leaves out.
    /// `nil` when the patch has no name.
    public func makeRecord(defaultTier: String) -> CustomerRecord? {
        guard let name else { return nil }
        return applied(to: CustomerRecord(name: name, tier: defaultTier))
    }
}
