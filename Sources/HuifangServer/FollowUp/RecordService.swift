import Fluent
import FluentSQL
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// One attempt as the workspace form and the API submit it.
struct RecordInput: Content {
    /// reached, noAnswer, busy, wrongNumber, refused, callbackRequested, doNotCall.
    var outcome: String
    /// phone, sms, email, wechat, visit (default: the task's).
    var channel: String?
    /// ISO 8601 or local `YYYY-MM-DD HH:MM[:SS]`; default: now.
    var startedAt: String?
    var endedAt: String?
    var notes: String?
    /// When the customer asked to be called back (local time); required for callbackRequested.
    var callbackAt: String?
    var recordingConsent: Bool?
    var recordingRef: String?
    /// The survey version shown, and the answers by question key.
    var surveyID: Int?
    var answers: [String: String]?
    /// Customer data corrected in the call: name, mobile, email.
    var corrections: [String: String]?
    /// Open a ticket from this follow-up (the survey's threshold proposes one).
    var openTicket: Bool?
    var ticketKind: String?
    var ticketSeverity: String?
    var ticketDescription: String?
    /// The customer was reached but declined the survey (counted and shown as such).
    var surveyDeclined: Bool?
    /// The phone system's id of the call (`POST /api/v1/telephony/events`): its answer and hang-up become the
    /// attempt's start and end, and with the customer's consent to recording its recording the attempt's. It must
    /// have rung at the agent's extension.
    var callId: String? = nil
}

/// What recording an attempt did.
struct RecordResult: Content {
    let recordID: Int
    let taskID: Int
    /// The task's status after the attempt.
    let taskStatus: String
    /// completed, retry, callback, unreachable or refused.
    let result: String
    let nextAttemptAt: String?
    let ticketID: Int?
    let ticketProposed: Bool
    /// The phone system's call that gave the attempt its start and end, if one did.
    let callId: String?
    /// The attempt's length in seconds.
    let durationSeconds: Int
}

/// Records attempts on tasks: checks everything first, then writes the record, its answers, the
/// task's new state and the customer's corrections (with history) in one transaction.
struct RecordService {
    let db: any Database
    let config: HuifangConfig
    let actor: Actor
    var now: Date

    static let correctable: [CustomerField] = [.name, .mobile, .email]

    /// The survey a task asks: the current version of the first of its rules, most urgent first, that names one
    /// (`TaskDecider.leading`). The rules are read with the task's reasons, in the order they were added.
    static func survey(for task: FollowUpTask, on db: any Database) async throws -> SurveyRecord? {
        let rows = try await db.sql.raw(
            """
            SELECT \(RuleRecord.columns(of: "r")) FROM follow_up_task_reasons tr JOIN rules r ON r.id = tr.rule_id
            WHERE tr.task_id = \(bind: task.id!) ORDER BY tr.id
            """
        ).all()
        let rules = try rows.map { try $0.decode(fluentModel: RuleRecord.self).rule() }
        for rule in TaskDecider(rules: rules, contactCapDays: 0).leading(rules.map(\.id)) {
            guard let family = rule.surveyID else { continue }
            if let survey = try await SurveyStore(db: db).current(family: family) { return survey }
        }
        return nil
    }

    /// The survey part of an attempt as checked: the version answered, its scored answers, whether declined.
    private struct CheckedSurvey {
        var survey: SurveyRecord?
        var definition: SurveyDefinition?
        var scored: [ScoredAnswer] = []
        var declined = false
        /// Answers that meet the survey's threshold for a ticket.
        var low: [ScoredAnswer] { scored.filter(\.meetsThreshold) }
    }

