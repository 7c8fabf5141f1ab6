import Foundation

/// An open follow-up task of a customer, as the planner needs it to merge.
public struct OpenTask: Sendable {
    public var id: Int
    public var dueOn: LocalDate
    public var deadlineOn: LocalDate

    public init(id: Int, dueOn: LocalDate, deadlineOn: LocalDate) {
        self.id = id
        self.dueOn = dueOn
        self.deadlineOn = deadlineOn
    }
}

/// What one planning day does for one customer.
public enum TaskDecision: Equatable, Sendable {
    /// Nothing new is due.
    case nothing
    /// New reasons exist but the customer does not consent to follow-ups.
    case skippedNoConsent
    /// New reasons exist but the customer asked not to be disturbed.
    case skippedDoNotDisturb
    /// New reasons join an open task whose window they share.
    case merge(taskID: Int, reasons: [Occurrence], capped: Int)
    /// A new task with these reasons (the most urgent first).
    case create(reasons: [Occurrence], capped: Int)
    /// Every new reason waits for the contact cap.
    case capped(Int)
}

/// Deduplicates, filters and merges one customer's occurrences into at most one task.
public struct TaskDecider: Sendable {
    public let rules: [Int: FollowUpRule]
    /// No more than one follow-up per this many days (0: no cap); rules that bypass the cap are exempt.
    public let contactCapDays: Int

    public init(rules: [FollowUpRule], contactCapDays: Int) {
        self.rules = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.contactCapDays = contactCapDays
    }

    /// - Parameters:
    ///   - known: `"ruleID|key"` of every reason the customer already has, so re-planning a day adds nothing.
    ///   - open: the customer's open tasks.
    ///   - lastDueOn: the due day of the customer's latest task that was not cancelled.
    public func decide(
        customer: PlanningCustomer, occurrences: [Occurrence], known: Set<String>, open: [OpenTask],
        lastDueOn: LocalDate?, asOf: LocalDate
    ) -> TaskDecision {
        let fresh = occurrences.filter { !known.contains(Self.reasonKey(ruleID: $0.ruleID, key: $0.key)) }
        guard !fresh.isEmpty else { return .nothing }
        guard customer.consent else { return .skippedNoConsent }
        guard !customer.doNotDisturb else { return .skippedDoNotDisturb }
        let ordered = fresh.sorted(by: isMoreUrgent)
        // Reasons due within an open task's window are told on that call.
        if let task = open.first(where: { task in ordered.contains { $0.dueOn <= task.deadlineOn } }) {
            return .merge(taskID: task.id, reasons: ordered, capped: 0)
        }
        let capActive = contactCapDays > 0 && lastDueOn.map { asOf < $0.adding(days: contactCapDays) } == true
        let allowed = capActive ? ordered.filter { rules[$0.ruleID]?.bypassesContactCap == true } : ordered
        let capped = ordered.count - allowed.count
        return allowed.isEmpty ? .capped(capped) : .create(reasons: allowed, capped: capped)
    }

    /// Lower priority number first, then the earlier deadline, then the rule id (stable).
    public func isMoreUrgent(_ a: Occurrence, _ b: Occurrence) -> Bool {
        let pa = rules[a.ruleID]?.priority ?? 9
        let pb = rules[b.ruleID]?.priority ?? 9
        if pa != pb { return pa < pb }
        if a.deadlineOn != b.deadlineOn { return a.deadlineOn < b.deadlineOn }
        return (a.ruleID, a.key) < (b.ruleID, b.key)
    }

    public static func reasonKey(ruleID: Int, key: String) -> String { "\(ruleID)|\(key)" }

    /// The rules of a task's reasons, given in the order they were added, in the order its call takes them: the
    /// most urgent priority first and, among equals, the reason added first. A reason that joins an open task
    /// leads only when it is more urgent; the task asks the script and the survey of the first rule that has one.
    public func leading(_ ruleIDs: [Int]) -> [FollowUpRule] {
        ruleIDs.enumerated().compactMap { index, id in rules[id].map { (index, $0) } }
            .sorted { ($0.1.priority, $0.0) < ($1.1.priority, $1.0) }.map(\.1)
    }

    /// What a task told these reasons (in the order they were added) says and asks.
    public func lead(_ ruleIDs: [Int]) -> (priority: Int, script: String, surveyID: Int?) {
        let ordered = leading(ruleIDs)
        return (
            ordered.first?.priority ?? 9, ordered.lazy.map(\.script).first { !$0.isEmpty } ?? "",
            ordered.lazy.compactMap(\.surveyID).first
        )
    }
}

/// When a task is due and by when it must be done, as instants: the first contact slot on or after
/// the due day, and the end of the last contact window of the deadline day. When no slot lies between them
/// (a due day and deadline on days without contacts), the task is due at the start of the last window
/// before its deadline: never at the moment that window closes, when no call can be made.
public struct DueTimes: Equatable, Sendable {
    public var dueAt: Date
    public var deadlineAt: Date

    public init(dueAt: Date, deadlineAt: Date) {
        self.dueAt = dueAt
        self.deadlineAt = deadlineAt
    }

    public static func make(dueOn: LocalDate, deadlineOn: LocalDate, windows: ContactWindows) -> DueTimes {
        let calendar = windows.calendar
        let dayStart = calendar.instant(local: Int64(dueOn.dayNumber) * 86_400)
        let endOfDeadline = windows.ranges.last.map { Int64($0.end) } ?? 86_400
        let deadlineAt = calendar.instant(local: Int64(deadlineOn.dayNumber) * 86_400 + endOfDeadline)
        if let slot = windows.nextContactSlot(after: dayStart), slot < deadlineAt {
            return DueTimes(dueAt: slot, deadlineAt: deadlineAt)
        }
        let last = windows.lastWindowStart(before: deadlineAt) ?? dayStart
        return DueTimes(dueAt: min(last, deadlineAt), deadlineAt: deadlineAt)
    }
}
