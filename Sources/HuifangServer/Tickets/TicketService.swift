import Fluent
import Foundation
import HuifangCore
import Vapor

/// A ticket as opened through the API (and later the call form).
struct TicketInput: Content {
    var kind: String
    var category: String?
    var severity: String?
    var urgent: Bool?
    /// followUp, call, survey or api (default).
    var source: String?
    var customerID: Int?
    var description: String
    /// The handler's username; the ticket starts assigned when given.
    var handler: String?
    /// The department (name or id) when no handler is named yet: its queue gets the ticket.
    var department: String?
}

/// An extension of a running deadline: a new time, why, and that the customer was told.
struct ExtensionInput: Content {
    /// firstResponse, resolution, inform or verification (default: the running one).
    var deadline: String?
    /// Local time, `YYYY-MM-DD HH:MM`.
    var until: String
    var reason: String
    var customerTold: Bool?
}

/// The resolution plan and compensation notes.
struct PlanInput: Content {
    var measures: String?
    var owner: String?
    /// `YYYY-MM-DD`.
    var due: String?
    var compensation: String?
}

/// Opens tickets and moves them through the state machine, writing each change to the timeline
/// in the same transaction. Deadlines come from the first matching policy and the business calendar.
struct TicketService {
    let db: any Database
    let config: HuifangConfig
    let actor: Actor
    var now: Date
    /// What the ticket's clock is computed with, kept across requests on PostgreSQL (`readClock`); nil: read each time.
    var keptClock: NoticedCopies<Int, ClockReads>? = nil

    static let sources = ["followUp", "call", "survey", "api", "desk"]

    private func settings() async throws -> TicketSettingsRecord { try await TicketSettingsRecord.load(on: db) }

    private func activeUser(named username: String) async throws -> User? {
        try await User.query(on: db).filter(\.$username == username.lowercased()).filter(\.$isActive == true).first()
    }

    /// Runs a lifecycle rule; a refusal becomes the field error it names, or a conflict with the ticket's state.
    static func ruled<T>(_ rule: () throws -> T) throws -> T {
        do {
            return try rule()
        } catch let refusal as TicketRefusal {
            if let field = refusal.field { throw NamedFieldError(field: field, key: refusal.key) }
            throw AppError(.conflict, refusal.key)
        }
    }

    /// A new ticket as checked: every field read, nothing written yet.
    private struct CheckedTicket {
        let kind: TicketKind
        let severity: Severity
        let category: String
        let source: String
        let description: String
        let customer: Customer?
        let handler: User?
        let department: Department?
        let settings: TicketSettings
    }

    /// What opening a ticket reads besides the people it names: the settings, the default calendar (computed from
    /// the cache) and the endpoints that take `ticket.opened`, in one statement, since every ticket asks.
    private func openingReads() async throws -> (TicketSettings, BusinessCalendar, [Webhooks.Subscriber]) {
        let (settings, calendar, endpoints) = try await clockReads(endpoints: true)
        return (settings, calendar, Webhooks.subscribers(of: .ticketOpened, aggregated: endpoints))
    }

    /// The settings and the default calendar a ticket's clock is computed with, read in one statement (every change
    /// to a ticket and every ticket opened asks), with the webhook endpoints when asked (`Webhooks.aggregated`). On
    /// PostgreSQL the read is kept while change notices vouch for it (`ChangeNotices.Topic.ticketClock`).
    private func clockReads(endpoints: Bool = false) async throws -> (TicketSettings, BusinessCalendar, String?) {
        let read =
            if let keptClock { try await keptClock.value(for: 0, on: db) { try await readClock() } } else {
                try await readClock()
            }
        guard let read else { throw Abort(.internalServerError, reason: "no default calendar") }
        return (read.settings, read.calendar, endpoints ? read.endpoints : nil)
    }

