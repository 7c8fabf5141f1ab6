import Foundation

/// What the planner knows of one customer.
public struct PlanningCustomer: Sendable {
    public var id: Int
    public var tier: String
    public var tags: [String]
    public var birthday: LocalDate?
    public var registeredOn: LocalDate?
    public var consent: Bool
    public var doNotDisturb: Bool
    /// The day of the last completed follow-up.
    public var lastCompletedOn: LocalDate?
    /// The day of the most recent event of any kind.
    public var lastEventOn: LocalDate?

    public init(
        id: Int, tier: String, tags: [String] = [], birthday: LocalDate? = nil, registeredOn: LocalDate? = nil,
        consent: Bool = true, doNotDisturb: Bool = false, lastCompletedOn: LocalDate? = nil,
        lastEventOn: LocalDate? = nil
    ) {
        self.id = id
        self.tier = tier
        self.tags = tags
        self.birthday = birthday
        self.registeredOn = registeredOn
        self.consent = consent
        self.doNotDisturb = doNotDisturb
        self.lastCompletedOn = lastCompletedOn
        self.lastEventOn = lastEventOn
    }
}

/// A service event as the planner sees it.
public struct PlanningEvent: Sendable {
    public var id: Int
    public var kind: String
    public var occurredOn: LocalDate
    public var attributes: [String: String]

    public init(id: Int, kind: String, occurredOn: LocalDate, attributes: [String: String] = [:]) {
        self.id = id
        self.kind = kind
        self.occurredOn = occurredOn
        self.attributes = attributes
    }
}

/// One reason to contact a customer: a rule and the occurrence that fired it.
/// `(ruleID, key)` is unique per customer, which is what makes planning idempotent.
public struct Occurrence: Hashable, Sendable {
    public var ruleID: Int
    /// Names the occurrence: `n` (new customer), `p2025-03-01` (periodic since that day), `e42` (event 42), `b2026` (birthday of 2026)…
    public var key: String
    /// The day the fact happened that started the clock (registration, event, last contact…).
    public var triggeredOn: LocalDate
    /// The first day the contact should happen.
    public var dueOn: LocalDate
    /// The last day it may happen.
    public var deadlineOn: LocalDate

    public init(ruleID: Int, key: String, triggeredOn: LocalDate, dueOn: LocalDate, deadlineOn: LocalDate) {
        self.ruleID = ruleID
        self.key = key
        self.triggeredOn = triggeredOn
        self.dueOn = dueOn
        self.deadlineOn = deadlineOn
    }
}

/// Turns rules and a customer's history into the occurrences that are actionable on a day.
public struct Planner: Sendable {
    public let rules: [FollowUpRule]
    public let calendar: BusinessCalendar

    public init(rules: [FollowUpRule], calendar: BusinessCalendar) {
        self.rules = rules.filter { $0.isEnabled && $0.kind != .triggered }
        self.calendar = calendar
    }

    /// Which events of each kind the day's rules can use: those that happened on some days, or whose
    /// date attribute falls on some days. Lets the server read only those, through indexes.
    public struct EventScope: Sendable, Equatable {
        public var days: [ClosedRange<LocalDate>] = []
        public var attributeDays: [String: [ClosedRange<LocalDate>]] = [:]
    }

    public func eventScopes(asOf: LocalDate) -> [String: EventScope] {
        var scopes: [String: EventScope] = [:]
        for rule in rules where !rule.eventKind.isEmpty {
            // Generous margins: working days are at most about twice calendar days plus the longest holiday run.
            let slack = rule.windowDays * 2 + 30
            var scope = scopes[rule.eventKind] ?? EventScope()
            switch rule.kind {
            case .afterEvent:
                let reach = (rule.countsWorkingDays ? rule.days * 2 + 20 : rule.days) + slack
                scope.days.append(asOf.adding(days: -reach)...asOf.adding(days: -rule.days))
            case .afterSales:
                var months = rule.firstMonths
                while months <= 12 * 30 {
                    let latest = asOf.adding(months: -months).adding(days: 3)
                    scope.days.append(latest.adding(days: -(slack + 6))...latest)
                    months += max(rule.everyMonths, 1)
                }
            case .expiryReminder:
                // Due from `days` before the date through the date itself.
                scope.attributeDays[rule.dateAttribute, default: []].append(asOf...asOf.adding(days: rule.days))
            default:
                break
            }
            scopes[rule.eventKind] = scope
        }
        return scopes
    }

    /// The event kinds whose attributes some rule reads (a date attribute or an attribute condition).
    public var kindsReadingAttributes: Set<String> {
        Set(
            rules.filter { !$0.eventKind.isEmpty && (!$0.dateAttribute.isEmpty || !$0.segment.eventAttributes.isEmpty) }
                .map(\.eventKind))
    }