    func record(_ input: RecordInput, on task: FollowUpTask, by agent: User?) async throws -> RecordResult {
        guard task.status == .open else { throw AppError(.conflict, "record.refuse.notOpen") }
        guard let customer = try await Customer.findPrepared(task.$customer.id, on: db) else { throw AppError.notFound }
        var errors: [NamedFieldError] = []
        let call = try await phoneCall(input, task: task, customer: customer, agent: agent, &errors)
        let input = timed(input, by: call)
        let attempt = errors.collect(try AttemptRules.check(attemptInput(input, task), at: now))
        let outcome = attempt?.outcome ?? ContactOutcome(rawValue: input.outcome)
        let notes = attempt?.notes ?? (input.notes ?? "").trimmingWhitespace()
        let survey = try await checkSurvey(input, task: task, outcome: outcome, &errors)
        let current = try await CustomerStore(db: db, now: now).record(of: customer)
        var corrected = try await correct(current, input.corrections ?? [:], &errors)
        let ticketInput = ticket(input, customer: customer, survey: survey, notes: notes, &errors)
        guard errors.isEmpty, let attempt, let outcome else { throw NamedFieldErrors(errors: errors) }

        let windows = try await PlanningContext.windows(TimeRange.list(task.contactWindows) ?? [], on: db)
        let result = AttemptResult.after(
            outcome, attemptsMade: task.attempts + 1, maxAttempts: task.maxAttempts, now: now,
            callbackAt: attempt.callbackAt, windows: windows)
        let record = newRecord(attempt, input, task: task, agent: agent, survey: survey)
        record.phoneCallID = call?.id
        record.corrections = corrected.changes(from: current)  // corrections only; do-not-call is not one
            .map { "\($0.field.rawValue): \($0.oldValue ?? "") → \($0.newValue ?? "")" }.joined(separator: "\n")
        if outcome == .doNotCall { corrected.doNotDisturb = true }
        let updated = corrected
        let accepted = survey.scored
        try await oneContactPerCall(record) {
            try await db.transaction { db in
                if let id = record.phoneCallID { try await PhoneCall.take(id, on: db) }
                try await write(record, flags: outcome.flags, result: result, answers: accepted, task: task, on: db)
                if !updated.changes(from: current).isEmpty {
                    try await CustomerStore(db: db, now: now).update(
                        customer, from: current, to: updated, by: actor, how: .call, note: "task \(task.id!)")
                }
                if outcome == .doNotCall {
                    // Asked not to be called: the customer's other open follow-ups end too.
                    try await FollowUpTask.query(on: db).filter(\.$customer.$id == customer.id!).filter(
                        \.$status == .open
                    )
                    .filter(\.$id != task.id!).set(\.$status, to: .cancelled).update()
                }
                try await AuditLog.record(
                    "task.record", by: actor, subjectType: "task", subjectID: String(task.id!),
                    detail: "\(outcome.rawValue) → \(record.result)", at: now, on: db)
            }
        }
        var ticketID: Int?
        if let ticketInput {
            let ticket = try await TicketService(db: db, config: config, actor: actor, now: now).open(
                ticketInput, taskID: task.id)
            ticketID = ticket.id
            record.ticketID = ticket.id
            try await record.update(on: db)
        }
        return RecordResult(
            recordID: record.id!, taskID: task.id!, taskStatus: task.status.rawValue, result: record.result,
            nextAttemptAt: task.callbackAt.map { config.formatDateTime($0) }, ticketID: ticketID,
            ticketProposed: !survey.low.isEmpty, callId: call?.callRef, durationSeconds: record.durationSeconds)
    }

    /// The phone system's call that times the attempt: the one it names (`callId`: it must have rung at the
    /// agent's extension, be with the customer's number, and time no other contact), or else, for a phone attempt,
    /// the agent's latest finished call with the customer's number that no contact has taken, ended since the attempt
    /// began (less `Self.callSlack`) and within `Self.callWindow`.
    private func phoneCall(
        _ input: RecordInput, task: FollowUpTask, customer: Customer, agent: User?, _ errors: inout [NamedFieldError]
    ) async throws -> PhoneCall? {
        guard let agent, let mobile = customer.mobile else {
            if input.callId?.trimmingWhitespace().nilIfEmpty != nil {
                errors.append(.init(field: "callId", key: "telephony.problem.phoneCall"))
            }
            return nil
        }
        if let ref = input.callId?.trimmingWhitespace(), !ref.isEmpty {
            guard let call = try await PhoneCall.query(on: db).filter(\.$callRef == ref).first(),
                call.agentID == agent.id, call.customerNumber == mobile
            else {
                errors.append(.init(field: "callId", key: "telephony.problem.phoneCall"))
                return nil
            }
            if try await !PhoneCall.taken([call.id!], on: db).isEmpty {
                errors.append(.init(field: "callId", key: "telephony.problem.callTaken"))
            }
            return call
        }
        guard (input.channel?.nilIfEmpty ?? task.channel) == ContactChannel.phone.rawValue else { return nil }
        let began = input.startedAt.flatMap { LocalTime.parse($0, in: config.timeZone)?.instant }
        let since = max(now - Self.callWindow, (began ?? .distantPast) - Self.callSlack).timeIntervalSince1970
        let calls = try await db.sql.raw(
            """
            SELECT \(PhoneCall.columns()) FROM phone_calls
            WHERE agent_id = \(bind: agent.id)
            AND ended_at >= \(bind: since) AND ended_at <= \(bind: now.timeIntervalSince1970)
            AND ((direction = 'outbound' AND called = \(bind: mobile))
            OR (direction = 'inbound' AND caller = \(bind: mobile)))
            ORDER BY ended_at DESC LIMIT 20
            """
        ).all().map { try $0.decode(fluentModel: PhoneCall.self) }
        let used = try await PhoneCall.taken(calls.compactMap(\.id), on: db)
        return calls.first { !used.contains($0.id!) }
    }

