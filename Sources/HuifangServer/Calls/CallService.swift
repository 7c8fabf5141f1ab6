import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// An inbound call as the form or the API gives it.
struct CallInput: Content {
    /// The caller's number, as heard or shown.
    var phone: String
    /// The caller's name, to create a customer when the number finds none.
    var name: String?
    /// `YYYY-MM-DD HH:MM`; default now. Stamped to the minute either way.
    var at: String?
    /// What the call is about: the code of an offered call matter (`GET /api/v1/call-matters`).
    var matter: String
    var summary: String
    /// answered, promised or ticket.
    var handling: String
    /// The knowledge-base article the answer came from.
    var articleID: Int?
    /// For `promised`: the reply is due by this local time, `YYYY-MM-DD HH:MM`.
    var promisedBy: String?
    /// For `ticket`: the ticket's category code; by default the matter's code when it is a category, else `other`.
    var category: String?
    /// For `ticket`.
    var ticketKind: String?
    var severity: String?
    var urgent: Bool?
    var department: String?
    var handler: String?
    var recordingConsent: Bool?
    /// The phone system's call this logs (`phone_calls`; the form opened from a ringing call's pop-up has it): it must
    /// have rung at the agent's extension.
    var phoneCallID: Int? = nil
}

/// What a logged call produced.
struct CallOutcome: Content {
    let callID: Int
    let customerID: Int?
    let customerCreated: Bool
    let callbackTaskID: Int?
    let ticketID: Int?
}

/// Takes inbound calls: finds the caller (or creates them in two fields), stamps the time to the minute,
/// and hands the matter on — answered, a promised callback task, or a ticket.
struct CallService {
    var db: any Database
    let config: HuifangConfig
    let actor: Actor
    let agent: User
    var now: Date

    /// The customers with this number (normally one).
    static func customers(withPhone raw: String, on db: any Database) async throws -> [Customer] {
        guard let phone = try? PhoneNumber(parsing: raw) else { return [] }
        return try await Customer.query(on: db).filter(\.$mobile == phone.e164).limit(5).all()
    }

    /// A call as checked: every field read, nothing written yet.
    private struct CheckedCall {
        let phone: PhoneNumber
        let handling: InboundCall.Handling
        let at: Date
        let summary: String
        let name: String
        let article: KnowledgeArticle?
        let promisedBy: Date?
        let existing: [Customer]
        let callbackRuleID: Int?
        /// The ticket's category, for `ticket`.
        let category: String
        let phoneCall: PhoneCall?
    }

    /// All or nothing: a refusal on the way (the ticket's handler, a callback no rule can plan) or a crash leaves
    /// neither the call nor a customer created for it, so saving again logs the call once.
    func log(_ input: CallInput) async throws -> CallOutcome {
        let checked = try await check(input)
        return try await db.transaction { db in
            var service = self
            service.db = db
            return try await service.write(checked, input)
        }
    }

