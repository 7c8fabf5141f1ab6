import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// Everything the agent needs on one screen for one task, as the page and the API show it.
struct Workspace: Content {
    struct TaskPart: Content {
        let id: Int
        let status: String
        let statusText: String
        let isOpen: Bool
        let priority: Int
        let channel: String
        let dueAt: String
        let deadlineAt: String
        let attempts: Int
        let maxAttempts: Int
        let nextAttemptAt: String?
        let reasons: [Reason]
        let verificationTicketID: Int?
    }
    struct Reason: Content {
        let rule: String
        let triggeredOn: String
        let dueOn: String
    }
    struct CustomerPart: Content {
        let id: Int
        let name: String
        let mobile: String?
        /// The number to dial (E.164) when the viewer sees it in full.
        let dial: String?
        /// Its click-to-call link (`HUIFANG_DIAL_URL`), when the viewer sees it in full.
        let dialURL: String?
        let email: String?
        let isMasked: Bool
        let canReveal: Bool
        let tier: String
        let tags: [String]
        let gender: String?
        let doNotDisturb: Bool
        let consent: Bool
    }
    struct Choice: Content {
        let value: String
        let label: String
        let isLow: Bool
        let checked: Bool
    }
    struct Question: Content {
        let key: String
        let number: Int
        let text: String
        let type: String
        let indicator: String
        let required: Bool
        let choices: [Choice]
        let answer: String
    }
    struct SurveyPart: Content {
        let id: Int
        let name: String
        let version: Int
        let intro: String
        let ticketAction: String
        let questions: [Question]
    }
    struct Event: Content {
        let at: String
        let kind: String
        let detail: String
    }
    struct Record: Content {
        let at: String
        let agent: String
        let channel: String
        let outcome: String
        let result: String
        let duration: String
        let notes: String
        let answers: String
        let ticketID: Int?
    }
    struct TicketPart: Content {
        let id: Int
        let kind: String
        let status: String
        let openedAt: String
        let description: String
    }
    struct Link: Content {
        let channel: String
        let sentAt: String
        let expiresAt: String
        let state: String
    }
    struct Outcome: Content {
        let value: String
        let label: String
        let shortcut: String
    }

    let task: TaskPart
    let customer: CustomerPart
    let script: String
    let survey: SurveyPart?
    let events: [Event]
    let records: [Record]
    let tickets: [TicketPart]
    let links: [Link]
    let outcomes: [Outcome]
    let channels: [SelectOption]
    let ticketKinds: [SelectOption]
    let severities: [SelectOption]
    /// off, propose or open: what a low answer does.
    let ticketAction: String
    /// When now is outside the task's contact windows: the start of the next one (calls only in the windows).
    let outsideWindowUntil: String?
    let canRecord: Bool
    let canSendSMS: Bool
    let canSendEmail: Bool
    let startedAt: String
    // What was entered, shown again when a submission is refused.
    let notes: String
    let callbackAt: String
    let recordingConsent: Bool
    let recordingRef: String
    let correctName: String
    let correctMobile: String
    let correctEmail: String
    let openTicket: Bool
    let surveyDeclined: Bool
    let ticketDescription: String
    let errors: [String]

    static let shortcuts: [ContactOutcome: String] = [
        .reached: "R", .noAnswer: "N", .busy: "B", .callbackRequested: "C", .refused: "X", .wrongNumber: "W",
        .doNotCall: "D",
    ]
    static let order: [ContactOutcome] = [
        .reached, .noAnswer, .busy, .callbackRequested, .refused, .wrongNumber, .doNotCall,
    ]
}

extension Request {
    /// The task the route's `:id` names, if the viewer may work it: its agent, or a supervisor or admin.
    /// Anyone else gets 404, as if the task did not exist.
    func workableTask() async throws -> FollowUpTask {
        guard let id = parameters.get("id", as: Int.self), let task = try await FollowUpTask.findPrepared(id, on: db),
            TaskAccess.maySee(task, try viewer)
        else { throw AppError.notFound }
        return task
    }
}