    /// Runs the attempt's writes; another save that took the same phone call first is named (`callTaken`), not a
    /// database error (`PhoneCall.take`).
    private func oneContactPerCall(_ record: FollowUpRecord, _ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch let error as any DatabaseError where error.isConstraintFailure && record.phoneCallID != nil {
            throw NamedFieldErrors(errors: [.init(field: "callId", key: "telephony.problem.callTaken")])
        }
    }

    /// How long after a call an attempt may still take its times from it unnamed.
    static let callWindow: TimeInterval = 2 * 3600
    /// How long before the workspace opened a call may have ended and still be the attempt's (dialled from the list).
    static let callSlack: TimeInterval = 10 * 60

    /// The attempt with its times (to the second) and, with the customer's consent to recording, its recording from
    /// the phone system's call.
    private func timed(_ input: RecordInput, by call: PhoneCall?) -> RecordInput {
        guard let call else { return input }
        var timed = input
        func instant(_ seconds: Double?) -> String? {
            seconds.map { Webhooks.instant(Date(timeIntervalSince1970: $0)) }
        }
        timed.startedAt = instant(call.answeredAt ?? call.rangAt) ?? input.startedAt
        timed.endedAt = instant(call.endedAt) ?? input.endedAt
        if input.recordingConsent == true {  // a recording is kept with the attempt only with the customer's consent
            timed.recordingRef = input.recordingRef?.nilIfEmpty ?? call.recordingRef
        }
        return timed
    }

    /// What the attempt itself says, for the core's rules (`AttemptRules`): its times read as local time.
    private func attemptInput(_ input: RecordInput, _ task: FollowUpTask) -> AttemptInput {
        let times = ["startedAt": input.startedAt, "endedAt": input.endedAt, "callbackAt": input.callbackAt]
            .compactMapValues { $0?.trimmingWhitespace() }.filter { !$0.value.isEmpty }
        let readTimes = times.compactMapValues { LocalTime.parse($0, in: config.timeZone)?.instant }
        return AttemptInput(
            outcome: input.outcome, channel: input.channel ?? task.channel, startedAt: readTimes["startedAt"],
            endedAt: readTimes["endedAt"], callbackAt: readTimes["callbackAt"],
            unreadableTimes: Set(times.keys).subtracting(readTimes.keys), notes: input.notes ?? "",
            recordingRef: input.recordingRef ?? "", recordingConsent: input.recordingConsent == true)
    }

    /// Survey answers: only from a reached customer, checked against the version shown.
    private func checkSurvey(
        _ input: RecordInput, task: FollowUpTask, outcome: ContactOutcome?, _ errors: inout [NamedFieldError]
    ) async throws -> CheckedSurvey {
        var checked = CheckedSurvey(declined: input.surveyDeclined == true)
        let answers = (input.answers ?? [:]).filter { !$0.value.trimmingWhitespace().isEmpty }
        let asked = try await Self.survey(for: task, on: db)
        if let key = SurveyRequirement.problem(
            outcome: outcome, asksSurvey: asked != nil, hasAnswers: !answers.isEmpty, declined: checked.declined)
        {
            errors.append(.init(field: "answers", key: key))
        }
        guard !answers.isEmpty else { return checked }
        if outcome != .reached { errors.append(.init(field: "answers", key: "record.problem.answersNeedReached")) }
        if let id = input.surveyID, let shown = try await SurveyRecord.find(id, on: db),
            shown.familyID == asked?.familyID
        {
            checked.survey = shown
        } else {
            checked.survey = asked
        }
        if let survey = checked.survey {
            let parsed = try survey.definition
            checked.definition = parsed
            checked.scored = errors.collect(try parsed.score(input.answers ?? [:])) ?? []
        } else {
            errors.append(.init(field: "answers", key: "record.problem.noSurvey"))
        }
        return checked
    }

