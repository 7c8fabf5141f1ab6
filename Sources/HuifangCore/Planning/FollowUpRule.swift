import Foundation

/// What makes a rule create a follow-up (回访规则的类型).
public enum RuleKind: String, Codable, CaseIterable, Sendable {
    /// A new customer, within the due window after registration.
    case newCustomer
    /// Every N months per tier since the last completed follow-up (or registration).
    case periodic
    /// A delay after each event of a kind (e.g. 7 days after discharge).
    case afterEvent
    /// On (or `days` before) the customer's birthday.
    case birthday
    /// No event for `days` days.
    case churn
    /// `days` before a date held in an event attribute (insurance, card, maintenance expiry).
    case expiryReminder
    /// After a warranty-start event: after `firstMonths`, then every `everyMonths` while in warranty.
    case afterSales
    /// Once, on `campaignDate`, for the rule's segment.
    case campaign
    /// Only when another feature triggers it (e.g. a resolved complaint's verification call).
    case triggered
}

/// Who a rule applies to. Empty lists admit everyone.
public struct Segment: Codable, Hashable, Sendable {
    public var tiers: [String]
    /// The customer carries at least one of these tags.
    public var tags: [String]
    /// The triggering event carries each of these attributes with this value.
    public var eventAttributes: [String: String]

    public init(tiers: [String] = [], tags: [String] = [], eventAttributes: [String: String] = [:]) {
        self.tiers = tiers
        self.tags = tags
        self.eventAttributes = eventAttributes
    }

    public var isEmpty: Bool { tiers.isEmpty && tags.isEmpty && eventAttributes.isEmpty }

    public func admits(tier: String, tags customerTags: [String]) -> Bool {
        (tiers.isEmpty || tiers.contains(tier)) && (tags.isEmpty || tags.contains { customerTags.contains($0) })
    }

    public func admits(event attributes: [String: String]) -> Bool {
        eventAttributes.allSatisfy { attributes[$0.key] == $0.value }
    }
}

/// How a customer prefers to be, or a rule asks to be, contacted.
public enum ContactChannel: String, Codable, CaseIterable, Sendable {
    case phone, sms, email, wechat, visit
}

/// Where a dated follow-up (a birthday, an expiry) goes when its date is a day without contacts (a weekend or a
/// public holiday): to the working day before it, or after it.
public enum HolidayShift: String, Codable, CaseIterable, Sendable {
    case before
    case after
}

/// A follow-up rule: when to contact whom, how, and within what window.
public struct FollowUpRule: Codable, Hashable, Sendable, Identifiable {
    public var id: Int
    public var name: String
    public var kind: RuleKind
    public var isEnabled: Bool
    /// 1 is the most urgent; lists and merged tasks take the most urgent reason.
    public var priority: Int
    public var segment: Segment
    public var channel: ContactChannel
    /// What the agent says (话术).
    public var script: String
    /// Working days after the due day by which the contact must happen (0: on the due day).
    public var windowDays: Int
    public var maxAttempts: Int
    /// Daily contact windows; empty means the organisation's default windows.
    public var contactWindows: [TimeRange]
    /// A skill the agent must have (e.g. `medical`), empty for any agent.
    public var requiredSkill: String
    /// Whether the per-customer contact cap is ignored (complaint follow-ups).
    public var bypassesContactCap: Bool

    // Kind parameters; each kind reads the ones it needs.
    /// afterEvent: delay; birthday/expiryReminder: lead; churn: days without an event.
    public var days: Int
    /// afterEvent: count `days` as working days.
    public var countsWorkingDays: Bool
    /// afterEvent, expiryReminder, afterSales: the event kind.
    public var eventKind: String
    /// expiryReminder: the attribute holding the date; afterSales: the attribute holding the warranty end.
    public var dateAttribute: String
    /// periodic: months between follow-ups per tier (a tier not listed is not followed up).
    public var monthsByTier: [String: Int]
    /// afterSales.
    public var firstMonths: Int
    public var everyMonths: Int
    /// campaign.
    public var campaignDate: LocalDate?
    /// The survey asked in this follow-up: a survey family, asked in its current version.
    public var surveyID: Int?
    /// birthday, expiryReminder: where the date goes when it falls on a day without contacts (before by default).
    public var holidayShift: HolidayShift {
        get { storedHolidayShift ?? .before }
        set { storedHolidayShift = newValue }
    }
    /// Optional in storage: rules saved before the option existed read as `before`.
    private var storedHolidayShift: HolidayShift?

