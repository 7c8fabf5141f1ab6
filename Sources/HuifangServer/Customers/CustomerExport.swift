import Fluent
import Foundation
import HuifangCore
import Vapor

/// A customer's data as one download (PIPL access and portability): a ZIP with the JSON document and a readable
/// summary, named after the customer's id.
struct CustomerArchive: Sendable {
    let fileName: String
    let bytes: [UInt8]
}

/// Gathers everything Huifang holds about one customer — profile, change history, consent, tags, events, tasks,
/// contact records with answers, tickets with timelines, inbound calls, messages, and the audit entries about
/// them — and writes it as a `CustomerArchive`. Every export is audited (`customer.export`).
struct CustomerExport {
    typealias Document = CustomerExportDocument
    let context: ServiceContext

    var db: any Database { context.db }

    /// The archive of `customer`, audited as the context's actor. The files are written off the event loop.
    func archive(of customer: Customer) async throws -> CustomerArchive {
        let document = try await document(of: customer)
        let config = context.config
        let id = customer.id!
        let bytes = try await offTheEventLoop {
            try XLSXWriter.zip([
                ("customer-\(id).json", try document.json()),
                ("customer-\(id).html", Array(CustomerExportSummary(document: document, config: config).html().utf8)),
            ])
        }
        let counts = [
            "consent=\(document.consent.history.count)", "events=\(document.events.count)",
            "tasks=\(document.tasks.count)",
            "contacts=\(document.contacts.count)", "tickets=\(document.tickets.count)",
            "calls=\(document.calls.count)", "messages=\(document.messages.count)",
        ]
        try await AuditLog.record(
            "customer.export", by: context.actor, subjectType: "customer", subjectID: String(id),
            detail: counts.joined(separator: " "), at: context.now, on: db)
        return CustomerArchive(fileName: "customer-\(id).zip", bytes: bytes)
    }

    /// Everything about `customer`, oldest first in every section.
    func document(of customer: Customer) async throws -> Document {
        let id = customer.id!
        let changes = try await CustomerChange.query(on: db).filter(\.$customerID == id).sort(\.$id).all().map {
            Document.Change(
                at: $0.at, actor: $0.actorName, source: $0.source, field: $0.field, oldValue: $0.oldValue,
                newValue: $0.newValue)
        }
        let consentFields: Set<String> = [CustomerField.consent.rawValue, CustomerField.doNotDisturb.rawValue]
        return Document(
            exportedAt: context.now, exportedBy: context.actor.name, timeZone: context.config.timeZone.identifier,
            customer: try await profile(customer),
            consent: .init(
                consent: customer.consent, doNotDisturb: customer.doNotDisturb,
                history: try await ConsentLedger(db: db, now: context.now).history(of: id).map {
                    Document.ConsentEntry(
                        at: $0.at, consent: $0.consent, doNotDisturb: $0.doNotDisturb, how: $0.how,
                        actor: $0.actorName, note: $0.note)
                },
                changes: changes.filter { consentFields.contains($0.field) }),
            changes: changes, events: try await events(of: id), tasks: try await tasks(of: id),
            contacts: try await contacts(of: id), tickets: try await tickets(of: id), calls: try await calls(of: id),
            messages: try await messages(of: id), access: try await access(to: id))
    }

    private func profile(_ customer: Customer) async throws -> Document.Profile {
        let id = customer.id!
        let tags = try await CustomerStore(db: db, now: context.now).tags(of: [id])[id] ?? []
        let agent = try await agentNames(customer.$assignedAgent.id.map { [$0] } ?? [], on: db).values.first
        return Document.Profile(
            id: id, externalID: customer.externalID, name: customer.name, mobile: customer.mobile,
            email: customer.email, gender: customer.gender, birthday: customer.birthday,
            registeredOn: customer.registeredOn, tier: customer.tier, tags: tags, assignedAgent: agent,
            consent: customer.consent, doNotDisturb: customer.doNotDisturb, notes: customer.notes,
            createdAt: customer.createdAt, updatedAt: customer.updatedAt)
    }