    /// Corrections of the customer's data (name, mobile, email), checked by the customer rules; they go into the
    /// customer's history.
    private func correct(
        _ current: CustomerRecord, _ corrections: [String: String], _ errors: inout [NamedFieldError]
    ) async throws -> CustomerRecord {
        var corrected = current
        guard !corrections.isEmpty else { return corrected }
        let rules = CustomerRules(tiers: try await Tier.names(on: db), today: config.today(now: now))
        for (field, raw) in corrections {
            let value = raw.trimmingWhitespace()
            do throws(FieldProblem) {
                switch CustomerField(rawValue: field) {
                case .name: if !value.isEmpty { corrected.name = try rules.name(value) }
                case .mobile: if !value.isEmpty { corrected.mobile = try rules.mobile(value) }
                case .email: if !value.isEmpty { corrected.email = try rules.email(value) }
                default: errors.append(.init(field: "corrections." + field, key: "record.problem.notCorrectable"))
                }
            } catch {
                let entry = error.catalogueEntry
                errors.append(.init(field: "corrections." + field, key: entry.key, arguments: entry.arguments))
            }
        }
        return corrected
    }

    /// The ticket to open after the attempt: asked for, or proposed by the survey's threshold.
    private func ticket(
        _ input: RecordInput, customer: Customer, survey: CheckedSurvey, notes: String,
        _ errors: inout [NamedFieldError]
    ) -> TicketInput? {
        let low = survey.low
        let proposed = !low.isEmpty
        guard input.openTicket == true || (proposed && survey.definition?.ticketAction == .open) else { return nil }
        let description = (input.ticketDescription ?? "").trimmingWhitespace()
        let ticketInput = TicketInput(
            kind: input.ticketKind ?? "service", category: nil, severity: input.ticketSeverity ?? "general",
            urgent: false, source: proposed ? "survey" : "followUp", customerID: customer.id,
            description: description.isEmpty
                ? lowAnswerSummary(low, survey.definition) + (notes.isEmpty ? "" : "\n" + notes) : description)
        if TicketKind(rawValue: ticketInput.kind) == nil {
            errors.append(.init(field: "ticketKind", key: "ticket.problem.kind"))
        }
        if Severity(rawValue: ticketInput.severity ?? "") == nil {
            errors.append(.init(field: "ticketSeverity", key: "ticket.problem.severity"))
        }
        // The description defaults to the low answers; asked for only when there are none to use.
        if ticketInput.description.trimmingWhitespace().isEmpty, errors.isEmpty {
            errors.append(.init(field: "ticketDescription", key: "problem.required"))
        }
        return ticketInput
    }

    /// The record of an agent's attempt, before it is written.
    private func newRecord(
        _ attempt: CheckedAttempt, _ input: RecordInput, task: FollowUpTask, agent: User?, survey: CheckedSurvey
    ) -> FollowUpRecord {
        let record = FollowUpRecord()
        record.taskID = task.id!
        record.customerID = task.$customer.id
        record.agentID = agent?.id
        record.agentName = agent?.displayName ?? actor.name
        record.source = "agent"
        record.channel = attempt.channel.rawValue
        record.startedAt = attempt.startedAt
        record.endedAt = attempt.endedAt
        record.durationSeconds = Int(attempt.endedAt.timeIntervalSince(attempt.startedAt).rounded())
        record.outcome = attempt.outcome.rawValue
        record.notes = attempt.notes
        record.recordingConsent = input.recordingConsent ?? false
        record.recordingRef = attempt.recordingRef
        record.surveyID = survey.scored.isEmpty ? nil : survey.survey?.id
        record.ticketProposed = !survey.low.isEmpty
        record.surveyDeclined = survey.declined
        return record
    }

    /// The task after one more attempt, and the record's result.
    private func advance(_ task: FollowUpTask, by result: AttemptResult, record: FollowUpRecord) {
        task.attempts += 1
        switch result {
        case .completed:
            task.status = .completed
            task.completedAt = now
            task.completedOn = config.today(now: now).iso
            task.callbackAt = nil
            record.result = "completed"
        case .retry(let at):
            task.callbackAt = at
            record.result = "retry"
        case .callback(let at):
            task.callbackAt = at
            record.result = "callback"
        case .unreachable:
            task.status = .unreachable
            task.callbackAt = nil
            record.result = "unreachable"
        case .refused:
            task.status = .refused
            task.callbackAt = nil
            record.result = "refused"
        }
    }