    /// The settings, the default calendar and the webhook endpoints, read in one statement.
    private func readClock() async throws -> ClockReads? {
        struct Row: Decodable {
            let id: UUID
            let updated_at: Date?
            let settings: String?
            let endpoints: String?
        }
        let row = try await db.sql.raw(
            """
            SELECT c.id, c.updated_at, (SELECT definition FROM ticket_settings WHERE id = 1) AS settings,
            \(Webhooks.aggregated) AS endpoints
            FROM calendars c WHERE c.is_default = \(bind: true) LIMIT 1
            """
        ).first(decoding: Row.self)
        guard let row else { return nil }
        let calendar = try await CalendarStore(db: db).defaultBusiness(id: row.id, updatedAt: row.updated_at)
        let settings = row.settings.map(TicketSettingsRecord.settings(of:)) ?? .defaults
        return ClockReads(settings: settings, calendar: calendar, endpoints: row.endpoints)
    }

    func open(_ input: TicketInput, callID: Int? = nil, taskID: Int? = nil) async throws -> Ticket {
        let (settings, calendar, listeners) = try await openingReads()
        let checked = try await check(input, settings: settings)
        let policy = settings.deadlinePolicies.policy(
            kind: checked.kind, severity: checked.severity, urgent: input.urgent ?? false,
            tier: checked.customer?.tier ?? "")
        let ticket = Ticket()
        ticket.kind = checked.kind
        ticket.category = checked.category
        ticket.severity = checked.severity
        ticket.urgent = input.urgent ?? false
        ticket.source = checked.source
        ticket.$customer.id = checked.customer?.id
        ticket.description = checked.description
        ticket.$handler.id = checked.handler?.id
        ticket.$department.id = checked.handler?.$department.id ?? checked.department?.id
        let opened = try TicketLifecycle.open(
            at: now, assigned: checked.handler != nil, policy: policy, calendar: calendar)
        (ticket.status, ticket.firstResponseDue, ticket.resolutionDue) =
            (opened.status, opened.firstResponseDue, opened.resolutionDue)
        ticket.reopenCount = 0
        ticket.policy = policy.name
        ticket.measures = ""
        ticket.planOwner = ""
        ticket.compensation = ""
        ticket.extensions = 0
        ticket.callID = callID
        ticket.taskID = taskID
        ticket.openedByID = actor.id
        ticket.updateListKey()
        let urgentComplaint = checked.kind == .complaint && ticket.urgent
        let supervisors = urgentComplaint ? try await Notifier.supervisors(on: db) : []
        let told = try await newTicketRecipients(ticket).filter { $0.id != actor.id }
        // Nobody to alert, tell or call back: the ticket, its clock and its line are all there is to write, one
        // statement on PostgreSQL (and a transaction of their own on SQLite) — no BEGIN and COMMIT to wait for.
        let alone = !urgentComplaint && told.isEmpty && listeners.isEmpty
        try await atomically(unless: alone) { db in
            // Endpoints read again in the transaction: one removed meanwhile must not be sent a delivery.
            try await insertOpened(
                ticket, settings: settings, calendar: calendar, note: checked.description,
                listeners: listeners.isEmpty ? [] : nil, on: db)
            if urgentComplaint {
                try await alert(supervisors, to: ticket, customerName: checked.customer?.name, on: db)
            }
            try await announce(ticket, to: told, on: db)
        }
        ticket.openedHere = true
        return ticket
    }

    /// Runs `body` in a transaction, or on its own when it writes one statement (`alone`).
    private func atomically(unless alone: Bool, _ body: @escaping @Sendable (any Database) async throws -> Void)
        async throws
    {
        if alone { return try await body(db) }
        try await db.transaction(body)
    }

    /// A new ticket reaches its department's handlers and its assignee (not whoever opened it), in the app and
    /// by email: the kind, category and first-response deadline — no customer data, which the ticket page shows.
    private func announce(_ ticket: Ticket, to users: [User], on db: any Database) async throws {
        guard !users.isEmpty else { return }
        let language = config.defaultLanguage
        let text = Catalogue.text(
            "ticket.newText", language,
            [
                "\(ticket.id!)", Catalogue.text("ticket.kind.\(ticket.kind.rawValue)", language), ticket.category,
                config.formatDateTime(ticket.firstResponseDue),
            ])
        try await notify(
            users, ticket, kind: "new", text: text,
            subject: Catalogue.text("ticket.newSubject", language, ["\(ticket.id!)"]), on: db)
    }