    private func write(_ checked: CheckedCall, _ input: CallInput) async throws -> CallOutcome {
        var customer = checked.existing.first
        var created = false
        if customer == nil {
            let tier = try await Tier.names(on: db).first ?? "普通"
            customer = try await CustomerStore(db: db, now: now).create(
                CustomerRecord(name: checked.name, mobile: checked.phone, tier: tier), by: actor, how: .call)
            created = true
        }
        let call = InboundCall()
        call.at = checked.at
        call.$agent.id = agent.id
        call.agentName = agent.displayName
        call.$customer.id = customer?.id
        call.phone = checked.phone.e164
        call.matter = input.matter
        call.summary = checked.summary
        call.handling = checked.handling
        call.$article.id = checked.article?.id
        call.promisedBy = checked.promisedBy
        call.recordingConsent = input.recordingConsent ?? false
        call.phoneCallID = checked.phoneCall?.id
        do {
            if let id = call.phoneCallID { try await PhoneCall.take(id, on: db) }
            try await call.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure && call.phoneCallID != nil {
            // Another save took the phone call first, an attempt or a logged call (`PhoneCall.take`).
            throw NamedFieldErrors(errors: [.init(field: "phoneCall", key: "telephony.problem.callTaken")])
        }
        switch checked.handling {
        case .answered:
            break
        case .promised:
            call.callbackTaskID = try await callback(
                for: call, customer: customer!, by: checked.promisedBy!, ruleID: checked.callbackRuleID)
        case .ticket:
            let ticket = try await TicketService(db: db, config: config, actor: actor, now: now).open(
                TicketInput(
                    kind: input.ticketKind ?? "complaint", category: checked.category,
                    severity: input.severity ?? "general", urgent: input.urgent ?? false,
                    source: "call", customerID: customer?.id, description: checked.summary,
                    handler: input.handler?.nilIfEmpty, department: input.department?.nilIfEmpty),
                callID: call.id)
            call.ticketID = ticket.id
        }
        try await call.update(on: db)
        try await AuditLog.record(
            "call.log", by: actor, subjectType: "call", subjectID: String(call.id!),
            detail: checked.handling.rawValue, at: now, on: db)
        try await Webhooks(db: db).emit(
            .callLogged, customerID: customer?.id, at: now,
            WebhookData(
                call: .init(
                    id: call.id!, direction: "inbound", handling: checked.handling.rawValue, ticketID: call.ticketID)))
        return CallOutcome(
            callID: call.id!, customerID: customer?.id, customerCreated: created,
            callbackTaskID: call.callbackTaskID, ticketID: call.ticketID)
    }

    /// The phone system's call the form was opened from: one that rang for this agent and is no other contact yet.
    private func phoneCall(_ input: CallInput, _ errors: inout [NamedFieldError]) async throws -> PhoneCall? {
        guard let id = input.phoneCallID else { return nil }
        guard let call = try await PhoneCall.find(id, on: db), call.agentID == agent.id else {
            errors.append(.init(field: "phoneCall", key: "telephony.problem.phoneCall"))
            return nil
        }
        if try await !PhoneCall.taken([id], on: db).isEmpty {
            errors.append(.init(field: "phoneCall", key: "telephony.problem.callTaken"))
        }
        return call
    }

    /// The caller's number: as typed, or, when the form came from a phone call and shows the number masked (or not
    /// at all), the number the phone system reported.
    static func phone(_ typed: String, of call: PhoneCall?) -> PhoneNumber? {
        let typed = typed.trimmingWhitespace()
        if let call, typed.isEmpty || typed.contains("*") { return try? PhoneNumber(parsing: call.customerNumber) }
        return try? PhoneNumber(parsing: typed)
    }

    /// Reads and checks every field of a call; all problems are named at once.
    private func check(_ input: CallInput) async throws -> CheckedCall {
        var errors: [NamedFieldError] = []
        let phoneCall = try await phoneCall(input, &errors)
        let phone = Self.phone(input.phone, of: phoneCall)
        if phone == nil { errors.append(.init(field: "phone", key: "problem.invalidMobile")) }
        let settings = try await TicketSettingsRecord.load(on: db)
        let matters = try await CallMatter.query(on: db).filter(\.$isActive == true).sort(\.$position).all()
        if !matters.contains(where: { $0.code == input.matter }) {
            errors.append(
                .init(
                    field: "matter", key: "calls.problem.matter",
                    arguments: [matters.map { "\($0.code)(\($0.name))" }.joined(separator: ", ")]))
        }
        let category = Self.category(input, categories: settings.settings.categories.map(\.code))
        let summary = input.summary.trimmingWhitespace()
        if summary.isEmpty { errors.append(.init(field: "summary", key: "problem.required")) }
        if TextLimit.exceeds(summary, TextLimit.note) { errors.append(.tooLong("summary", TextLimit.note)) }
        let handling = InboundCall.Handling(rawValue: input.handling)
        if handling == nil { errors.append(.init(field: "handling", key: "calls.problem.handling")) }
        let at = callTime(input.at, &errors)
        var article: KnowledgeArticle?
        if let id = input.articleID {
            article = try await KnowledgeArticle.find(id, on: db)
            if article == nil { errors.append(.init(field: "articleID", key: "calls.problem.article")) }
        }
        let promisedBy = handling == .promised ? promise(input.promisedBy, &errors) : nil
        let existing = try await Self.customers(withPhone: phone?.e164 ?? input.phone, on: db)
        let name = input.name?.trimmingWhitespace() ?? ""
        if TextLimit.exceeds(name, TextLimit.name) { errors.append(.tooLong("name", TextLimit.name)) }
        if phone != nil, existing.isEmpty, name.isEmpty {
            errors.append(.init(field: "name", key: "calls.problem.name"))
        }
        if handling == .promised, let known = existing.first, !known.consent || known.doNotDisturb {
            errors.append(.init(field: "handling", key: "calls.problem.doNotDisturb"))
        }
        if handling == .ticket {
            if TicketKind(rawValue: input.ticketKind ?? "complaint") == nil {
                errors.append(.init(field: "ticketKind", key: "ticket.problem.kind"))
            }
            if Severity(rawValue: input.severity ?? "general") == nil {
                errors.append(.init(field: "severity", key: "ticket.problem.severity"))
            }
            if !settings.settings.categories.contains(where: { $0.code == category }) {
                errors.append(.init(field: "category", key: "ticket.problem.category"))
            }
        }
        guard errors.isEmpty, let phone, let handling else { throw NamedFieldErrors(errors: errors) }
        return CheckedCall(
            phone: phone, handling: handling, at: at, summary: summary, name: name, article: article,
            promisedBy: promisedBy, existing: existing, callbackRuleID: settings.callbackRuleID, category: category,
            phoneCall: phoneCall)
    }

    /// The category of the ticket a call opens: the one given, else the matter's code when a category has it
    /// (投诉 → complaint), else `other`, else the first category.
    static func category(_ input: CallInput, categories: [String]) -> String {
        if let given = input.category?.trimmingWhitespace(), !given.isEmpty { return given }
        if categories.contains(input.matter) { return input.matter }
        return categories.contains("other") ? "other" : categories.first ?? "other"
    }

    /// When the call was, to the minute: now, or the local time given (not more than a minute ahead).
    private func callTime(_ text: String?, _ errors: inout [NamedFieldError]) -> Date {
        var at = now
        if let text = text?.trimmingWhitespace(), !text.isEmpty {
            if let parsed = LocalTime.parse(text, in: config.timeZone)?.instant, parsed <= now.addingTimeInterval(60) {
                at = parsed
            } else {
                errors.append(.init(field: "at", key: "calls.problem.at"))
            }
        }
        return Date(timeIntervalSince1970: (at.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }

    /// The promised reply's local time, which must lie ahead, within the working calendar (before 2200).
    private func promise(_ text: String?, _ errors: inout [NamedFieldError]) -> Date? {
        if let parsed = text.flatMap({ LocalTime.parse($0, in: config.timeZone) }), parsed.instant > now,
            BusinessCalendar.dates.contains(parsed.date)
        {
            return parsed.instant
        }
        errors.append(.init(field: "promisedBy", key: "calls.problem.promisedBy"))
        return nil
    }

    /// The promised reply: a task on the caller's own agent's list, due at the promised time.
    private func callback(for call: InboundCall, customer: Customer, by promisedBy: Date, ruleID: Int?) async throws
        -> Int
    {
        guard let ruleID else { throw NamedFieldError(field: "handling", key: "calls.problem.noCallbackRule") }
        let day = LocalDate.today(in: config.timeZone, now: promisedBy)
        let taskID: Int
        do {
            taskID = try await PlanningService(db: db, contactCapDays: config.contactCapDays)
                .trigger(ruleID: ruleID, customerID: customer.id!, key: "C\(call.id!)", asOf: day)
        } catch let error as NamedFieldError where error.key == "rule.problem.doNotDisturb" {
            // The caller rang us: a reply they asked for is not a disturbance.
            throw NamedFieldError(field: "handling", key: "calls.problem.doNotDisturb")
        }
        guard let task = try await FollowUpTask.find(taskID, on: db) else { throw Abort(.internalServerError) }
        task.callbackAt = promisedBy
        task.dueAt = promisedBy
        task.deadlineAt = promisedBy
        task.dueOn = day.iso
        task.deadlineOn = day.iso
        task.$assignedAgent.id = agent.role == .agent ? agent.id : task.$assignedAgent.id
        task.assignmentBasis = agent.role == .agent ? .manual : task.assignmentBasis
        task.assignedAt = now
        try await task.update(on: db)
        return taskID
    }
}

/// A call in the log.
struct CallRow: Content {
    let id: Int
    let at: String
    let agent: String
    let customerID: Int?
    let customerName: String
    let phone: String
    let matter: String
    let summary: String
    let handling: String
    let handlingName: String
    let promisedBy: String?
    let callbackTaskID: Int?
    let ticketID: Int?
    let recordingConsent: Bool
}

struct CallFilter {
    var from: LocalDate?
    var to: LocalDate?
    var handling: InboundCall.Handling?
    var agentID: UUID?
    /// The matter's code (`CallMatter`).
    var matter: String?
    var id: Int?
    var after: PageCursor?
    var limit = 50
}

/// A page of the call log, as the API returns it.
struct CallPageDTO: Content {
    let items: [CallRow]
    /// Pass as `after` for the next page; absent on the last page.
    let nextCursor: String?
}

extension DomainServices {

    /// A page of the call log, newest first (`NewestFirst`); audited.
    func callPage(_ filter: CallFilter, viewer: User) async throws -> KeysetPage<CallRow> {
        let page = try await callRows(filter, viewer: viewer)
        try await audit("call.list", subjectType: "call", detail: "count=\(page.rows.count)")
        return page
    }

    /// How many calls the filter finds, up to `ListTotal.cap` (nil beyond).
    func callCount(_ filter: CallFilter) async throws -> Int? {
        try await callQuery(filter).countUpToCap()
    }

    private func callQuery(_ filter: CallFilter) -> QueryBuilder<InboundCall> {
        let query = InboundCall.query(on: db)
        if let from = filter.from { query.filter(\.$at >= localStart(from)) }
        if let to = filter.to { query.filter(\.$at < localStart(to.adding(days: 1))) }
        if let handling = filter.handling { query.filter(\.$handling == handling) }
        if let agent = filter.agentID { query.filter(\.$agent.$id == agent) }
        if let matter = filter.matter { query.filter(\.$matter == matter) }
        if let id = filter.id { query.filter(\.$id == id) }
        return query
    }

    /// The rows of a page as `viewer` may see them (numbers masked by role), not audited.
    func callRows(_ filter: CallFilter, viewer: User) async throws -> KeysetPage<CallRow> {
        let page = try await NewestFirst.page(
            callQuery(filter).sort(\.$at, .descending).sort(\.$id, .descending),
            table: InboundCall.schema, after: filter.after,
            limit: filter.limit, on: db)
        let calls = page.rows
        let ids = Set(calls.compactMap { $0.$customer.id })
        let customers =
            ids.isEmpty
            ? [:]
            : Dictionary(
                uniqueKeysWithValues: try await Customer.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        let matters = try await names.matterNames()
        return KeysetPage(
            calls.map { call in
                let customer = call.$customer.id.flatMap { customers[$0] }
                let phone =
                    customer.map { VisibleContact(customer: $0, viewer: viewer).mobile ?? "" }
                    ?? (canSeeContactDetails(role: viewer.role, isAssignedAgent: false)
                        ? PhoneNumber(normalised: call.phone).display : PhoneNumber(normalised: call.phone).masked)
                return CallRow(
                    id: call.id!, at: config.formatDateTime(call.at), agent: call.agentName,
                    customerID: call.$customer.id,
                    customerName: customer?.name ?? "—", phone: phone,
                    matter: matters[call.matter] ?? call.matter, summary: call.summary,
                    handling: call.handling.rawValue, handlingName: t("calls.handling.\(call.handling.rawValue)"),
                    promisedBy: call.promisedBy.map { config.formatDateTime($0) }, callbackTaskID: call.callbackTaskID,
                    ticketID: call.ticketID, recordingConsent: call.recordingConsent)
            }, next: page.next)
    }

    private func localStart(_ day: LocalDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = config.timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }
}

extension Request {
    /// A page of the call log as the signed-in user may see it; audited.
    func callPage(_ filter: CallFilter) async throws -> KeysetPage<CallRow> {
        try await domain.callPage(filter, viewer: try auth.require(User.self))
    }

    func callFilter() async throws -> CallFilter {
        var filter = CallFilter()
        filter.from = try queryDate("from")
        filter.to = try queryDate("to")
        if let handling = query[String.self, at: "handling"], !handling.isEmpty {
            guard let parsed = InboundCall.Handling(rawValue: handling) else {
                throw NamedFieldError(field: "handling", key: "calls.problem.handling")
            }
            filter.handling = parsed
        }
        if let agent = query[String.self, at: "agent"], !agent.isEmpty {
            guard let id = UUID(uuidString: agent) else {
                throw NamedFieldError(field: "agent", key: "problem.unknownAgent")
            }
            filter.agentID = id
        }
        if let matter = query[String.self, at: "matter"], !matter.isEmpty {
            let matters = try await domain.names.callMatters()
            guard matters.contains(where: { $0.code == matter }) else {
                throw NamedFieldError(
                    field: "matter", key: "calls.problem.matter",
                    arguments: [matters.map { "\($0.code)(\($0.name))" }.joined(separator: ", ")])
            }
            filter.matter = matter
        }
        filter.id = try integerQuery("id")
        filter.limit = try pageLimit(default: isAPI ? 50 : 100)
        filter.after = try pageCursor { NewestFirst.cursor($0, on: db) }
        return filter
    }
}
