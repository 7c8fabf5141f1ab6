import HuifangCore
import Vapor

/// A customer as the API returns it; contact details masked by the caller's role.
struct CustomerDTO: Content {
    struct Agent: Content {
        let id: UUID
        let username: String
        let displayName: String
    }
    let id: Int
    let name: String
    let mobile: String?
    let email: String?
    let contactMasked: Bool
    let gender: String?
    let birthday: String?
    let registeredOn: String?
    let tier: String
    let tags: [String]
    let externalId: String?
    let assignedAgent: Agent?
    let consent: Bool
    let doNotDisturb: Bool
    let notes: String?
    let createdAt: Date?
    let updatedAt: Date?

    init(_ customer: Customer, tags: [String], agent: User?, viewer: User) {
        let contact = VisibleContact(customer: customer, viewer: viewer)
        id = customer.id!
        name = customer.name
        mobile = contact.mobile
        email = contact.email
        contactMasked = contact.isMasked
        gender = customer.gender
        birthday = customer.birthday
        registeredOn = customer.registeredOn
        tier = customer.tier
        self.tags = tags
        externalId = customer.externalID
        assignedAgent = agent.map { Agent(id: $0.id!, username: $0.username, displayName: $0.displayName) }
        consent = customer.consent
        doNotDisturb = customer.doNotDisturb
        notes = customer.notes
        createdAt = customer.createdAt
        updatedAt = customer.updatedAt
    }
}

struct CustomerPageDTO: Content {
    let items: [CustomerDTO]
    /// Pass as `after` for the next page; absent on the last page.
    let nextCursor: Int?
}

struct CustomerChangeDTO: Content {
    let at: Date
    let actor: String
    let source: String
    let field: String
    let oldValue: String?
    let newValue: String?
}

/// The JSON a client sends to create or change a customer. Keys left out are
/// left alone; `null` clears a value; an unknown key is refused by name.
struct CustomerInput: Decodable {
    let values: [CustomerField: String]

    static let keys: [String: CustomerField] = [
        "name": .name, "mobile": .mobile, "email": .email, "gender": .gender, "birthday": .birthday,
        "registeredOn": .registeredOn, "tier": .tier, "tags": .tags, "externalId": .externalID,
        "assignedAgent": .assignedAgent, "consent": .consent, "doNotDisturb": .doNotDisturb, "notes": .notes,
    ]

    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [CustomerField: String] = [:]
        for key in container.allKeys {
            guard let field = Self.keys[key.stringValue] else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container,
                    debugDescription:
                        "is not a customer field (known: \(Self.keys.keys.sorted().joined(separator: ", ")))")
            }
            if try container.decodeNil(forKey: key) {
                values[field] = ""
            } else if field == .tags {
                if let list = try? container.decode([String].self, forKey: key) {
                    values[field] = list.joined(separator: ",")
                } else {
                    values[field] = try container.decode(String.self, forKey: key)
                }
            } else if field == .consent || field == .doNotDisturb {
                values[field] = String(try container.decode(Bool.self, forKey: key))
            } else {
                values[field] = try container.decode(String.self, forKey: key)
            }
        }
        self.values = values
    }
}