    /// The last day of a window of `windowDays` working days after `dueOn` (on 0, the first working day from `dueOn`).
    public func deadline(dueOn: LocalDate, windowDays: Int) throws(CalendarRangeError) -> LocalDate {
        if windowDays > 0 { return try calendar.addWorkingDays(windowDays, after: dueOn) }
        return calendar.isWorkingDay(dueOn) ? dueOn : try calendar.addWorkingDays(1, after: dueOn)
    }

    /// The occurrences whose window contains `asOf`. Periodic and churn follow-ups stay owed until done:
    /// when their window has passed they are due again from `asOf`.
    public func occurrences(for customer: PlanningCustomer, events: [PlanningEvent], asOf: LocalDate) -> [Occurrence] {
        var found: [Occurrence] = []
        for rule in rules where rule.segment.admits(tier: customer.tier, tags: customer.tags) {
            func offer(
                _ key: String, triggeredOn: LocalDate, dueOn: LocalDate, owed: Bool = false, latest: LocalDate? = nil
            ) {
                guard dueOn <= asOf, let computed = try? deadline(dueOn: dueOn, windowDays: rule.windowDays) else {
                    return
                }
                var last = computed
                if let latest, latest < last { last = latest }
                if last >= asOf {
                    found.append(
                        Occurrence(ruleID: rule.id, key: key, triggeredOn: triggeredOn, dueOn: dueOn, deadlineOn: last))
                } else if owed, let again = try? deadline(dueOn: asOf, windowDays: rule.windowDays) {
                    found.append(
                        Occurrence(ruleID: rule.id, key: key, triggeredOn: triggeredOn, dueOn: asOf, deadlineOn: again))
                }
            }
            func matching() -> [PlanningEvent] {
                events.filter { $0.kind == rule.eventKind && rule.segment.admits(event: $0.attributes) }
            }
            switch rule.kind {
            case .newCustomer:
                if let registered = customer.registeredOn { offer("n", triggeredOn: registered, dueOn: registered) }
            case .periodic:
                guard let months = rule.monthsByTier[customer.tier],
                    let anchor = customer.lastCompletedOn ?? customer.registeredOn
                else { continue }
                offer("p" + anchor.iso, triggeredOn: anchor, dueOn: anchor.adding(months: months), owed: true)
            case .afterEvent:
                for event in matching() {
                    let due =
                        rule.countsWorkingDays
                        ? (try? calendar.addWorkingDays(rule.days, after: event.occurredOn))
                        : event.occurredOn.adding(days: rule.days)
                    if let due { offer("e\(event.id)", triggeredOn: event.occurredOn, dueOn: due) }
                }
            case .birthday:
                guard let birthday = customer.birthday else { continue }
                for year in [asOf.year, asOf.year + 1] {
                    let day =
                        LocalDate(year: year, month: birthday.month, day: birthday.day)
                        // 29 Feb in a common year
                        ?? LocalDate(year: year, month: birthday.month, day: birthday.day - 1)!
                    offer("b\(year)", triggeredOn: day, dueOn: day.adding(days: -rule.days), latest: day)
                }
            case .churn:
                guard let anchor = customer.lastEventOn ?? customer.registeredOn else { continue }
                offer("c" + anchor.iso, triggeredOn: anchor, dueOn: anchor.adding(days: rule.days), owed: true)
            case .expiryReminder:
                for event in matching() {
                    guard let raw = event.attributes[rule.dateAttribute], let expiry = LocalDate(parsing: raw) else {
                        continue
                    }
                    offer(
                        "x\(event.id):" + expiry.iso, triggeredOn: event.occurredOn,
                        dueOn: expiry.adding(days: -rule.days), latest: expiry)
                }
            case .afterSales:
                for event in matching() {
                    guard let raw = event.attributes[rule.dateAttribute], let end = LocalDate(parsing: raw) else {
                        continue
                    }
                    var latest = -1
                    while event.occurredOn.adding(months: rule.firstMonths + (latest + 1) * rule.everyMonths)
                        <= min(asOf, end)
                    {
                        latest += 1
                    }
                    if latest >= 0 {
                        let due = event.occurredOn.adding(months: rule.firstMonths + latest * rule.everyMonths)
                        offer("a\(event.id):\(latest)", triggeredOn: event.occurredOn, dueOn: due)
                    }
                }
            case .campaign:
                if let day = rule.campaignDate { offer("campaign", triggeredOn: day, dueOn: day) }
            case .triggered:
                continue
            }
        }
        return found
    }
}