    /// Whom a new ticket is announced to: its department's handlers, then its assignee if not one of them (read
    /// before the ticket is written).
    private func newTicketRecipients(_ ticket: Ticket) async throws -> [User] {
        var users: [User] = []
        if let department = ticket.$department.id {
            users = try await User.query(on: db).filter(\.$department.$id == department).filter(\.$role == .handler)
                .filter(\.$isActive == true).sort(\.$username).all()
        }
        if let id = ticket.$handler.id, !users.contains(where: { $0.id == id }),
            let handler = try await User.find(id, on: db)
        {
            users.append(handler)
        }
        return users
    }

    /// In-app notifications (and email) about `ticket` to `users`, except the one acting.
    private func notify(
        _ users: [User], _ ticket: Ticket, kind: String, text: String, subject: String, on db: any Database
    ) async throws {
        let items = users.filter { $0.id != actor.id }.map {
            Notifier.Item(
                recipient: Recipient(id: $0.id!, name: $0.displayName, email: $0.email), ticketID: ticket.id,
                kind: kind, text: text, subject: subject)
        }
        try await Notifier.send(items, config: config, now: now, on: db)
    }

    /// An urgent complaint reaches the supervisors at once, not at the first breach (inside the opening's
    /// transaction).
    private func alert(_ supervisors: [Recipient], to ticket: Ticket, customerName: String?, on db: any Database)
        async throws
    {
        let language = config.defaultLanguage
        let customerName = customerName ?? Catalogue.text("ticket.urgentNoCustomer", language)
        let text = Catalogue.text(
            "ticket.urgentText", language,
            ["\(ticket.id!)", customerName, ticket.description, config.formatDateTime(ticket.firstResponseDue)])
        let subject = Catalogue.text("ticket.urgentSubject", language, ["\(ticket.id!)"])
        try await Notifier.send(
            supervisors.map {
                Notifier.Item(recipient: $0, ticketID: ticket.id, kind: "urgent", text: text, subject: subject)
            },
            config: config, now: now, on: db)
        try await record(
            ticket, action: "notify", old: nil, note: supervisors.map(\.name).joined(separator: "、"), on: db)
    }

    /// Reads and checks every field of a new ticket; all problems are named at once.
    private func check(_ input: TicketInput, settings: TicketSettings) async throws -> CheckedTicket {
        var errors: [NamedFieldError] = []
        let kind = TicketKind(rawValue: input.kind)
        if kind == nil { errors.append(.init(field: "kind", key: "ticket.problem.kind")) }
        let severity = Severity(rawValue: input.severity ?? "general")
        if severity == nil { errors.append(.init(field: "severity", key: "ticket.problem.severity")) }
        // Without a category: "other", or the first one when the settings have no "other".
        let category =
            input.category
            ?? (settings.categories.contains { $0.code == "other" }
                ? "other" : settings.categories.first?.code ?? "other")
        if !settings.categories.contains(where: { $0.code == category }) {
            errors.append(.init(field: "category", key: "ticket.problem.category"))
        }
        let source = input.source ?? "api"
        if !Self.sources.contains(source) { errors.append(.init(field: "source", key: "ticket.problem.source")) }
        let description = input.description.trimmingWhitespace()
        if description.isEmpty { errors.append(.init(field: "description", key: "problem.required")) }
        if TextLimit.exceeds(description, TextLimit.description) {
            errors.append(.tooLong("description", TextLimit.description))
        }
        var customer: Customer?
        if let id = input.customerID {
            customer = try await Customer.find(id, on: db).flatMap { $0.erasedAt == nil ? $0 : nil }  // erased: gone
            if customer == nil { errors.append(.init(field: "customerID", key: "events.problem.unknownCustomer")) }
        }
        var handler: User?
        if let name = input.handler {
            handler = try await activeUser(named: name)
            if handler == nil { errors.append(.init(field: "handler", key: "problem.unknownAgent")) }
        }
        let department = try await department(named: input.department, &errors)
        guard errors.isEmpty, let kind, let severity else { throw NamedFieldErrors(errors: errors) }
        return CheckedTicket(
            kind: kind, severity: severity, category: category, source: source, description: description,
            customer: customer, handler: handler, department: department, settings: settings)
    }

