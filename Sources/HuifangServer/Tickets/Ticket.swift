import Fluent
import Foundation
import HuifangCore

/// A problem, complaint or suggestion (工单), handled to its deadlines until the customer is satisfied.
final class Ticket: Model, @unchecked Sendable {
    static let schema = "tickets"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: TicketKind
    @Field(key: "category") var category: String
    @Field(key: "severity") var severity: Severity
    @Field(key: "urgent") var urgent: Bool
    /// followUp, call, survey or api.
    @Field(key: "source") var source: String
    @OptionalParent(key: "customer_id") var customer: Customer?
    @Field(key: "description") var description: String
    @OptionalParent(key: "department_id") var department: Department?
    @OptionalParent(key: "handler_id") var handler: User?
    @Field(key: "status") var status: TicketStatus
    @Field(key: "reopen_count") var reopenCount: Int
    /// The deadline policy that matched when the ticket was opened.
    @Field(key: "policy") var policy: String
    @Field(key: "first_response_due") var firstResponseDue: Date
    @Field(key: "resolution_due") var resolutionDue: Date
    @OptionalField(key: "inform_due") var informDue: Date?
    @OptionalField(key: "verification_due") var verificationDue: Date?
    @OptionalField(key: "first_response_at") var firstResponseAt: Date?
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "verification_task_id") var verificationTaskID: Int?
    /// The follow-up task the ticket was opened from.
    @OptionalField(key: "task_id") var taskID: Int?
    /// The resolution plan: measures, who carries them out, by when (YYYY-MM-DD).
    @Field(key: "measures") var measures: String
    @Field(key: "plan_owner") var planOwner: String
    @OptionalField(key: "plan_due") var planDue: String?
    @Field(key: "compensation") var compensation: String
    @OptionalField(key: "informed_at") var informedAt: Date?
    /// Set while waiting on the customer stops the clock.
    @OptionalField(key: "paused_at") var pausedAt: Date?
    @Field(key: "extensions") var extensions: Int
    @OptionalField(key: "call_id") var callID: Int?
    /// True when the customer said so at the verification follow-up that closed it (complaint success rate).
    @OptionalField(key: "customer_satisfied") var customerSatisfied: Bool?
    /// Who opened the ticket (an agent sees the tickets they opened).
    @OptionalField(key: "opened_by_id") var openedByID: UUID?
    /// The working seconds the running deadline had left when the clock stopped (negative: overdue by).
    @OptionalField(key: "paused_left") var pausedLeft: Int64?
    /// Where the ticket stands in lists (`TicketListKey`); lists are ordered and paged by these and the id.
    @Field(key: "list_rank") var listRank: Int
    @Field(key: "list_urgency") var listUrgency: Double
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // The escalation clock, kept in `ticket_clocks` and not read with the ticket: `TicketClocks.load` reads it,
    // `TicketService.refreshClock` sets it, `TicketClocks.write` stores it.
    /// The breach the escalation level refers to (`RunningDeadline.key`), and the level reached.
    var escalationKey: String?
    var escalationLevel = 0
    /// When the sweep must next look at the ticket (seconds since 1970); nil when nothing can fall due.
    var nextEscalationAt: Double?
    /// The clock above was read from the database (or set for a new ticket).
    var clockLoaded = false
    /// `refreshClock` moved the clock to another breach, which starts again at level 0.
    var clockKeyChanged = false
    /// The timeline lines written through this object (`TicketService.record`), in order. For a ticket opened
    /// through it (`openedHere`) they are its whole timeline, which its answer then shows without reading it back.
    var linesWritten: [TicketEntry] = []
    var openedHere = false

    init() {}

    /// Keeps the list key in step with the clock; every change of status, deadline or pause calls it.
    func updateListKey() {
        if pausedAt == nil { pausedLeft = nil }
        let key = TicketListKey.make(clock, pausedLeft: pausedLeft)
        listRank = key.rank
        listUrgency = key.urgency
    }

    /// As the clock stops at `moment`: keeps the working time its running deadline has left then.
    func keepWorkingTimeLeft(at moment: Date, calendar: BusinessCalendar) throws {
        var clock = self.clock
        clock.pausedAt = nil
        pausedLeft = try clock.running.map {
            try TicketListKey.workingLeft(until: $0.due, at: moment, calendar: calendar)
        }
        updateListKey()
    }

    /// The escalation level of the breach now running (0 when it has not been escalated).
    var reachedLevel: Int {
        RunningDeadline.levelReached(by: clock.running, storedKey: escalationKey, storedLevel: escalationLevel)
    }

    var clock: TicketClock {
        TicketClockColumns(
            status: status, first_response_at: firstResponseAt, first_response_due: firstResponseDue,
            resolution_due: resolutionDue, inform_due: informDue, verification_due: verificationDue,
            paused_at: pausedAt
        ).clock
    }

    private func assign<Value: Equatable>(_ field: ReferenceWritableKeyPath<Ticket, Value>, _ value: Value) {
        if self[keyPath: field] != value { self[keyPath: field] = value }
    }

    /// The ticket's lifecycle for the rules (`TicketLifecycle`), and back: the one mapping between the row and them.
    var lifecycle: TicketLifecycle {
        get {
            TicketLifecycle(
                status: status, firstResponseDue: firstResponseDue, resolutionDue: resolutionDue,
                informDue: informDue, verificationDue: verificationDue, firstResponseAt: firstResponseAt,
                resolvedAt: resolvedAt, informedAt: informedAt, closedAt: closedAt, pausedAt: pausedAt,
                reopenCount: reopenCount, extensions: extensions, customerSatisfied: customerSatisfied)
        }
        set {
            // Only what changed: an unchanged field left out of the UPDATE cannot overwrite another request's
            // change to it (Fluent writes every field that was assigned).
            assign(\.status, newValue.status)
            assign(\.firstResponseDue, newValue.firstResponseDue)
            assign(\.resolutionDue, newValue.resolutionDue)
            assign(\.informDue, newValue.informDue)
            assign(\.verificationDue, newValue.verificationDue)
            assign(\.firstResponseAt, newValue.firstResponseAt)
            assign(\.resolvedAt, newValue.resolvedAt)
            assign(\.informedAt, newValue.informedAt)
            assign(\.closedAt, newValue.closedAt)
            assign(\.pausedAt, newValue.pausedAt)
            assign(\.reopenCount, newValue.reopenCount)
            assign(\.extensions, newValue.extensions)
            assign(\.customerSatisfied, newValue.customerSatisfied)
        }
    }
}