/// The select lists of the record form.
private struct FormOptions {
    let channels: [SelectOption]
    let ticketKinds: [SelectOption]
    let severities: [SelectOption]
}

extension DomainServices {
    /// Builds the workspace; `reveal` shows masked contact details (audited by the caller).
    func workspace(
        _ task: FollowUpTask, viewer: User, reveal: Bool = false, form: RecordInput? = nil, errors: [String] = []
    ) async throws -> Workspace {
        guard let customer = try await Customer.find(task.$customer.id, on: db) else { throw AppError.notFound }
        let customerID = customer.id!
        let tags = try await CustomerStore(db: db, now: now).tags(of: [customerID])[customerID] ?? []

        let reasons = try await TaskReason.query(on: db).filter(\.$task.$id == task.id!).sort(\.$id).all()
        // The rules and the calendar in one load: names, scripts and the contact windows.
        let context = try await PlanningContext.load(on: db)
        let rules = Dictionary(context.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let kindNames = try await names.eventKindNames()
        // The script is read to the customer: it names the event as the organisation named it.
        let spokenKindNames = Dictionary(
            try await EventKind.query(on: db).all().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let attributeNames = try await names.eventAttributeNames()
        let events = try await ServiceEvent.query(on: db).filter(\.$customer.$id == customerID).sort(
            \.$occurredAt, .descending
        ).limit(10).all()
        let surveyPart = try await surveyPart(for: task, answers: form?.answers ?? [:])
        let windows = context.windows(TimeRange.list(task.contactWindows) ?? [])
        let verification = try await Ticket.query(on: db).filter(\.$verificationTaskID == task.id!).first()
        let options = formOptions(task, form: form)

        return Workspace(
            task: taskPart(task, reasons: reasons, rules: rules, verificationTicketID: verification?.id),
            customer: customerPart(customer, of: task, tags: tags, reveal: reveal, viewer: viewer),
            script: script(
                task, reasons: reasons, rules: rules, customer: customer, viewer: viewer, latest: events.first,
                kindNames: spokenKindNames),
            survey: surveyPart,
            events: eventLines(events, kindNames: kindNames, attributeNames: attributeNames),
            records: try await recordLines(of: customerID, viewer: viewer),
            tickets: try await ticketLines(of: customerID, viewer: viewer),
            links: try await linkLines(of: task),
            outcomes: Workspace.order.map {
                .init(value: $0.rawValue, label: t("outcome." + $0.rawValue), shortcut: Workspace.shortcuts[$0]!)
            },
            channels: options.channels, ticketKinds: options.ticketKinds, severities: options.severities,
            ticketAction: surveyPart?.ticketAction ?? "off",
            outsideWindowUntil: windows.isInsideWindow(now)
                ? nil : windows.nextContactSlot(after: now).map { config.formatDateTime($0) } ?? "—",
            canRecord: task.status == .open,
            canSendSMS: task.status == .open && surveyPart != nil && customer.mobile != nil && !customer.doNotDisturb
                && customer.consent,
            canSendEmail: task.status == .open && surveyPart != nil && customer.email != nil && !customer.doNotDisturb
                && customer.consent && config.smtp != nil,
            startedAt: form?.startedAt ?? ISO8601DateFormatter().string(from: now),
            notes: form?.notes ?? "",
            callbackAt: form?.callbackAt ?? "",
            recordingConsent: form?.recordingConsent ?? false,
            recordingRef: form?.recordingRef ?? "",
            correctName: form?.corrections?["name"] ?? "",
            correctMobile: form?.corrections?["mobile"] ?? "",
            correctEmail: form?.corrections?["email"] ?? "",
            openTicket: form?.openTicket ?? false,
            surveyDeclined: form?.surveyDeclined ?? false,
            ticketDescription: form?.ticketDescription ?? "",
            errors: errors)
    }

    /// The script of the leading rule that has one (else the task's), filled with this customer's details,
    /// their latest event, the task and the agent.
    private func script(
        _ task: FollowUpTask, reasons: [TaskReason], rules: [Int: FollowUpRule], customer: Customer, viewer: User,
        latest: ServiceEvent?, kindNames: [String: String]
    ) -> String {
        let attributes = latest?.attributeValues ?? [:]
        let product =
            ["product", "产品", "model", "车型", "item", "商品", "service", "项目"].lazy.compactMap { attributes[$0] }.first
            ?? ""
        let values: [Placeholder: String] = [
            .name: customer.name, .salutation: Placeholder.salutation(name: customer.name, gender: customer.gender),
            .tier: customer.tier,
            .product: product, .event: latest.map { kindNames[$0.kind] ?? $0.kind } ?? "",
            .eventDate: latest?.occurredOn ?? "",
            .dueDate: task.dueOn, .agent: viewer.displayName, .company: config.company,
        ]
        let script = TaskDecider(rules: Array(rules.values), contactCapDays: 0).lead(reasons.map(\.ruleID)).script
        return Placeholder.fill(script.isEmpty ? task.script : script, values)
    }

    /// The customer's latest events, each with its attributes on one line.
    private func eventLines(
        _ events: [ServiceEvent], kindNames: [String: String], attributeNames: EventAttributeNames
    ) -> [Workspace.Event] {
        events.map { event in
            .init(
                at: config.formatDateTime(event.occurredAt), kind: kindNames[event.kind] ?? event.kind,
                detail: attributeNames.line(event.attributeValues, kind: event.kind, language: language))
        }
    }

    /// The task as the page shows it, with the rules that made it due.
    private func taskPart(
        _ task: FollowUpTask, reasons: [TaskReason], rules: [Int: FollowUpRule], verificationTicketID: Int?
    ) -> Workspace.TaskPart {
        .init(
            id: task.id!, status: task.status.rawValue, statusText: t("status." + task.status.rawValue),
            isOpen: task.status == .open,
            priority: task.priority, channel: t("channel." + task.channel),
            dueAt: config.formatDateTime(task.dueAt),
            deadlineAt: config.formatDateTime(task.deadlineAt), attempts: task.attempts,
            maxAttempts: task.maxAttempts,
            nextAttemptAt: task.callbackAt.map { config.formatDateTime($0) },
            reasons: reasons.map {
                .init(rule: rules[$0.ruleID]?.name ?? "#\($0.ruleID)", triggeredOn: $0.triggeredOn, dueOn: $0.dueOn)
            },
            verificationTicketID: verificationTicketID)
    }

    /// The customer as the viewer may see them: contact details masked unless revealed or theirs to see.
    private func customerPart(
        _ customer: Customer, of task: FollowUpTask, tags: [String], reveal: Bool, viewer: User
    ) -> Workspace.CustomerPart {
        let sees =
            reveal
            || canSeeContactDetails(
                role: viewer.role,
                isAssignedAgent: task.$assignedAgent.id == viewer.id || customer.$assignedAgent.id == viewer.id)
        let phone = customer.mobile.map(PhoneNumber.init(normalised:))
        return .init(
            id: customer.id!, name: customer.name, mobile: sees ? phone?.display : phone?.masked,
            dial: sees ? phone?.e164 : nil, dialURL: sees ? phone.map(config.dial.url) : nil,
            email: sees ? customer.email : customer.email.map(Masking.maskEmail),
            isMasked: !sees && (customer.mobile != nil || customer.email != nil),
            canReveal: !sees && RouteAccess.customersReveal.roles.contains(viewer.role), tier: customer.tier,
            tags: tags,
            gender: customer.gender.map { t("gender." + $0) }, doNotDisturb: customer.doNotDisturb,
            consent: customer.consent)
    }

    /// The form's choices, with what was entered (or the task's channel and the usual ticket) selected.
    private func formOptions(_ task: FollowUpTask, form: RecordInput?) -> FormOptions {
        FormOptions(
            channels: ContactChannel.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: t("channel." + $0.rawValue),
                    selected: $0.rawValue == (form?.channel ?? task.channel))
            },
            ticketKinds: TicketKind.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: t("ticket.kind." + $0.rawValue),
                    selected: $0.rawValue == (form?.ticketKind ?? "service"))
            },
            severities: Severity.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: t("ticket.severity." + $0.rawValue),
                    selected: $0.rawValue == (form?.ticketSeverity ?? "general"))
            })
    }

    /// The survey the task asks, as the form shows it with the answers given so far.
    private func surveyPart(for task: FollowUpTask, answers: [String: String]) async throws -> Workspace.SurveyPart? {
        guard let survey = try await RecordService.survey(for: task, on: db) else { return nil }
        let definition = try survey.definition
        return .init(
            id: survey.id!, name: definition.name, version: survey.version, intro: definition.intro,
            ticketAction: definition.threshold == .off ? "off" : definition.ticketAction.rawValue,
            questions: definition.questions.enumerated().map { index, question in
                Workspace.Question(
                    key: question.key, number: index + 1, text: question.text, type: question.type.rawValue,
                    indicator: question.indicator, required: question.required,
                    choices: question.choices(definition.threshold, language).map {
                        .init(
                            value: $0.value, label: $0.label, isLow: $0.isLow,
                            checked: answers[question.key] == $0.value)
                    },
                    answer: question.type == .text ? answers[question.key] ?? "" : "")
            })
    }

    /// The customer's last 20 contacts the viewer may see (an agent reads their own tasks' records, as on the
    /// timeline), with their survey answers.
    private func recordLines(of customerID: Int, viewer: User) async throws -> [Workspace.Record] {
        let recordQuery = FollowUpRecord.query(on: db).filter(\.$customerID == customerID)
        TaskAccess.restrict(recordQuery, to: viewer.viewer)
        let records = try await recordQuery.sort(\.$id, .descending).limit(20).all()
        let answerRows =
            records.isEmpty
            ? [] : try await SurveyAnswer.query(on: db).filter(\.$recordID ~~ records.map { $0.id! }).sort(\.$id).all()
        let answersByRecord = Dictionary(grouping: answerRows, by: \.recordID)
        let reader = try await AnswerReader.load(for: answerRows, language: language, on: db)
        func minutes(_ seconds: Int) -> String { seconds < 60 ? "\(seconds)″" : "\(seconds / 60)′\(seconds % 60)″" }
        return records.map { record in
            .init(
                at: config.formatDateTime(record.endedAt), agent: record.agentName,
                channel: t("channel." + record.channel),
                outcome: t("outcome." + record.outcome), result: t("result." + record.result),
                duration: minutes(record.durationSeconds),
                notes: record.notes,
                answers: record.surveyDeclined
                    ? t("record.surveyDeclined")
                    : reader.line(answersByRecord[record.id!] ?? []),
                ticketID: record.ticketID)
        }
    }

    /// The customer's last 10 tickets the viewer may see.
    private func ticketLines(of customerID: Int, viewer: User) async throws -> [Workspace.TicketPart] {
        let ticketQuery = Ticket.query(on: db).filter(\.$customer.$id == customerID)
        TicketAccess.restrict(ticketQuery, to: viewer.viewer)
        return try await ticketQuery.sort(\.$id, .descending).limit(10).all().map {
            .init(
                id: $0.id!, kind: t("ticket.kind." + $0.kind.rawValue),
                status: t("ticket.status." + $0.status.rawValue),
                openedAt: config.formatDateTime($0.createdAt), description: String($0.description.prefix(80)))
        }
    }

    /// The survey links sent for the task, newest first.
    private func linkLines(of task: FollowUpTask) async throws -> [Workspace.Link] {
        let links = try await SurveyLink.query(on: db).filter(\.$taskID == task.id!).sort(\.$id, .descending).all()
        return links.map { link in
            .init(
                channel: t("channel." + link.channel),
                sentAt: config.formatDateTime(Date(timeIntervalSince1970: link.createdAt)),
                expiresAt: config.formatDateTime(Date(timeIntervalSince1970: link.expiresAt)),
                state: t(
                    link.usedAt != nil
                        ? "link.state.used"
                        : link.expiresAt <= now.timeIntervalSince1970 ? "link.state.expired" : "link.state.waiting")
            )
        }
    }

}