    /// The department named by id or name, if any was named.
    private func department(named key: String?, _ errors: inout [NamedFieldError]) async throws -> Department? {
        guard let key = key?.trimmingWhitespace(), !key.isEmpty else { return nil }
        let department: Department?
        if let id = UUID(uuidString: key) {
            department = try await Department.find(id, on: db)
        } else {
            department = try await Department.query(on: db).filter(\.$name == key).first()
        }
        if department == nil { errors.append(.init(field: "department", key: "problem.unknownDepartment")) }
        return department
    }

    /// Points the sweep at the ticket's next escalation moment for its running deadline, and lists at
    /// where the ticket now stands.
    func refreshClock(_ ticket: Ticket, settings: TicketSettings, calendar: BusinessCalendar) throws {
        ticket.updateListKey()
        let running = ticket.clock.running
        let reached = ticket.reachedLevel
        ticket.clockKeyChanged = running?.key != ticket.escalationKey || !ticket.clockLoaded
        if ticket.clockKeyChanged {
            ticket.escalationKey = running?.key
            ticket.escalationLevel = 0
        }
        ticket.nextEscalationAt = try settings.ladder.moment(of: reached + 1, for: running, calendar: calendar)?
            .timeIntervalSince1970
    }

    /// Sets the ticket's escalation clock and stores it, in the transaction that saves the ticket: the stored
    /// clock is read again under lock first (PostgreSQL: `FOR UPDATE`; SQLite: the transaction holds the write
    /// lock), so a level the sweep reached since the ticket was read is kept and the next moment follows it.
    /// (A new ticket's clock is written with it: `insertOpened`.)
    private func storeClock(
        _ ticket: Ticket, settings: TicketSettings, calendar: BusinessCalendar, on db: any Database
    ) async throws {
        try await TicketClocks.load(into: [ticket], on: db, locking: true)
        try refreshClock(ticket, settings: settings, calendar: calendar)
        try await TicketClocks.write(ticket, on: db)
        ticket.clockLoaded = true  // what is stored now: the answer need not read it back
    }

    /// Applies an action; refused changes say why. `note` is the explanation (adopt, decline) or the customer's words (reopen).
    /// `verifying`: the close comes from the verification follow-up itself, which is recorded on its task next.
    func act(
        _ ticket: Ticket, _ action: TicketAction, note: String = "", handler username: String? = nil,
        verifying: Bool = false
    ) async throws -> Ticket {
        let old = ticket.status
        // The state first (409), then what was written (422), then the new deadlines.
        _ = try Self.ruled { try ticket.lifecycle.allows(action, kind: ticket.kind) }
        let note = note.trimmingWhitespace()
        if TextLimit.exceeds(note, TextLimit.note) { throw NamedFieldError.tooLong("note", TextLimit.note) }
        if [.reopen, .adopt, .decline].contains(action), note.isEmpty {
            throw NamedFieldError(field: "note", key: "ticket.problem.noteRequired")
        }
        let (settings, calendar, _) = try await clockReads()
        let policy = settings.policy(named: ticket.policy)
        let next = try Self.ruled {
            try ticket.lifecycle.applying(action, kind: ticket.kind, at: now, policy: policy, calendar: calendar)
        }
        if action == .assign {
            guard let username, let handler = try await activeUser(named: username) else {
                throw NamedFieldError(field: "handler", key: "problem.unknownAgent")
            }
            ticket.$handler.id = handler.id
            ticket.$department.id = handler.$department.id ?? ticket.$department.id
        }
        ticket.lifecycle = next
        try await db.transaction { db in
            try await storeClock(ticket, settings: settings, calendar: calendar, on: db)
            try await ticket.update(on: db)
            try await record(ticket, action: action.rawValue, old: old, note: note, on: db)
            if action == .assign, let id = ticket.$handler.id, let handler = try await User.find(id, on: db) {
                let language = config.defaultLanguage
                try await notify(
                    [handler], ticket, kind: "assigned",
                    text: Catalogue.text("ticket.assignedText", language, ["\(ticket.id!)", actor.name]),
                    subject: Catalogue.text("ticket.assignedSubject", language, ["\(ticket.id!)"]), on: db)
            }
            if action == .close, !verifying { try await cancelVerification(of: ticket, note: note, on: db) }
        }
        if action == .resolve { try await createVerification(for: ticket) }
        return ticket
    }