    private func events(of id: Int) async throws -> [Document.Event] {
        let lists = NameLabels(db: db, language: context.language)
        let names = try await lists.eventKindNames()
        let attributeNames = try await lists.eventAttributeNames()
        return try await ServiceEvent.query(on: db).filter(\.$customer.$id == id).sort(\.$occurredAt).sort(\.$id)
            .all().map { event in
                let attributes = event.attributeValues
                return Document.Event(
                    id: event.id!, kind: event.kind, kindName: names[event.kind] ?? event.kind,
                    occurredAt: event.occurredAt, occurredOn: event.occurredOn, attributes: attributes,
                    attributeNames: Dictionary(
                        attributes.keys.map { ($0, attributeNames.name(of: $0, kind: event.kind)) },
                        uniquingKeysWith: { a, _ in a }),
                    externalID: event.externalID, source: event.source)
            }
    }

    private func tasks(of id: Int) async throws -> [Document.FollowUp] {
        let tasks = try await FollowUpTask.query(on: db).filter(\.$customer.$id == id).with(\.$reasons).sort(\.$id)
            .all()
        let rules = Dictionary(
            try await RuleRecord.query(on: db).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let agents = try await agentNames(tasks.compactMap { $0.$assignedAgent.id }, on: db)
        return tasks.map { task in
            Document.FollowUp(
                id: task.id!, status: task.status.rawValue, channel: task.channel, priority: task.priority,
                dueAt: task.dueAt, deadlineAt: task.deadlineAt, plannedOn: task.plannedOn,
                assignedAgent: task.$assignedAgent.id.flatMap { agents[$0] }, attempts: task.attempts,
                callbackAt: task.callbackAt, completedAt: task.completedAt,
                reasons: task.reasons.sorted { ($0.id ?? 0) < ($1.id ?? 0) }.map {
                    Document.Reason(
                        rule: rules[$0.ruleID] ?? "#\($0.ruleID)", triggeredOn: $0.triggeredOn, dueOn: $0.dueOn,
                        deadlineOn: $0.deadlineOn)
                })
        }
    }

    private func contacts(of id: Int) async throws -> [Document.Contact] {
        let records = try await FollowUpRecord.query(on: db).filter(\.$customerID == id).sort(\.$id).all()
        let answers = try await SurveyAnswer.query(on: db).filter(\.$customerID == id).sort(\.$id).all()
        let questions = try await questionTexts(surveys: Set(answers.map(\.surveyID)))
        let byRecord = Dictionary(grouping: answers, by: \.recordID)
        return records.map { r in
            Document.Contact(
                id: r.id!, taskID: r.taskID, source: r.source, agent: r.agentName, channel: r.channel,
                startedAt: r.startedAt, endedAt: r.endedAt, durationSeconds: r.durationSeconds, outcome: r.outcome,
                result: r.result, notes: r.notes, corrections: r.corrections, recordingConsent: r.recordingConsent,
                recordingRef: r.recordingRef, surveyDeclined: r.surveyDeclined, nextAttemptAt: r.nextAttemptAt,
                ticketID: r.ticketID,
                answers: (byRecord[r.id!] ?? []).map {
                    Document.Answer(
                        questionKey: $0.questionKey, question: questions["\($0.surveyID) \($0.questionKey)"],
                        indicator: $0.indicator, type: $0.type, value: $0.value, score: $0.score,
                        answeredAt: $0.answeredAt)
                })
        }
    }

    /// The questions' texts by `"surveyID key"`, from the survey versions answered.
    private func questionTexts(surveys ids: Set<Int>) async throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        var texts: [String: String] = [:]
        for survey in try await SurveyRecord.query(on: db).filter(\.$id ~~ ids).all() {
            for question in (try? survey.definition.questions) ?? [] {
                texts["\(survey.id!) \(question.key)"] = question.text
            }
        }
        return texts
    }

