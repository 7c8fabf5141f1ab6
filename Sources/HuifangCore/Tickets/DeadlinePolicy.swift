import Foundation

/// A length of time as a policy states it: "24 hours", "8 working hours", "3 working days".
public struct PolicyDuration: Codable, Hashable, Sendable {
    public enum Unit: String, Codable, CaseIterable, Sendable {
        case calendarHours, workingHours, workingDays
    }
    public var amount: Int
    public var unit: Unit

    public init(_ amount: Int, _ unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// The instant the duration ends when it starts at `start`. Working days end at the close of
    /// the n-th working day after the start's date (the start's own day never counts).
    public func end(from start: Date, in calendar: BusinessCalendar) throws(CalendarRangeError) -> Date {
        switch unit {
        case .calendarHours:
            return calendar.addCalendarHours(Double(amount), to: start)
        case .workingHours:
            return try calendar.addWorkingHours(Double(amount), to: start)
        case .workingDays:
            let day = try calendar.addWorkingDays(amount, after: calendar.localDate(of: start).date)
            let close = calendar.hours(on: day).last?.end ?? 86_400
            return calendar.instant(local: Int64(day.dayNumber) * 86_400 + Int64(close))
        }
    }
}

/// Deadlines for tickets that match: by kind, severity, urgency and customer tier (empty or nil: any).
public struct DeadlinePolicy: Codable, Hashable, Sendable {
    public var name: String
    public var kinds: [TicketKind]
    public var severities: [Severity]
    public var urgent: Bool?
    public var tiers: [String]
    public var firstResponse: PolicyDuration
    public var resolution: PolicyDuration
    /// Telling the customer after resolution.
    public var inform: PolicyDuration
    /// The verification follow-up after the customer is told.
    public var verification: PolicyDuration
    /// Whether waiting on the customer stops the clock.
    public var pausesWhileWaiting: Bool

    public init(
        name: String, kinds: [TicketKind] = [], severities: [Severity] = [], urgent: Bool? = nil, tiers: [String] = [],
        firstResponse: PolicyDuration, resolution: PolicyDuration, inform: PolicyDuration, verification: PolicyDuration,
        pausesWhileWaiting: Bool = false
    ) {
        self.name = name
        self.kinds = kinds
        self.severities = severities
        self.urgent = urgent
        self.tiers = tiers
        self.firstResponse = firstResponse
        self.resolution = resolution
        self.inform = inform
        self.verification = verification
        self.pausesWhileWaiting = pausesWhileWaiting
    }

    public func matches(kind: TicketKind, severity: Severity, urgent isUrgent: Bool, tier: String) -> Bool {
        (kinds.isEmpty || kinds.contains(kind)) && (severities.isEmpty || severities.contains(severity))
            && (urgent == nil || urgent == isUrgent) && (tiers.isEmpty || tiers.contains(tier))
    }
}

/// Ordered policies: the first that matches wins, and the fallback always does.
public struct DeadlinePolicies: Sendable {
    public let policies: [DeadlinePolicy]
    public let fallback: DeadlinePolicy

    public init(_ policies: [DeadlinePolicy], fallback: DeadlinePolicy) {
        self.policies = policies
        self.fallback = fallback
    }

    public func policy(kind: TicketKind, severity: Severity, urgent: Bool, tier: String) -> DeadlinePolicy {
        policies.first { $0.matches(kind: kind, severity: severity, urgent: urgent, tier: tier) } ?? fallback
    }