    /// Writes a record, its answers and the task's new state (inside the caller's transaction).
    func write(
        _ record: FollowUpRecord, flags: OutcomeFlags, result: AttemptResult, answers: [ScoredAnswer],
        task: FollowUpTask, on db: any Database
    ) async throws {
        let before = task.status
        record.contactMade = flags.contactMade
        record.completed = flags.completed
        record.needsRetry = flags.needsRetry
        record.stopContacting = flags.stopContacting
        // A customer who answers the link after the calls ran out was reached after all.
        if task.status == .open || (record.source == "link" && task.status == .unreachable) {
            // Taken only as it was read, and locked until the transaction ends (PostgreSQL: `FOR UPDATE`, which
            // checks the row again once another writer's lock is gone; SQLite: the transaction holds the write
            // lock), so that two attempts recorded at once on one task never both count: the second finds the
            // task changed and is refused. A lock, not a write: no new row version for every attempt.
            let sql = db.sql
            let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            let taken = try await sql.raw(
                """
                SELECT id FROM follow_up_tasks WHERE id = \(bind: task.id!) AND attempts = \(bind: task.attempts)
                AND status = \(bind: task.status.rawValue)
                """ + lock
            ).all()
            guard taken.count == 1 else { throw AppError(.conflict, "record.refuse.changed") }
            advance(task, by: result, record: record)
            record.nextAttemptAt = task.callbackAt
            try await saveAttempt(task, on: db)
            if record.source == "agent", task.status == .completed || task.status == .refused {
                // Done by phone, or the customer refused: a survey link still out would ask twice.
                try await db.sql.raw(
                    """
                    UPDATE survey_links SET expires_at = \(bind: now.timeIntervalSince1970.rounded(.down))
                    WHERE task_id = \(bind: task.id!) AND used_at IS NULL AND expires_at > \(bind: now.timeIntervalSince1970)
                    """
                ).run()
            }
        } else {
            // Answers through a link after the task ended another way are kept, and change nothing.
            record.result = task.status.rawValue
        }
        try await record.insert(on: db)
        for answer in answers {
            let row = SurveyAnswer()
            row.recordID = record.id!
            row.surveyID = record.surveyID!
            row.customerID = record.customerID
            row.questionKey = answer.key
            row.indicator = answer.indicator
            row.type = answer.type.rawValue
            row.value = answer.value
            row.score = answer.score
            row.isTopTwo = answer.isTopTwo
            row.meetsThreshold = answer.meetsThreshold
            row.answeredAt = record.endedAt
            try await row.create(on: db)
        }
        try await announce(
            record, task: task, completing: before != .completed && task.status == .completed,
            surveyed: !answers.isEmpty, on: db)
    }

    /// The columns an attempt changes (`advance`), all of them, in one statement prepared on PostgreSQL. Fluent does
    /// not see this write: the model still holds them as changes, so it is not saved again after (nothing does).
    private func saveAttempt(_ task: FollowUpTask, on db: any Database) async throws {
        try await db.sql.raw(
            """
            UPDATE follow_up_tasks SET attempts = \(bind: task.attempts), status = \(bind: task.status.rawValue),
            callback_at = \(bind: task.callbackAt), completed_at = \(bind: task.completedAt),
            completed_on = \(bind: task.completedOn) WHERE id = \(bind: task.id!)
            """
        ).run()
    }

    /// `record.saved`, and `task.completed` and `survey.answered` when the record did that.
    private func announce(
        _ record: FollowUpRecord, task: FollowUpTask, completing: Bool, surveyed: Bool, on db: any Database
    ) async throws {
        let webhooks = Webhooks(db: db)
        let taskPart = WebhookData.TaskPart(id: task.id!, status: task.status.rawValue)
        let recordPart = WebhookData.RecordPart(id: record.id!, taskID: task.id!, outcome: record.outcome)
        let customer = record.customerID
        try await webhooks.emit(.recordSaved, customerID: customer, at: now, .init(task: taskPart, record: recordPart))
        if completing {
            try await webhooks.emit(.taskCompleted, customerID: customer, at: now, .init(task: taskPart))
        }
        if surveyed, let survey = record.surveyID {
            try await webhooks.emit(
                .surveyAnswered, customerID: customer, at: now,
                .init(record: recordPart, survey: .init(id: survey, taskID: task.id)))
        }
    }

    /// 问卷低分：服务态度 1/5；…
    func lowAnswerSummary(_ low: [ScoredAnswer], _ definition: SurveyDefinition?) -> String {
        guard let definition, !low.isEmpty else { return "" }
        let language = config.defaultLanguage
        let parts = low.map { answer in
            let question = definition.questions.first { $0.key == answer.key }
            return
                "\(answer.indicator) \(question.map { definition.label(of: answer.value, for: $0, language) } ?? answer.value)"
        }
        return Catalogue.text("record.lowAnswers", language, [definition.name, parts.joined(separator: "；")])
    }
}
