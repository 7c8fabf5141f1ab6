import Foundation

/// Everything Huifang holds about one customer, as the export's JSON file has it. The keys are documented in the
/// README ("Export of a customer's data"); instants are ISO-8601 in UTC, local dates `YYYY-MM-DD` in the
/// organisation's time zone (`timeZone`); a key whose value is unknown is left out.
struct CustomerExportDocument: Encodable, Sendable {
    var format = "huifang.customer-export"
    var version = 1
    let exportedAt: Date
    let exportedBy: String
    let timeZone: String
    let customer: Profile
    let consent: Consent
    let changes: [Change]
    let events: [Event]
    let tasks: [FollowUp]
    let contacts: [Contact]
    let tickets: [TicketItem]
    let calls: [Call]
    let messages: [Message]
    let access: [Access]

    /// The customer's row: their full contact details, which are their own.
    struct Profile: Encodable, Sendable {
        let id: Int
        let externalID: String?
        let name: String
        let mobile: String?
        let email: String?
        let gender: String?
        let birthday: String?
        let registeredOn: String?
        let tier: String
        let tags: [String]
        let assignedAgent: String?
        let consent: Bool
        let doNotDisturb: Bool
        let notes: String?
        let createdAt: Date?
        let updatedAt: Date?
    }

    /// The consent and do-not-disturb flags as they stand; the consent history (`history`: every change of
    /// either flag with how and by whom it was recorded, from the first row, how = `migration` for customers who
    /// were there when the history began); and the same changes as the change history has them (`changes`).
    struct Consent: Encodable, Sendable {
        let consent: Bool
        let doNotDisturb: Bool
        let history: [ConsentEntry]
        let changes: [Change]
    }

    /// One row of the consent history: the flags after the change, how it was recorded (`import`, `api`, `page`,
    /// `call`, `survey_link`, `sms_reply`, `command_line`, `demo`, `migration`), by whom (left out for the
    /// customer's own reply) and a note.
    struct ConsentEntry: Encodable, Sendable {
        let at: Date
        let consent: Bool
        let doNotDisturb: Bool
        let how: String
        let actor: String?
        let note: String?
    }

    /// One field's change: who, when, through what (`ui`, `api`, `import`, `cli`, …), old → new.
    struct Change: Encodable, Sendable {
        let at: Date
        let actor: String
        let source: String
        let field: String
        let oldValue: String?
        let newValue: String?
    }

    struct Event: Encodable, Sendable {
        let id: Int
        let kind: String
        let kindName: String
        let occurredAt: Date
        let occurredOn: String
        let attributes: [String: String]
        /// What people read for each attribute (`warranty_until` → 质保截止日).
        let attributeNames: [String: String]
        let externalID: String?
        let source: String
    }

    /// A follow-up task and the rules it was planned for.
    struct FollowUp: Encodable, Sendable {
        let id: Int
        let status: String
        let channel: String
        let priority: Int
        let dueAt: Date
        let deadlineAt: Date
        let plannedOn: String
        let assignedAgent: String?
        let attempts: Int
        let callbackAt: Date?
        let completedAt: Date?
        let reasons: [Reason]
    }

    struct Reason: Encodable, Sendable {
        let rule: String
        let triggeredOn: String
        let dueOn: String
        let deadlineOn: String
    }

    /// A contact attempt (回访记录) with the survey answers given in it.
    struct Contact: Encodable, Sendable {
        let id: Int
        let taskID: Int
        let source: String
        let agent: String
        let channel: String
        let startedAt: Date
        let endedAt: Date
        let durationSeconds: Int
        let outcome: String
        let result: String
        let notes: String
        let corrections: String
        let recordingConsent: Bool
        let recordingRef: String
        let surveyDeclined: Bool
        let nextAttemptAt: Date?
        let ticketID: Int?
        let answers: [Answer]
    }

    struct Answer: Encodable, Sendable {
        let questionKey: String
        let question: String?
        let indicator: String
        let type: String
        let value: String
        let score: Int?
        let answeredAt: Date
    }

    /// A ticket about the customer with its whole timeline.
    struct TicketItem: Encodable, Sendable {
        let id: Int
        let kind: String
        let category: String
        let severity: String
        let urgent: Bool
        let source: String
        let status: String
        let description: String
        let department: String?
        let handler: String?
        let measures: String
        let planOwner: String
        let planDue: String?
        let compensation: String
        let openedAt: Date?
        let firstResponseAt: Date?
        let resolvedAt: Date?
        let informedAt: Date?
        let closedAt: Date?
        let customerSatisfied: Bool?
        let timeline: [TicketLine]
    }

    struct TicketLine: Encodable, Sendable {
        let at: Date
        let actor: String
        let action: String
        let oldStatus: String?
        let newStatus: String?
        let note: String
    }

    /// An inbound call matched to the customer.
    struct Call: Encodable, Sendable {
        let id: Int
        let at: Date
        let agent: String
        let phone: String
        let matter: String
        /// The matter's name (来电事项).
        let matterName: String
        let summary: String
        let handling: String
        let promisedBy: Date?
        let ticketID: Int?
        let recordingConsent: Bool
    }

    /// An SMS or email to the customer (a survey link), as queued and sent.
    struct Message: Encodable, Sendable {
        let id: Int
        let channel: String
        let to: String
        let subject: String
        let body: String
        let status: String
        let createdAt: Date
        let sentAt: Date?
        let taskID: Int?
    }

    /// An audit entry about the customer: who viewed, revealed, changed or exported their data, and when.
    struct Access: Encodable, Sendable {
        let at: Date
        let actor: String
        let action: String
        let detail: String?
    }

    /// The JSON file: pretty-printed, keys sorted, instants ISO-8601 in UTC.
    func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(self))
    }
}