/// The columns a ticket's clock is made of — the one place a stored ticket becomes a `TicketClock`. The model
/// hands its fields over (`Ticket.clock`); the escalation sweep, which reads tickets without loading the model
/// (1,000 at a time), decodes them from its row (`columns`). What the clock means is `HuifangCore`'s.
struct TicketClockColumns: Decodable {
    /// The columns to select, each prefixed with `alias.`.
    static func columns(_ alias: String) -> String {
        [
            "status", "first_response_at", "first_response_due", "resolution_due", "inform_due", "verification_due",
            "paused_at",
        ].map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    let status: TicketStatus
    let first_response_at: Date?
    let first_response_due: Date
    let resolution_due: Date
    let inform_due: Date?
    let verification_due: Date?
    let paused_at: Date?

    var clock: TicketClock {
        TicketClock(
            status: status, firstResponseAt: first_response_at, firstResponseDue: first_response_due,
            resolutionDue: resolution_due, informDue: inform_due, verificationDue: verification_due,
            pausedAt: paused_at)
    }
}

/// One line of a ticket's timeline (append-only): who did what, when, old → new status, and what was said.
final class TicketEntry: Model, @unchecked Sendable {
    static let schema = "ticket_entries"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "ticket_id") var ticket: Ticket
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "action") var action: String
    @OptionalField(key: "old_status") var oldStatus: String?
    @OptionalField(key: "new_status") var newStatus: String?
    @Field(key: "note") var note: String

    init() {}
}
