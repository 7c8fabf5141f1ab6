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
    /// Whether customers may be contacted on every day (the calendar's contact windows hold on holidays too).
    public let contactsOnAllDays: Bool

    public init(rules: [FollowUpRule], calendar: BusinessCalendar, contactsOnAllDays: Bool = false) {
        self.rules = rules.filter { $0.isEnabled && $0.kind != .triggered }
        self.calendar = calendar
        self.contactsOnAllDays = contactsOnAllDays
    }

    /// The day a dated follow-up (a birthday, an expiry) is aimed at: the date itself when customers may be
    /// contacted on it, else the working day before it, or after it when the rule says so.
    public func contactDay(for date: LocalDate, shift: HolidayShift) -> LocalDate {
        guard !contactsOnAllDays, !calendar.isWorkingDay(date) else { return date }
        return (try? calendar.addWorkingDays(shift == .after ? 1 : -1, after: date)) ?? date
    }

    /// The dates whose contact day lies from `first` through `last`: a date on a day without contacts is aimed at
    /// the working day before it (or after it), so the range reaches over the run of days off next to it.
    func datesAimed(from first: LocalDate, through last: LocalDate, shift: HolidayShift) -> ClosedRange<LocalDate> {
        guard !contactsOnAllDays else { return first...last }
        switch shift {
        case .before:
            let next = (try? calendar.addWorkingDays(1, after: last)) ?? last.adding(days: 1)
            return first...max(last, next.adding(days: -1))
        case .after:
            let previous = (try? calendar.addWorkingDays(-1, after: first)) ?? first.adding(days: -1)
            return min(first, previous.adding(days: 1))...last
        }
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
                // Due from `days` before the date (or the working day it moves to) through that day.
                scope.attributeDays[rule.dateAttribute, default: []].append(
                    datesAimed(from: asOf, through: asOf.adding(days: rule.days), shift: rule.holidayShift))
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
            for candidate in candidates(of: rule, for: customer, events: events, asOf: asOf) {
                if let occurrence = occurrence(candidate, of: rule, asOf: asOf) { found.append(occurrence) }
            }
        }
        return found
    }

    /// A day a rule names for a customer, before its window is checked against the day planned.
    private struct Candidate {
        let key: String
        let triggeredOn: LocalDate
        let dueOn: LocalDate
        /// Due again from the day planned when its window has passed (periodic and churn follow-ups).
        var owed = false
        /// A day the window may not run past (the contact day of a birthday or an expiry date).
        var latest: LocalDate? = nil
    }

    /// The candidate as an occurrence when it is due by `asOf` and its window contains `asOf`; when the window
    /// has passed, an owed candidate is due again from `asOf`.
    private func occurrence(_ candidate: Candidate, of rule: FollowUpRule, asOf: LocalDate) -> Occurrence? {
        guard candidate.dueOn <= asOf, let computed = try? deadline(dueOn: candidate.dueOn, windowDays: rule.windowDays)
        else {
            return nil
        }
        var last = computed
        if let latest = candidate.latest, latest < last { last = latest }
        if last >= asOf {
            return Occurrence(
                ruleID: rule.id, key: candidate.key, triggeredOn: candidate.triggeredOn, dueOn: candidate.dueOn,
                deadlineOn: last)
        } else if candidate.owed, let again = try? deadline(dueOn: asOf, windowDays: rule.windowDays) {
            return Occurrence(
                ruleID: rule.id, key: candidate.key, triggeredOn: candidate.triggeredOn, dueOn: asOf, deadlineOn: again)
        }
        return nil
    }

    /// What the rule's kind makes of the customer's history: each fact that fires it, and from when it is due.
    private func candidates(
        of rule: FollowUpRule, for customer: PlanningCustomer, events: [PlanningEvent], asOf: LocalDate
    ) -> [Candidate] {
        switch rule.kind {
        case .newCustomer:
            guard let registered = customer.registeredOn else { return [] }
            return [Candidate(key: "n", triggeredOn: registered, dueOn: registered)]
        case .periodic:
            guard let months = rule.monthsByTier[customer.tier],
                let anchor = customer.lastCompletedOn ?? customer.registeredOn
            else { return [] }
            return [
                Candidate(key: "p" + anchor.iso, triggeredOn: anchor, dueOn: anchor.adding(months: months), owed: true)
            ]
        case .birthday:
            guard let birthday = customer.birthday else { return [] }
            // Last year's too: a birthday at the turn of the year may move into this one.
            return [asOf.year - 1, asOf.year, asOf.year + 1].map { year in
                let day =
                    LocalDate(year: year, month: birthday.month, day: birthday.day)
                    // 29 Feb in a common year
                    ?? LocalDate(year: year, month: birthday.month, day: birthday.day - 1)!
                let aimed = contactDay(for: day, shift: rule.holidayShift)
                return Candidate(
                    key: "b\(year)", triggeredOn: day, dueOn: aimed.adding(days: -rule.days), latest: aimed)
            }
        case .churn:
            guard let anchor = customer.lastEventOn ?? customer.registeredOn else { return [] }
            return [
                Candidate(key: "c" + anchor.iso, triggeredOn: anchor, dueOn: anchor.adding(days: rule.days), owed: true)
            ]
        case .afterEvent, .expiryReminder, .afterSales:
            return events.filter { $0.kind == rule.eventKind && rule.segment.admits(event: $0.attributes) }
                .compactMap { candidate(from: $0, of: rule, asOf: asOf) }
        case .campaign:
            guard let day = rule.campaignDate else { return [] }
            return [Candidate(key: "campaign", triggeredOn: day, dueOn: day)]
        case .triggered:
            return []
        }
    }

    /// What one matching event makes of an event rule: due some days after it, before the date one of its
    /// attributes names, or at the latest after-sales visit up to that date.
    private func candidate(from event: PlanningEvent, of rule: FollowUpRule, asOf: LocalDate) -> Candidate? {
        switch rule.kind {
        case .afterEvent:
            let due =
                rule.countsWorkingDays
                ? (try? calendar.addWorkingDays(rule.days, after: event.occurredOn))
                : event.occurredOn.adding(days: rule.days)
            guard let due else { return nil }
            return Candidate(key: "e\(event.id)", triggeredOn: event.occurredOn, dueOn: due)
        case .expiryReminder:
            guard let raw = event.attributes[rule.dateAttribute], let expiry = LocalDate(parsing: raw) else {
                return nil
            }
            let aimed = contactDay(for: expiry, shift: rule.holidayShift)
            return Candidate(
                key: "x\(event.id):" + expiry.iso, triggeredOn: event.occurredOn,
                dueOn: aimed.adding(days: -rule.days), latest: aimed)
        case .afterSales:
            guard let raw = event.attributes[rule.dateAttribute], let end = LocalDate(parsing: raw) else {
                return nil
            }
            var latest = -1
            while event.occurredOn.adding(months: rule.firstMonths + (latest + 1) * rule.everyMonths)
                <= min(asOf, end)
            {
                latest += 1
            }
            guard latest >= 0 else { return nil }
            let due = event.occurredOn.adding(months: rule.firstMonths + latest * rule.everyMonths)
            return Candidate(key: "a\(event.id):\(latest)", triggeredOn: event.occurredOn, dueOn: due)
        default:
            return nil
        }
    }
}
