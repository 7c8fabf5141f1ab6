import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// What one planning day did, shown after a run and kept with it.
package struct PlanSummary: Content, Equatable {
    var day: String
    package var customersScanned = 0
    package var tasksCreated = 0
    /// Reasons added to a task, new or open.
    package var reasonsAdded = 0
    /// New reasons that joined an open task in their window.
    package var merged = 0
    package var skippedDoNotDisturb = 0
    package var skippedNoConsent = 0
    /// Reasons left for later by the per-customer contact cap.
    package var capped = 0
    /// Open tasks whose window passed before this day.
    package var missed = 0
    var assigned = 0
    var unassigned = 0
    var seconds = 0.0
    /// Seconds spent per phase of the run (reading customers, events, tasks, reasons; deciding; writing).
    package var timings: [String: Double] = [:]

    init(day: String) { self.day = day }
}

/// The rules, calendar and windows one run plans with.
struct PlanningContext {
    let rules: [FollowUpRule]
    let calendar: BusinessCalendar
    let defaultWindows: [TimeRange]
    let windowsOnAllDays: Bool

    static func load(on db: any Database) async throws -> PlanningContext {
        try await load(rules: RuleRecord.query(on: db).all().map { try $0.rule() }, on: db)
    }

    /// A task's contact windows (`windows(_:)`), read without the rules: what recording an attempt needs.
    static func windows(_ ranges: [TimeRange], on db: any Database) async throws -> ContactWindows {
        try await load(rules: [], on: db).windows(ranges)
    }

    private static func load(rules: [FollowUpRule], on db: any Database) async throws -> PlanningContext {
        let contact = try await CalendarStore(db: db).defaultContact()
        return PlanningContext(
            rules: rules, calendar: contact.calendar, defaultWindows: contact.windows, windowsOnAllDays: contact.allDays
        )
    }

    /// The planner of these rules; dated follow-ups stay on a holiday only when customers are called on every day.
    var planner: Planner {
        Planner(rules: rules, calendar: calendar, contactsOnAllDays: windowsOnAllDays)
    }

    /// A rule's windows, or the calendar's when it names none.
    func windows(_ ranges: [TimeRange]) -> ContactWindows {
        ContactWindows(
            calendar: calendar, ranges: ranges.isEmpty ? defaultWindows : ranges, workingDaysOnly: !windowsOnAllDays)
    }
}