    private func tickets(of id: Int) async throws -> [Document.TicketItem] {
        let tickets = try await Ticket.query(on: db).filter(\.$customer.$id == id).sort(\.$id).all()
        guard !tickets.isEmpty else { return [] }
        let entries = Dictionary(
            grouping: try await TicketEntry.query(on: db).filter(\.$ticket.$id ~~ tickets.compactMap(\.id))
                .sort(\.$id).all(), by: { $0.$ticket.id })
        let departments = Dictionary(
            try await Department.query(on: db).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let handlers = try await agentNames(tickets.compactMap { $0.$handler.id }, on: db)
        return tickets.map { t in
            Document.TicketItem(
                id: t.id!, kind: t.kind.rawValue, category: t.category, severity: t.severity.rawValue,
                urgent: t.urgent, source: t.source, status: t.status.rawValue, description: t.description,
                department: t.$department.id.flatMap { departments[$0] },
                handler: t.$handler.id.flatMap { handlers[$0] },
                measures: t.measures, planOwner: t.planOwner, planDue: t.planDue, compensation: t.compensation,
                openedAt: t.createdAt, firstResponseAt: t.firstResponseAt, resolvedAt: t.resolvedAt,
                informedAt: t.informedAt, closedAt: t.closedAt, customerSatisfied: t.customerSatisfied,
                timeline: (entries[t.id!] ?? []).map {
                    Document.TicketLine(
                        at: $0.at, actor: $0.actorName, action: $0.action, oldStatus: $0.oldStatus,
                        newStatus: $0.newStatus, note: $0.note)
                })
        }
    }

    private func calls(of id: Int) async throws -> [Document.Call] {
        let matters = try await NameLabels(db: db, language: context.language).matterNames()
        return try await InboundCall.query(on: db).filter(\.$customer.$id == id).sort(\.$at).sort(\.$id).all().map {
            Document.Call(
                id: $0.id!, at: $0.at, agent: $0.agentName, phone: $0.phone, matter: $0.matter,
                matterName: matters[$0.matter] ?? $0.matter, summary: $0.summary,
                handling: $0.handling.rawValue, promisedBy: $0.promisedBy, ticketID: $0.ticketID,
                recordingConsent: $0.recordingConsent)
        }
    }

    private func messages(of id: Int) async throws -> [Document.Message] {
        try await MailMessage.query(on: db).filter(\.$customerID == id).sort(\.$id).all().map {
            Document.Message(
                id: $0.id!, channel: $0.channel, to: $0.to, subject: $0.subject, body: $0.body,
                status: $0.status.rawValue, createdAt: Date(timeIntervalSince1970: $0.createdAt),
                sentAt: $0.sentAt.map(Date.init(timeIntervalSince1970:)), taskID: $0.taskID)
        }
    }

    /// The audit entries whose subject is the customer (views, reveals, changes, exports); the staff's network
    /// addresses are left out.
    private func access(to id: Int) async throws -> [Document.Access] {
        try await AuditEntry.query(on: db).filter(\.$subjectType == "customer").filter(\.$subjectID == String(id))
            .sort(\.$id).all().map {
                Document.Access(at: $0.at, actor: $0.actorName, action: $0.action, detail: $0.detail)
            }
    }
}

extension Operations {
    /// `huifang customer export ID`: writes the customer's archive to `output` (default `customer-ID.zip` in the
    /// current directory), readable by its owner only, audited as the command line. Refuses an existing file.
    public static func exportCustomer(on app: Application, id: Int, output: String?) async throws -> String {
        let language = app.huifang.defaultLanguage
        guard let customer = try await Customer.find(id, on: app.db), customer.erasedAt == nil else {
            throw OperationError(Catalogue.text("export.unknownCustomer", language, [String(id)]))
        }
        let path = output ?? "customer-\(id).zip"
        guard !FileManager.default.fileExists(atPath: path) else {
            throw OperationError(Catalogue.text("export.fileExists", language, [path]))
        }
        let archive = try await app.domain(as: .commandLine(), language: language).customerExport.archive(
            of: customer)
        // Created readable by its owner only and only if still absent, then written.
        guard let file = createOwnerOnly(path) else {
            let key = FileManager.default.fileExists(atPath: path) ? "export.fileExists" : "export.cannotWrite"
            throw OperationError(Catalogue.text(key, language, [path]))
        }
        do {
            try file.write(contentsOf: Data(archive.bytes))
            try file.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw OperationError(Catalogue.text("export.cannotWrite", language, [path]))
        }
        return Catalogue.text("export.written", language, [path, String(archive.bytes.count)])
    }
}