    /// Waiting on the customer: stops the clock when the ticket's policy says so.
    func pause(_ ticket: Ticket, note: String) async throws -> Ticket {
        let (settings, calendar, _) = try await clockReads()
        ticket.lifecycle = try Self.ruled {
            try ticket.lifecycle.pausing(at: now, policy: settings.policy(named: ticket.policy))
        }
        try ticket.keepWorkingTimeLeft(at: now, calendar: calendar)
        if TextLimit.exceeds(note, TextLimit.note) { throw NamedFieldError.tooLong("note", TextLimit.note) }
        try await save(ticket, action: "pause", note: note.trimmingWhitespace(), clock: (settings, calendar))
        return ticket
    }

    /// The customer answered: the clock runs again, each deadline keeping the time it had left.
    func resume(_ ticket: Ticket, note: String) async throws -> Ticket {
        if TextLimit.exceeds(note, TextLimit.note) { throw NamedFieldError.tooLong("note", TextLimit.note) }
        let (settings, calendar, _) = try await clockReads()
        let policy = settings.policy(named: ticket.policy)
        let (resumed, pausedAt) = try Self.ruled {
            try ticket.lifecycle.resuming(at: now, policy: policy, calendar: calendar)
        }
        ticket.lifecycle = resumed
        let paused = config.formatDateTime(pausedAt) + " – " + config.formatDateTime(now)
        let said = [paused, note.trimmingWhitespace()].filter { !$0.isEmpty }.joined(separator: " ")
        try await save(ticket, action: "resume", note: said, clock: (settings, calendar))
        return ticket
    }

    /// Moves a deadline later. Needs a reason and that the customer was told; the timeline keeps old → new.
    func extend(_ ticket: Ticket, _ input: ExtensionInput) async throws -> Ticket {
        var errors: [NamedFieldError] = []
        let reason = input.reason.trimmingWhitespace()
        if reason.isEmpty { errors.append(.init(field: "reason", key: "ticket.problem.reasonRequired")) }
        if TextLimit.exceeds(reason, TextLimit.note) { errors.append(.tooLong("reason", TextLimit.note)) }
        if input.customerTold != true {
            errors.append(.init(field: "customerTold", key: "ticket.problem.customerTold"))
        }
        let running = ticket.clock.running
        let deadline = input.deadline.map { TicketDeadline(rawValue: $0) } ?? running?.deadline
        if deadline == nil { errors.append(.init(field: "deadline", key: "ticket.problem.deadline")) }
        let until = LocalTime.parse(input.until, in: config.timeZone)?.instant
        if until == nil { errors.append(.init(field: "until", key: "events.problem.invalidTime")) }
        guard errors.isEmpty, let deadline, let until else { throw NamedFieldErrors(errors: errors) }
        let (extended, current) = try Self.ruled { try ticket.lifecycle.extending(deadline, until: until, at: now) }
        ticket.lifecycle = extended
        let (settings, calendar, _) = try await clockReads()
        let clock = (settings, calendar)
        let deadlineName = Catalogue.text("ticket.deadline.\(deadline.rawValue)", config.defaultLanguage)
        let told = Catalogue.text("ticket.customerToldNote", config.defaultLanguage)
        let said =
            "\(deadlineName) \(config.formatDateTime(current)) → \(config.formatDateTime(until))；\(reason)；\(told)"
        try await save(ticket, action: "extend", note: said, clock: clock)
        return ticket
    }

    /// Records the resolution plan and compensation; the timeline keeps what was written.
    func plan(_ ticket: Ticket, _ input: PlanInput) async throws -> Ticket {
        var changes: [String] = []
        if let due = input.due?.trimmingWhitespace() {
            if due.isEmpty {
                ticket.planDue = nil
            } else {
                guard let day = LocalDate(parsing: due) else {
                    throw NamedFieldError(field: "due", key: "problem.invalidDate")
                }
                ticket.planDue = day.iso
            }
            changes.append("\(Catalogue.text("ticket.planDue", config.defaultLanguage))：\(ticket.planDue ?? "-")")
        }
        for (label, text, path) in [
            ("ticket.measures", input.measures, \Ticket.measures), ("ticket.planOwner", input.owner, \Ticket.planOwner),
            ("ticket.compensation", input.compensation, \Ticket.compensation),
        ] {
            guard let text = text?.trimmingWhitespace(), text != ticket[keyPath: path] else { continue }
            guard !TextLimit.exceeds(text, TextLimit.note) else {
                throw NamedFieldError.tooLong(String(label.dropFirst(7)), TextLimit.note)
            }
            ticket[keyPath: path] = text
            changes.append("\(Catalogue.text(label, config.defaultLanguage))：\(text)")
        }
        guard !changes.isEmpty else { return ticket }
        try await save(ticket, action: "plan", note: changes.joined(separator: "\n"))
        return ticket
    }