/// Runs the daily planner over every customer in batches: reads each batch's facts with a few
/// queries, decides in `HuifangCore`, and writes new tasks and reasons in one transaction per batch.
package struct PlanningService {
    let db: any Database
    let contactCapDays: Int
    var batchSize = 4000

    package init(db: any Database, contactCapDays: Int) {
        self.db = db
        self.contactCapDays = contactCapDays
    }

    // The batch rows read their columns directly: through SQLKit's `Codable` row decoder, decoding a million
    // customers' rows took most of an ordinary day's reading.
    fileprivate struct CustomerRow: Sendable {
        let id: Int
        let tier: String
        let birthday: String?
        let registered_on: String?
        let consent: Bool
        let do_not_disturb: Bool
        let last_event_on: String?

        init(_ row: any SQLRow) throws {
            (id, tier) = (try row.decode(column: "id"), try row.decode(column: "tier"))
            (birthday, registered_on) = (try row.optional("birthday"), try row.optional("registered_on"))
            (consent, do_not_disturb) = (try row.decode(column: "consent"), try row.decode(column: "do_not_disturb"))
            last_event_on = try row.optional("last_event_on")
        }
    }
    private struct EventRow: Decodable {
        let id: Int
        let customer_id: Int
        let occurred_on: String
        let attributes: String
    }
    private struct TagRow {
        let customer_id: Int
        let tag: String

        init(_ row: any SQLRow) throws {
            (customer_id, tag) = (try row.decode(column: "customer_id"), try row.decode(column: "tag"))
        }
    }
    private struct TaskRow {
        let id: Int
        let customer_id: Int
        let status: String
        let due_on: String
        let deadline_on: String
        let completed_on: String?

        init(_ row: any SQLRow) throws {
            (id, customer_id) = (try row.decode(column: "id"), try row.decode(column: "customer_id"))
            (status, due_on) = (try row.decode(column: "status"), try row.decode(column: "due_on"))
            deadline_on = try row.decode(column: "deadline_on")
            completed_on = try row.optional("completed_on")
        }
    }
    private struct ReasonRow {
        let customer_id: Int
        let reason: String

        init(_ row: any SQLRow) throws {
            (customer_id, reason) = (try row.decode(column: "customer_id"), try row.decode(column: "reason"))
        }
    }
    private struct CreatedRow: Decodable {
        let id: Int
        let customer_id: Int
    }

    /// Plans `asOf`: marks missed tasks, then adds what every rule makes due. Running it again adds nothing.
    package func plan(asOf: LocalDate) async throws -> PlanSummary {
        let started = Date()
        var summary = PlanSummary(day: asOf.iso)
        let context = try await PlanningContext.load(on: db)
        let planner = context.planner
        let decider = TaskDecider(rules: context.rules, contactCapDays: contactCapDays)
        let sql = db.sql

        let dayStart = context.calendar.instant(local: Int64(asOf.dayNumber) * 86_400)
        summary.missed = try await markMissed(
            before: dayStart, owedRules: context.rules.filter { $0.kind == .periodic || $0.kind == .churn }.map(\.id))

        let eventsStarted = Date()
        let events = try await relevantEvents(planner, asOf: asOf)
        summary.timings["readEvents"] = Date().timeIntervalSince(eventsStarted)
        let needsTags = planner.rules.contains { !$0.segment.tags.isEmpty }
        let capStart = asOf.adding(days: -max(contactCapDays, 1)).iso
        struct MaxID: Decodable { let id: Int? }
        let maxID = try await sql.raw("SELECT MAX(id) AS id FROM customers").first(decoding: MaxID.self)?.id ?? 0
        var mark = Date()
        func lap(_ phase: String) {
            let now = Date()
            summary.timings[phase, default: 0] += now.timeIntervalSince(mark)
            mark = now
        }
        // Batches are id ranges, so the next one is read while this one is decided and written.
        let service = self
        func read(_ low: Int) -> Task<Batch, any Error>? {
            guard low <= maxID else { return nil }
            return Task {
                try await service.readBatch(low...(low + batchSize - 1), tags: needsTags, capStart: capStart)
            }
        }
        var next = read(1)
        var low = 1
        // Writes are gathered over several batches: fewer, larger transactions (each commit may sync the disk).
        var writes = PendingWrites()
        while let pending = next {
            let batch = try await pending.value
            low += batchSize
            next = read(low)
            lap("read")
            decide(batch, events: events, planner: planner, decider: decider, asOf: asOf, into: &writes, &summary)
            lap("decide")
            if writes.count >= 5000 || next == nil, !writes.isEmpty {
                try await flush(&writes, asOf: asOf, context: context, decider: decider, &summary)
                lap("write")
            }
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// New tasks and reasons joining open tasks, decided but not yet written.
    private struct PendingWrites {
        var creates: [(customer: Int, reasons: [Occurrence])] = []
        var merges: [(task: Int, customer: Int, reasons: [Occurrence])] = []

        var count: Int { creates.count + merges.count }
        var isEmpty: Bool { creates.isEmpty && merges.isEmpty }
    }

    /// Decides what each customer of the batch is owed, gathering the writes and counting the rest.
    private func decide(
        _ batch: Batch, events: [Int: [PlanningEvent]], planner: Planner, decider: TaskDecider, asOf: LocalDate,
        into writes: inout PendingWrites, _ summary: inout PlanSummary
    ) {
        let customers = batch.customers
        let (tags, open, lastDue, lastCompleted, known) = (
            batch.tags, batch.open, batch.lastDue, batch.lastCompleted, batch.known
        )
        summary.customersScanned += customers.count
        for row in customers {
            let customer = PlanningCustomer(
                id: row.id, tier: row.tier, tags: tags[row.id] ?? [],
                birthday: row.birthday.flatMap(LocalDate.init(iso:)),
                registeredOn: row.registered_on.flatMap(LocalDate.init(iso:)), consent: row.consent,
                doNotDisturb: row.do_not_disturb,
                lastCompletedOn: lastCompleted[row.id], lastEventOn: row.last_event_on.flatMap(LocalDate.init(iso:))
            )
            let occurrences = planner.occurrences(for: customer, events: events[row.id] ?? [], asOf: asOf)
            guard !occurrences.isEmpty else { continue }
            switch decider.decide(
                customer: customer, occurrences: occurrences, known: known[row.id] ?? [], open: open[row.id] ?? [],
                lastDueOn: lastDue[row.id], asOf: asOf)
            {
            case .nothing: break
            case .skippedNoConsent: summary.skippedNoConsent += 1
            case .skippedDoNotDisturb: summary.skippedDoNotDisturb += 1
            case .capped(let count): summary.capped += count
            case .merge(let task, let reasons, let capped):
                writes.merges.append((task, row.id, reasons))
                summary.capped += capped
            case .create(let reasons, let capped):
                writes.creates.append((row.id, reasons))
                summary.capped += capped
            }
        }
    }

    /// Counts the gathered writes and writes them in one transaction, then empties them.
    private func flush(
        _ writes: inout PendingWrites, asOf: LocalDate, context: PlanningContext, decider: TaskDecider,
        _ summary: inout PlanSummary
    ) async throws {
        summary.tasksCreated += writes.creates.count
        summary.merged += writes.merges.reduce(0) { $0 + $1.reasons.count }
        summary.reasonsAdded +=
            writes.creates.reduce(0) { $0 + $1.reasons.count } + writes.merges.reduce(0) { $0 + $1.reasons.count }
        // A run whose lease was lost is cancelled by its heartbeat: it stops before writing more.
        try Task.checkCancellation()
        try await write(
            creates: writes.creates, merges: writes.merges, asOf: asOf, context: context, decider: decider)
        writes.creates.removeAll(keepingCapacity: true)
        writes.merges.removeAll(keepingCapacity: true)
    }

    /// One batch of customers with their tags, tasks and known reasons.
    struct Batch: Sendable {
        fileprivate var customers: [CustomerRow] = []
        var tags: [Int: [String]] = [:]
        var open: [Int: [OpenTask]] = [:]
        var lastDue: [Int: LocalDate] = [:]
        var lastCompleted: [Int: LocalDate] = [:]
        var known: [Int: Set<String>] = [:]
    }

    /// Reads a batch with its queries running side by side.
    func readBatch(_ ids: ClosedRange<Int>, tags needsTags: Bool, capStart: String) async throws -> Batch {
        let sql = db.sql
        let range = SQLRaw("BETWEEN \(ids.lowerBound) AND \(ids.upperBound)")
        async let customerRows = sql.raw(
            """
            SELECT id, tier, birthday, registered_on, consent, do_not_disturb, last_event_on FROM customers WHERE id \(range) ORDER BY id
            """
        ).all()
        async let taskRows = sql.raw(
            "SELECT id, customer_id, status, due_on, deadline_on, completed_on FROM follow_up_tasks WHERE customer_id \(range)"
        )
        .all()
        // The key is built by the database, in the form `TaskDecider.reasonKey` gives: two columns to decode, not three.
        async let reasonRows = sql.raw(
            "SELECT customer_id, rule_id || '|' || occurrence_key AS reason FROM follow_up_task_reasons WHERE customer_id \(range)"
        )
        .all()
        var batch = Batch()
        if needsTags {
            for row in try await sql.raw("SELECT customer_id, tag FROM customer_tags WHERE customer_id \(range)").all()
                .map(TagRow.init)
            {
                batch.tags[row.customer_id, default: []].append(row.tag)
            }
        }
        for row in try await taskRows.map(TaskRow.init) {
            guard let due = LocalDate(iso: row.due_on), let deadline = LocalDate(iso: row.deadline_on) else { continue }
            switch row.status {
            case FollowUpTask.Status.open.rawValue:
                batch.open[row.customer_id, default: []].append(OpenTask(id: row.id, dueOn: due, deadlineOn: deadline))
            case FollowUpTask.Status.completed.rawValue:
                if let done = row.completed_on.flatMap(LocalDate.init(iso:)),
                    batch.lastCompleted[row.customer_id].map({ $0 < done }) ?? true
                {
                    batch.lastCompleted[row.customer_id] = done
                }
            default: break
            }
            if row.status != FollowUpTask.Status.cancelled.rawValue, row.due_on >= capStart,
                batch.lastDue[row.customer_id].map({ $0 < due }) ?? true
            {
                batch.lastDue[row.customer_id] = due
            }
        }
        for row in try await reasonRows.map(ReasonRow.init) {
            batch.known[row.customer_id, default: []].insert(row.reason)
        }
        batch.customers = try await customerRows.map(CustomerRow.init)
        return batch
    }

    /// The events the day's rules can use, by customer: read once per run through the (kind, day)
    /// index, for the few date ranges each rule reaches (see `Planner.eventDays`).
    private func relevantEvents(_ planner: Planner, asOf: LocalDate) async throws -> [Int: [PlanningEvent]] {
        let sql = db.sql
        let attributeKinds = planner.kindsReadingAttributes
        var events: [Int: [PlanningEvent]] = [:]
        let isSQLite = sql.dialect.name == "sqlite"
        for (kind, scope) in planner.eventScopes(asOf: asOf).sorted(by: { $0.key < $1.key }) {
            var alternatives: [SQLQueryString] = scope.days.map {
                "occurred_on BETWEEN \(bind: $0.lowerBound.iso) AND \(bind: $0.upperBound.iso)"
            }
            for (attribute, ranges) in scope.attributeDays.sorted(by: { $0.key < $1.key }) {
                // Date attributes are stored as YYYY-MM-DD (the ingest normalises them), so text order is date order.
                let value: SQLQueryString =
                    isSQLite
                    ? "json_extract(attributes, \(bind: "$.\"" + attribute + "\""))"
                    : "(attributes::jsonb ->> \(bind: attribute))"
                alternatives += ranges.map {
                    value + " BETWEEN \(bind: $0.lowerBound.iso) AND \(bind: $0.upperBound.iso)"
                }
            }
            guard let firstAlternative = alternatives.first else { continue }
            let condition: SQLQueryString =
                "kind = \(bind: kind) AND (" + alternatives.dropFirst().reduce(firstAlternative) { $0 + " OR " + $1 }
                + ")"
            let readsAttributes = attributeKinds.contains(kind)
            let columns: SQLQueryString =
                readsAttributes
                ? "id, customer_id, occurred_on, attributes" : "id, customer_id, occurred_on, '{}' AS attributes"
            for row in try await sql.raw("SELECT " + columns + " FROM events WHERE " + condition).all(
                decoding: EventRow.self)
            {
                guard let day = LocalDate(iso: row.occurred_on) else { continue }
                let attributes = row.attributes == "{}" ? [:] : ServiceEvent.decode(row.attributes)
                events[row.customer_id, default: []].append(
                    PlanningEvent(id: row.id, kind: kind, occurredOn: day, attributes: attributes))
            }
        }
        return events
    }

    /// Open tasks whose deadline has passed become missed; they count against the completion rate.
    /// A periodic or churn follow-up stays owed: its missed reason is renamed (`key~task`), so the planner offers it again.
    func markMissed(before instant: Date, owedRules: [Int]) async throws -> Int {
        struct Count: Decodable { let count: Int }
        return try await db.bulkTransaction { db in
            let sql = db.sql
            let count =
                try await sql.raw(
                    "SELECT COUNT(*) AS count FROM follow_up_tasks WHERE status = 'open' AND deadline_at < \(bind: instant)"
                )
                .first(decoding: Count.self)?.count ?? 0
            guard count > 0 else { return 0 }
            if !owedRules.isEmpty {
                try await sql.raw(
                    """
                    UPDATE follow_up_task_reasons SET occurrence_key = occurrence_key || '~' || task_id
                    WHERE rule_id IN (\(binds: owedRules)) AND task_id IN
                      (SELECT id FROM follow_up_tasks WHERE status = 'open' AND deadline_at < \(bind: instant))
                    """
                ).run()
            }
            try await sql.raw(
                "UPDATE follow_up_tasks SET status = 'missed' WHERE status = 'open' AND deadline_at < \(bind: instant)"
            ).run()
            return count
        }
    }

    fileprivate func write(
        creates: [(customer: Int, reasons: [Occurrence])], merges: [(task: Int, customer: Int, reasons: [Occurrence])],
        asOf: LocalDate, context: PlanningContext, decider: TaskDecider
    ) async throws {
        try await db.bulkTransaction { db in
            let sql = db.sql
            var reasonRows: [(task: Int, customer: Int, reason: Occurrence)] = []
            var createdIDs: [Int] = []
            for chunk in creates.chunked(300) {
                let insert = sql.insert(into: FollowUpTask.schema).columns(
                    "customer_id", "status", "priority", "channel", "script", "required_skill", "max_attempts",
                    "attempts",
                    "contact_windows", "due_on", "deadline_on", "due_at", "deadline_at", "planned_on", "created_at")
                let now = Date()
                for (customer, reasons) in chunk {
                    let lead = decider.rules[reasons[0].ruleID]!
                    let dueOn = reasons.map(\.dueOn).min()!
                    let deadlineOn = reasons.map(\.deadlineOn).min()!
                    let times = DueTimes.make(
                        dueOn: dueOn, deadlineOn: deadlineOn, windows: context.windows(lead.contactWindows))
                    insert.values(
                        SQLBind(customer), SQLBind(FollowUpTask.Status.open.rawValue), SQLBind(lead.priority),
                        SQLBind(lead.channel.rawValue),
                        SQLBind(lead.script), SQLBind(lead.requiredSkill), SQLBind(lead.maxAttempts), SQLBind(0),
                        SQLBind(lead.contactWindows.map(\.description).joined(separator: ",")), SQLBind(dueOn.iso),
                        SQLBind(deadlineOn.iso), SQLBind(times.dueAt), SQLBind(times.deadlineAt), SQLBind(asOf.iso),
                        SQLBind(now))
                }
                let created = try await insert.returning("id", "customer_id").all(decoding: CreatedRow.self)
                createdIDs += created.map(\.id)
                let taskOf = Dictionary(
                    created.map { ($0.customer_id, $0.id) }, uniquingKeysWith: { first, _ in first })
                for (customer, reasons) in chunk {
                    for reason in reasons { reasonRows.append((taskOf[customer]!, customer, reason)) }
                }
            }
            for (task, customer, reasons) in merges {
                for reason in reasons { reasonRows.append((task, customer, reason)) }
            }
            try await lead(merges, decider: decider, on: sql)
            for chunk in reasonRows.chunked(500) {
                let insert = sql.insert(into: TaskReason.schema)
                    .columns(
                        "task_id", "customer_id", "rule_id", "occurrence_key", "triggered_on", "due_on", "deadline_on")
                for (task, customer, reason) in chunk {
                    insert.values(
                        SQLBind(task), SQLBind(customer), SQLBind(reason.ruleID), SQLBind(reason.key),
                        SQLBind(reason.triggeredOn.iso), SQLBind(reason.dueOn.iso), SQLBind(reason.deadlineOn.iso))
                }
                try await insert.run()
            }
            for chunk in createdIDs.sorted().chunked(1000) {  // `task.planned`: the batch's new tasks
                try await Webhooks(db: db).emit(.taskPlanned, at: Date(), WebhookData(tasks: Array(chunk)))
            }
        }
    }
}