    /// Drawn from the seeds: urgent complaints answered within 2 hours and resolved within 24;
    /// serious ones within 1 working day; others replied within 3 working days.
    public static let defaults = DeadlinePolicies(
        [
            DeadlinePolicy(
                name: "紧急投诉", kinds: [.complaint], urgent: true,
                firstResponse: PolicyDuration(2, .calendarHours), resolution: PolicyDuration(24, .calendarHours),
                inform: PolicyDuration(4, .workingHours), verification: PolicyDuration(1, .workingDays)),
            DeadlinePolicy(
                name: "重大问题", severities: [.serious],
                firstResponse: PolicyDuration(4, .workingHours), resolution: PolicyDuration(1, .workingDays),
                inform: PolicyDuration(1, .workingDays), verification: PolicyDuration(2, .workingDays)),
        ],
        fallback: DeadlinePolicy(
            name: "一般问题", firstResponse: PolicyDuration(1, .workingDays), resolution: PolicyDuration(3, .workingDays),
            inform: PolicyDuration(1, .workingDays), verification: PolicyDuration(3, .workingDays),
            pausesWhileWaiting: true))
}

/// A ticket category (工单类别): a code the data keeps and the name people read.
public struct TicketCategory: Codable, Hashable, Sendable {
    public var code: String
    public var name: String

    public init(_ code: String, _ name: String) {
        self.code = code
        self.name = name
    }
}

/// Everything about tickets an organisation configures: deadline policies (first match wins, the
/// fallback always matches), the escalation ladder, and the categories offered.
public struct TicketSettings: Codable, Hashable, Sendable {
    public var policies: [DeadlinePolicy]
    public var fallback: DeadlinePolicy
    public var ladder: EscalationLadder
    public var categories: [TicketCategory]

    public init(
        policies: [DeadlinePolicy], fallback: DeadlinePolicy, ladder: EscalationLadder, categories: [TicketCategory]
    ) {
        self.policies = policies
        self.fallback = fallback
        self.ladder = ladder
        self.categories = categories
    }

    public static let defaults = TicketSettings(
        policies: DeadlinePolicies.defaults.policies, fallback: DeadlinePolicies.defaults.fallback, ladder: .defaults,
        categories: [
            TicketCategory("attitude", "服务态度"), TicketCategory("delay", "延误"), TicketCategory("damage", "损坏"),
            TicketCategory("loss", "丢失"), TicketCategory("communication", "沟通"), TicketCategory("price", "价格"),
            TicketCategory("other", "其他"),
        ])

    public var deadlinePolicies: DeadlinePolicies { DeadlinePolicies(policies, fallback: fallback) }

    /// The policy a ticket was opened under, by name; the fallback when it has since been removed.
    public func policy(named name: String) -> DeadlinePolicy {
        policies.first { $0.name == name } ?? fallback
    }

    /// Every problem, each naming its field: names unique and present, amounts sensible, categories unique.
    public func problems() -> [NamedFieldError] {
        var found: [NamedFieldError] = []
        func add(_ field: String, _ key: String) { found.append(NamedFieldError(field: field, key: key)) }
        let all = policies + [fallback]
        for (index, policy) in all.enumerated() {
            let field = index == policies.count ? "fallback" : "policies[\(index)]"
            if policy.name.trimmingCharacters(in: .whitespaces).isEmpty {
                add(field + ".name", "problem.required")
            }
            if all[..<index].contains(where: { $0.name == policy.name }) {
                add(field + ".name", "ticket.problem.duplicateName")
            }
            for (name, duration) in [
                ("firstResponse", policy.firstResponse), ("resolution", policy.resolution),
                ("inform", policy.inform), ("verification", policy.verification),
            ]
            where duration.amount < 1 || duration.amount > 10_000 {
                add(field + "." + name, "ticket.problem.duration")
            }
        }
        found += ladder.problems()
        if categories.isEmpty { add("categories", "problem.required") }
        for (index, category) in categories.enumerated() {
            let code = category.code
            if code.isEmpty || code.count > 32
                || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            {
                add("categories[\(index)].code", "ticket.problem.categoryCode")
            } else if categories[..<index].contains(where: { $0.code == code }) {
                add("categories[\(index)].code", "ticket.problem.duplicateName")
            }
            if category.name.trimmingCharacters(in: .whitespaces).isEmpty {
                add("categories[\(index)].name", "problem.required")
            }
        }
        return found
    }
}
