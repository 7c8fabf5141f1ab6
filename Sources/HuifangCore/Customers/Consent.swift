import Foundation

/// How a change of a customer's consent or do-not-disturb flag came to be recorded: the `how` of each row of the
/// consent history (`customer_consents`). A closed set; the stored value is the raw value.
public enum ConsentSource: String, CaseIterable, Codable, Sendable {
    /// The state as it stood when the history began (the upgrade that introduced it).
    case migration
    /// A customer file imported (the page, the API or `huifang import customers`).
    case importFile = "import"
    /// The API (`POST`/`PATCH /api/v1/customers`).
    case api
    /// Staff on the customer's page (the form).
    case page
    /// An agent on the phone: an inbound call, or a follow-up whose outcome was "do not call".
    case call
    /// The customer themselves, with 不再联系我 on their survey page.
    case surveyLink = "survey_link"
    /// The customer themselves, replying T/TD/退订/N to an SMS.
    case smsReply = "sms_reply"
    /// The command line or the server's own work.
    case commandLine = "command_line"
    /// The demonstration data.
    case demo

    /// The source of a change made by an actor whose own source is `actorSource` (`ui`, `api`, `import`, `cli`,
    /// `demo`, `link`, `sms`, …); anything else is the command line or the server's own work.
    public init(actorSource: String) {
        switch actorSource {
        case "ui": self = .page
        case "api": self = .api
        case "import": self = .importFile
        case "demo": self = .demo
        case "link": self = .surveyLink
        case "sms": self = .smsReply
        default: self = .commandLine
        }
    }

    /// Whether the customer recorded it themselves: such rows name no staff member.
    public var isCustomersOwn: Bool { self == .surveyLink || self == .smsReply }

    public var catalogueKey: String { "consent.how.\(rawValue)" }
}

/// A customer's two contact flags together: whether they consent to follow-ups and whether they asked not to be
/// disturbed.
public struct ConsentState: Equatable, Sendable {
    public var consent: Bool
    public var doNotDisturb: Bool

    public init(consent: Bool, doNotDisturb: Bool) {
        self.consent = consent
        self.doNotDisturb = doNotDisturb
    }

    /// Whether anything may be sent to the customer: they consent and did not ask not to be disturbed.
    public var allowsContact: Bool { consent && !doNotDisturb }

    /// The state after the customer asked not to be contacted any more.
    public var optedOut: ConsentState { ConsentState(consent: consent, doNotDisturb: true) }
}

extension CustomerRecord {
    public var consentState: ConsentState { ConsentState(consent: consent, doNotDisturb: doNotDisturb) }
}

/// The rules of the consent history.
public enum ConsentHistory {
    /// The longest note a history row keeps.
    public static let noteLimit = 200

    /// Whether a change from `old` (`nil`: the customer is new) to `new` adds a row. A new customer always has
    /// one; a change of either flag adds one; so does the customer's own opt-out when the flags already said so,
    /// since it is the customer's own statement.
    public static func needsEntry(from old: ConsentState?, to new: ConsentState, how: ConsentSource) -> Bool {
        guard let old else { return true }
        return old != new || how.isCustomersOwn
    }

    /// A note as kept: trimmed, at most `noteLimit` characters, `nil` when empty.
    public static func note(_ raw: String?) -> String? {
        guard let text = raw?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return String(text.prefix(noteLimit))
    }
}

/// A reply to an SMS, as the gateway posts it: an opt-out or nothing Huifang acts on.
public enum SMSReply {
    public enum Action: String, Codable, Sendable {
        /// The customer asked to receive nothing more.
        case optOut = "opt_out"
        /// Any other text: stored nowhere.
        case ignored
    }

    /// The replies that opt out, compared without case: T and TD (退订, as Chinese SMS footers say "回T退订" or
    /// "回TD退订"), 退订 itself, and N.
    public static let optOutKeywords: Set<String> = ["t", "td", "退订", "n"]

    /// What a reply's text asks for. The text is trimmed (spaces, full-width spaces, line breaks) and read without
    /// case; full-width letters (`Ｔ`, `ＴＤ`, as Chinese keyboards type them) count as their ASCII forms.
    public static func action(for text: String) -> Action {
        var folded = ""
        for scalar in text.trimmingWhitespace().unicodeScalars {
            if (0xFF21...0xFF3A).contains(scalar.value) || (0xFF41...0xFF5A).contains(scalar.value) {
                folded.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            } else {
                folded.unicodeScalars.append(scalar)
            }
        }
        return optOutKeywords.contains(folded.lowercased()) ? .optOut : .ignored
    }
}

extension SMSReply {
    /// The longest reply read (a long SMS arrives in parts of 67–70 characters).
    public static let textLimit = 1000

    /// A reply as the gateway posted it, checked.
    public struct Inbound: Equatable, Sendable {
        /// The sender's number, normalised as customers' mobiles are stored.
        public let from: PhoneNumber
        public let action: Action
        /// When the gateway received it, if it said.
        public let receivedAt: Date?
    }

    /// Reads a reply: `from` a mobile number (any way `PhoneNumber` reads one), `text` given and at most
    /// `textLimit` characters (empty is allowed: it is ignored), `receivedAt` absent or a time `LocalTime` reads
    /// (ISO 8601 with an offset, or local to `zone`). Every wrong field is named at once.
    public static func read(from: String?, text: String?, receivedAt: String?, in zone: TimeZone)
        throws(NamedFieldErrors) -> Inbound
    {
        var errors: [NamedFieldError] = []
        let number = from.flatMap { try? PhoneNumber(parsing: $0) }
        if number == nil { errors.append(NamedFieldError(field: "from", key: "sms.problem.from")) }
        if text == nil || text!.count > textLimit {
            errors.append(NamedFieldError(field: "text", key: "sms.problem.text"))
        }
        var received: Date?
        if let raw = receivedAt?.trimmingWhitespace(), !raw.isEmpty {
            received = LocalTime.parse(raw, in: zone)?.instant
            if received == nil { errors.append(NamedFieldError(field: "received_at", key: "sms.problem.receivedAt")) }
        }
        guard errors.isEmpty, let number, let text else { throw NamedFieldErrors(errors: errors) }
        return Inbound(from: number, action: action(for: text), receivedAt: received)
    }
}