    /// The verification follow-up's outcome: satisfied closes the ticket (telling the customer if that
    /// was still owed); not satisfied re-opens it with the customer's words. Only the agent holding the
    /// verification task, or a supervisor or admin, may record it; the contact is recorded on that task
    /// like any follow-up (channel, outcome, who, when), so the customer counts as covered.
    func verify(
        _ ticket: Ticket, satisfied: Bool, words: String, channel: String? = nil,
        by viewer: Viewer
    ) async throws -> Ticket {
        guard [.resolved, .informed].contains(ticket.status) else {
            throw AppError(.conflict, "ticket.refuse.notResolved")
        }
        let task: FollowUpTask? =
            if let id = ticket.verificationTaskID { try await FollowUpTask.find(id, on: db) } else { nil }
        guard ObjectScope.mayVerify(verificationAgentID: task?.$assignedAgent.id, handlerID: ticket.$handler.id, viewer)
        else {
            throw AppError(.forbidden, "ticket.refuse.notVerifier")
        }
        guard let contact = ContactChannel(rawValue: channel ?? task?.channel ?? ContactChannel.phone.rawValue) else {
            throw NamedFieldError(field: "channel", key: "rule.problem.channel")
        }
        // The ticket's steps and the contact record in one transaction: a crash leaves both or neither.
        return try await db.transaction { db in
            let service = TicketService(db: db, config: config, actor: actor, now: now, keptClock: keptClock)
            var ticket = ticket
            if satisfied {
                if ticket.status == .resolved { ticket = try await service.act(ticket, .inform, note: words) }
                ticket.customerSatisfied = true
                let note = words.isEmpty ? Catalogue.text("ticket.satisfied", config.defaultLanguage) : words
                ticket = try await service.act(ticket, .close, note: note, verifying: true)
            } else {
                ticket = try await service.act(ticket, .reopen, note: words)
            }
            if let task, task.status == .open {
                try await service.recordVerification(on: task, ticket: ticket, channel: contact, words: words)
            }
            return ticket
        }
    }

    /// A ticket closed without its verification follow-up (处理后回访) ends that follow-up as cancelled — nobody
    /// calls the customer about a closed ticket — and says so on the timeline with the reason. A cancelled task
    /// counts in no figure (like one never planned).
    private func cancelVerification(of ticket: Ticket, note: String, on db: any Database) async throws {
        guard let taskID = ticket.verificationTaskID else { return }
        let cancelled = try await db.sql.raw(
            """
            UPDATE follow_up_tasks SET status = 'cancelled', callback_at = NULL
            WHERE id = \(bind: taskID) AND status = 'open' RETURNING id
            """
        ).all()
        guard !cancelled.isEmpty else { return }
        let reason =
            note.isEmpty ? Catalogue.text("ticket.verificationCancelled.noReason", config.defaultLanguage) : note
        try await record(
            ticket, action: "verificationCancelled", old: nil,
            note: Catalogue.text("ticket.verificationCancelled", config.defaultLanguage, [String(taskID), reason]),
            on: db)
    }

    /// The verification contact as a follow-up record, and its task completed (inside the caller's transaction).
    private func recordVerification(
        on task: FollowUpTask, ticket: Ticket, channel: ContactChannel,
        words: String
    ) async throws {
        let record = FollowUpRecord.reached(
            task: task, agentID: actor.id, agentName: actor.name, source: "agent",
            channel: channel.rawValue, at: now, notes: words)
        record.ticketID = ticket.id
        try await RecordService(db: db, config: config, actor: actor, now: now)
            .write(record, flags: ContactOutcome.reached.flags, result: .completed, answers: [], task: task, on: db)
    }