extension PlanningService {
    /// A joining reason more urgent than its task leads it: the task takes its priority and its script (and so
    /// its survey, `TaskDecider.leading`). One statement per priority and script.
    fileprivate func lead(
        _ merges: [(task: Int, customer: Int, reasons: [Occurrence])], decider: TaskDecider, on sql: any SQLDatabase
    ) async throws {
        struct Lead: Hashable {
            let priority: Int
            let script: String
        }
        var raise: [Lead: [Int]] = [:]
        for (task, _, reasons) in merges {
            let lead = decider.lead(reasons.map(\.ruleID))
            raise[Lead(priority: lead.priority, script: lead.script), default: []].append(task)
        }
        for (lead, tasks) in raise {
            for chunk in tasks.chunked(500) {
                try await sql.raw(
                    """
                    UPDATE follow_up_tasks SET priority = \(bind: lead.priority),
                    script = CASE WHEN \(bind: lead.script) = '' THEN script ELSE \(bind: lead.script) END
                    WHERE id IN (\(binds: Array(chunk))) AND priority > \(bind: lead.priority)
                    """
                ).run()
            }
        }
    }

    /// Creates the task of a `triggered` rule for one customer now (e.g. a resolved complaint's verification call).
    /// `key` names the occurrence (a ticket number); triggering the same key again returns the same task.
    func trigger(ruleID: Int, customerID: Int, key: String, asOf: LocalDate) async throws -> Int {
        let context = try await PlanningContext.load(on: db)
        guard let rule = context.rules.first(where: { $0.id == ruleID }), rule.kind == .triggered, rule.isEnabled else {
            throw NamedFieldError(field: "rule", key: "rule.problem.notTriggered")
        }
        guard let customer = try await Customer.find(customerID, on: db) else {
            throw NamedFieldError(field: "customerID", key: "events.problem.unknownCustomer")
        }
        guard customer.consent, !customer.doNotDisturb else {
            throw NamedFieldError(field: "customerID", key: "rule.problem.doNotDisturb")
        }
        let trimmed = key.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 64 else {
            throw NamedFieldError(field: "key", key: "problem.required")
        }
        if let existing = try await TaskReason.query(on: db).filter(\.$customerID == customerID).filter(
            \.$ruleID == ruleID
        )
        .filter(\.$occurrenceKey == "t" + trimmed).first() {
            return existing.$task.id
        }
        let planner = context.planner
        let occurrence = Occurrence(
            ruleID: ruleID, key: "t" + trimmed, triggeredOn: asOf, dueOn: asOf,
            deadlineOn: try planner.deadline(dueOn: asOf, windowDays: rule.windowDays))
        let decider = TaskDecider(rules: context.rules, contactCapDays: 0)
        try await write(
            creates: [(customerID, [occurrence])], merges: [], asOf: asOf, context: context, decider: decider)
        guard
            let created = try await TaskReason.query(on: db).filter(\.$customerID == customerID).filter(
                \.$ruleID == ruleID
            )
            .filter(\.$occurrenceKey == occurrence.key).first()
        else { throw Abort(.internalServerError) }
        return created.$task.id
    }
}