    private enum CodingKeys: String, CodingKey {
        case id, name, kind, isEnabled, priority, segment, channel, script, windowDays, maxAttempts, contactWindows
        case requiredSkill, bypassesContactCap, days, countsWorkingDays, eventKind, dateAttribute, monthsByTier
        case firstMonths, everyMonths, campaignDate, surveyID
        case storedHolidayShift = "holidayShift"
    }

    public init(
        id: Int = 0, name: String, kind: RuleKind, isEnabled: Bool = true, priority: Int = 3,
        segment: Segment = Segment(),
        channel: ContactChannel = .phone, script: String = "", windowDays: Int = 3, maxAttempts: Int = 3,
        contactWindows: [TimeRange] = [], requiredSkill: String = "", bypassesContactCap: Bool = false,
        days: Int = 0, countsWorkingDays: Bool = false, eventKind: String = "", dateAttribute: String = "",
        monthsByTier: [String: Int] = [:], firstMonths: Int = 1, everyMonths: Int = 6, campaignDate: LocalDate? = nil,
        surveyID: Int? = nil, holidayShift: HolidayShift = .before
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.isEnabled = isEnabled
        self.priority = priority
        self.segment = segment
        self.channel = channel
        self.script = script
        self.windowDays = windowDays
        self.maxAttempts = maxAttempts
        self.contactWindows = contactWindows
        self.requiredSkill = requiredSkill
        self.bypassesContactCap = bypassesContactCap
        self.days = days
        self.countsWorkingDays = countsWorkingDays
        self.eventKind = eventKind
        self.dateAttribute = dateAttribute
        self.monthsByTier = monthsByTier
        self.firstMonths = firstMonths
        self.everyMonths = everyMonths
        self.campaignDate = campaignDate
        self.surveyID = surveyID
        self.storedHolidayShift = holidayShift
    }

    /// The problems of a rule as edited, each named by its field; empty when it can be saved.
    public func problems() -> [NamedFieldError] {
        var found: [NamedFieldError] = []
        func add(_ field: String, _ key: String) { found.append(NamedFieldError(field: field, key: key)) }
        if name.trimmingWhitespace().isEmpty { add("name", "rule.problem.name") }
        if TextLimit.exceeds(name, TextLimit.name) { add("name", "rule.problem.tooLong") }
        if TextLimit.exceeds(script, TextLimit.document) { add("script", "rule.problem.tooLong") }
        if !(1...9).contains(priority) { add("priority", "rule.problem.priority") }
        if !(0...60).contains(windowDays) { add("windowDays", "rule.problem.windowDays") }
        if !(1...10).contains(maxAttempts) { add("maxAttempts", "rule.problem.maxAttempts") }
        if !(0...3650).contains(days) { add("days", "rule.problem.days") }
        switch kind {
        case .afterEvent, .afterSales, .expiryReminder:
            if eventKind.isEmpty { add("eventKind", "rule.problem.eventKind") }
        default: break
        }
        switch kind {
        case .expiryReminder, .afterSales:
            if dateAttribute.isEmpty { add("dateAttribute", "rule.problem.dateAttribute") }
        case .periodic:
            if monthsByTier.isEmpty || monthsByTier.values.contains(where: { !(1...120).contains($0) }) {
                add("monthsByTier", "rule.problem.monthsByTier")
            }
        case .churn:
            if days < 1 { add("days", "rule.problem.days") }
        case .campaign:
            if campaignDate == nil { add("campaignDate", "rule.problem.campaignDate") }
        default: break
        }
        if kind == .afterSales, !(1...120).contains(firstMonths) || !(1...120).contains(everyMonths) {
            add("everyMonths", "rule.problem.months")
        }
        return found
    }
}

extension LocalDate {
    /// The same day `months` later; the last day of the month when it has fewer days (31 Jan + 1 month = 28/29 Feb).
    /// Saturates at January of year 1 and December of 9999, as `adding(days:)` does.
    public func adding(months: Int) -> LocalDate {
        let index = min(max(year * 12 + (month - 1) + min(max(months, -120_000), 120_000), 12), 9999 * 12 + 11)
        let y = index / 12
        let m = index % 12 + 1
        var d = day
        while LocalDate(year: y, month: m, day: d) == nil { d -= 1 }
        return LocalDate(year: y, month: m, day: d)!
    }
}