    /// Saves the ticket and its timeline line; with `clock`, its escalation clock too (its deadlines changed).
    private func save(
        _ ticket: Ticket, action: String, note: String,
        clock: (TicketSettings, BusinessCalendar)? = nil
    ) async throws {
        try await db.transaction { db in
            if let (settings, calendar) = clock {
                try await storeClock(ticket, settings: settings, calendar: calendar, on: db)
            }
            try await ticket.update(on: db)
            try await record(ticket, action: action, old: nil, note: note, on: db)
        }
    }

    /// The verification follow-up (处理后回访) through the planner's triggered rule; a customer who does not
    /// consent or asked not to be disturbed gets none, and the timeline says so.
    private func createVerification(for ticket: Ticket) async throws {
        guard let customerID = ticket.$customer.id,
            let ruleID = try await settings().verificationRuleID
        else { return }
        do {
            let task = try await PlanningService(db: db, contactCapDays: config.contactCapDays)
                .trigger(
                    ruleID: ruleID, customerID: customerID, key: "T\(ticket.id!)-\(ticket.reopenCount)",
                    asOf: config.today(now: now))
            ticket.verificationTaskID = task
            try await ticket.update(on: db)
            try await record(ticket, action: "verification", old: nil, note: "#\(task)", on: db)
        } catch let error as NamedFieldError {
            try await record(
                ticket, action: "verification", old: nil, note: Catalogue.text(error.key, config.defaultLanguage),
                on: db)
        }
    }

    /// Writes a new ticket, its escalation clock and its opening line (one statement on PostgreSQL), and announces
    /// the opening to webhooks (`listeners` when they were read already).
    private func insertOpened(
        _ ticket: Ticket, settings: TicketSettings, calendar: BusinessCalendar, note: String,
        listeners: [Webhooks.Subscriber]?, on db: any Database
    ) async throws {
        try refreshClock(ticket, settings: settings, calendar: calendar)
        let entry = line(ticket, action: "open", old: nil, note: note)
        try await OpenedTicketInsert(ticket: ticket, line: entry).run(on: db)
        ticket.clockLoaded = true  // what is stored now: the answer need not read it back
        try await lineWritten(entry, of: ticket, listeners: listeners, on: db)
    }

    private func record(_ ticket: Ticket, action: String, old: TicketStatus?, note: String, on db: any Database)
        async throws
    {
        let entry = line(ticket, action: action, old: old, note: note)
        try await entry.insert(on: db)
        try await lineWritten(entry, of: ticket, on: db)
    }

    /// A timeline line of `ticket`, not yet written.
    private func line(_ ticket: Ticket, action: String, old: TicketStatus?, note: String) -> TicketEntry {
        let entry = TicketEntry()
        if let id = ticket.id { entry.$ticket.id = id }  // a new ticket's opening line gets it with the ticket
        entry.at = now
        entry.actorID = actor.id
        entry.actorName = actor.name
        entry.action = action
        entry.oldStatus = old?.rawValue
        entry.newStatus = old == nil && action != "open" ? nil : ticket.status.rawValue
        entry.note = note
        return entry
    }

    /// A line written: the ticket holds it for the answer, and webhooks hear of the step it records (`listeners`
    /// when they were read already).
    private func lineWritten(
        _ entry: TicketEntry, of ticket: Ticket, listeners: [Webhooks.Subscriber]? = nil, on db: any Database
    ) async throws {
        ticket.linesWritten.append(entry)
        if let type = Self.webhookEvent(action: entry.action, status: ticket.status) {
            try await Webhooks(db: db).emit(
                type, customerID: ticket.$customer.id, at: now,
                WebhookData(ticket: Webhooks.part(ticket, config: config)), to: listeners)
        }
    }

    /// The webhook event of a timeline line: opened, closed (finished by this step), changed; none for the
    /// notifications and verification lines, which follow a step already announced.
    static func webhookEvent(action: String, status: TicketStatus) -> WebhookEventType? {
        switch action {
        case "open": .ticketOpened
        case "notify", "verification": nil
        default: status.isFinished ? .ticketClosed : .ticketChanged
        }
    }
}

/// What opening or changing a ticket reads besides the ticket: the settings, the default calendar and the webhook
/// endpoints (`Webhooks.aggregated`).
struct ClockReads: Sendable {
    let settings: TicketSettings
    let calendar: BusinessCalendar
    let endpoints: String?
}
