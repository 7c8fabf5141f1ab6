import Crypto
import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// The customer's survey link: `/s/<id>-<expiry>-<signature>`, signed with HMAC-SHA256 under a key
/// derived from `HUIFANG_SECRET` and a key kept in the database (`LinkKeys`: rotated with
/// `huifang secret rotate`, previous keys accepted for a grace period), valid until it expires
/// and for one submission only.
struct SurveyLinks {
    let db: any Database
    let config: HuifangConfig
    var now: Date

    enum State {
        case invalid
        case expired(SurveyLink)
        case used(SurveyLink)
        case valid(SurveyLink)
    }

    private var keys: LinkKeys { LinkKeys(db: db, secret: config.secret) }

    private static func base64URL(_ data: some Sequence<UInt8>) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        )
        .replacingOccurrences(of: "=", with: "")
    }

    /// The first 16 bytes of the HMAC (128 bits, as much as an SMS can spare), URL-safe.
    static func signature(_ payload: String, key: SymmetricKey) -> String {
        base64URL(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key).prefix(16))
    }

    func token(for link: SurveyLink) async throws -> String {
        let payload = "\(link.id!)-\(Int(link.expiresAt))"
        return payload + "-" + Self.signature(payload, key: try await keys.current())
    }

    /// Whether `given` is the payload's signature under one of the accepted keys, each compared in constant time.
    private func isSigned(_ payload: String, _ given: String) async throws -> Bool {
        let given = Array(given.utf8)
        var matches = false
        for key in try await keys.accepted(at: now) {
            let expected = Array(Self.signature(payload, key: key).utf8)
            let same = expected.count == given.count && zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
            matches = matches || same
        }
        return matches
    }

    func url(for link: SurveyLink) async throws -> String {
        config.publicURL + "/s/" + (try await token(for: link))
    }

    /// What a token is: forged or garbled, expired, used, or good to answer.
    func resolve(_ token: String) async throws -> State {
        let parts = token.split(separator: "-", maxSplits: 2).map(String.init)
        guard parts.count == 3, let id = Int(parts[0]), let expires = Int(parts[1]) else { return .invalid }
        // The database is asked for the link only when the signature is genuine.
        guard try await isSigned("\(id)-\(expires)", parts[2]), let link = try await SurveyLink.find(id, on: db)
        else { return .invalid }
        if link.usedAt != nil { return .used(link) }
        // The stored expiry may be earlier than the signed one: a link is closed when its task is done another way.
        if min(link.expiresAt, Double(expires)) <= now.timeIntervalSince1970 { return .expired(link) }
        return .valid(link)
    }

    /// Who last set the customer's mobile or email by hand (a change, or the customer's creation when it was
    /// never changed since); imports do not count. Nil when nobody did or it was not a user.
    static func lastSetBy(customerID: Int, field: CustomerField, on db: any Database) async throws -> UUID? {
        let last = try await CustomerChange.query(on: db).filter(\.$customerID == customerID)
            .filter(\.$field ~~ [field.rawValue, CustomerChange.createdField]).sort(\.$id, .descending).first()
        guard let last, last.source != "import" else { return nil }
        return last.actorID
    }

    struct Sent: Content {
        let linkID: Int
        let url: String
        let expiresAt: String
        let messageID: Int
        let to: String
    }

    /// Makes a link for the task's survey and queues it to the customer by SMS or email, from the template.
    // Long: every refusal checked before anything is written, then link, message and audit in one transaction.
    func send(task: FollowUpTask, channel: String, by actor: Actor) async throws -> Sent {
        guard task.status == .open else { throw AppError(.conflict, "record.refuse.notOpen") }
        guard let customer = try await Customer.find(task.$customer.id, on: db) else { throw AppError.notFound }
        guard channel == "sms" || channel == "email" else {
            throw NamedFieldError(field: "channel", key: "link.problem.channel")
        }
        guard let survey = try await RecordService.survey(for: task, on: db) else {
            throw NamedFieldError(field: "survey", key: "record.problem.noSurvey")
        }
        guard !customer.doNotDisturb else { throw NamedFieldError(field: "customer", key: "link.problem.doNotDisturb") }
        guard customer.consent else { throw NamedFieldError(field: "customer", key: "link.problem.noConsent") }
        let address = channel == "sms" ? customer.mobile : customer.email
        guard let address else {
            throw NamedFieldError(
                field: "channel", key: channel == "sms" ? "link.problem.noMobile" : "link.problem.noEmail")
        }
        if channel == "email", config.smtp == nil {
            throw NamedFieldError(field: "channel", key: "link.problem.noMailServer")
        }
        if let sender = actor.id,
            try await Self.lastSetBy(customerID: customer.id!, field: channel == "sms" ? .mobile : .email, on: db)
                == sender
        {
            // Whoever put the number or address on file could route the link to themselves and answer it.
            throw NamedFieldError(field: "channel", key: "link.problem.ownAddress")
        }
        guard
            let template = try await MessageTemplate.query(on: db).filter(
                \.$key == (channel == "sms" ? MessageTemplate.surveySMS : MessageTemplate.surveyEmail)
            ).first()
        else { throw AppError(.internalServerError, "error.internal") }

        let link = SurveyLink()
        link.taskID = task.id!
        link.surveyID = survey.id!
        link.customerID = customer.id!
        link.channel = channel
        link.expiresAt = (now.timeIntervalSince1970 + Double(config.surveyLinkDays * 86_400)).rounded(.down)
        link.createdBy = actor.name
        link.createdAt = now.timeIntervalSince1970
        return try await db.transaction { db in
            try await link.create(on: db)
            let url = try await SurveyLinks(db: db, config: config, now: now).url(for: link)
            let expires = config.formatDateTime(Date(timeIntervalSince1970: link.expiresAt))
            let values: [Placeholder: String] = [
                .name: customer.name, .salutation: Placeholder.salutation(name: customer.name, gender: customer.gender),
                .tier: customer.tier, .company: config.company, .link: url, .expires: expires, .dueDate: task.dueOn,
            ]
            let messageID = try await Outbox.enqueue(
                channel: channel, to: address, subject: Placeholder.fill(template.subject, values),
                body: Placeholder.fill(template.body, values), customerID: customer.id!, taskID: task.id, now: now,
                on: db)
            link.messageID = messageID
            try await link.update(on: db)
            try await AuditLog.record(
                "survey.link", by: actor, subjectType: "task", subjectID: String(task.id!),
                detail: "\(channel) link \(link.id!)", at: now, on: db)
            let shown = channel == "sms" ? PhoneNumber(normalised: address).masked : Masking.maskEmail(address)
            return Sent(linkID: link.id!, url: url, expiresAt: expires, messageID: messageID, to: shown)
        }
    }

    /// The link's customer asks to be contacted no more (不再联系我 on the survey page): do-not-disturb, with the
    /// consent history's row how = `survey_link`, and their pending messages cancelled.
    func optOut(_ link: SurveyLink) async throws {
        guard let customer = try await Customer.find(link.customerID, on: db) else { throw AppError.notFound }
        guard customer.erasedAt == nil else { return }  // erased: nobody is contacted, and nothing new is written
        try await CustomerOptOut(db: db, config: config, now: now).optOut(
            [customer], how: .surveyLink, note: "link \(link.id!)", address: nil)
    }

    /// The customer's answers through a valid link: a record on the task with the link's channel.
    /// The link is taken by a conditional update first, so two submissions never both count.
    func answer(_ link: SurveyLink, answers: [String: String]) async throws -> FollowUpRecord {
        guard let task = try await FollowUpTask.find(link.taskID, on: db) else { throw AppError.notFound }
        let survey = try await SurveyStore(db: db).find(link.surveyID)
        let definition = try survey.definition
        let scored = try definition.score(answers)
        let actor = Actor(
            id: nil, name: Catalogue.text("link.customer", config.defaultLanguage), address: nil, source: "link")
        let service = RecordService(db: db, config: config, actor: actor, now: now)
        let record = FollowUpRecord.reached(
            task: task, agentID: nil, agentName: actor.name, source: "link",
            channel: link.channel, at: now)
        record.surveyID = survey.id
        let low = scored.filter(\.meetsThreshold)
        record.ticketProposed = !low.isEmpty
        try await db.transaction { db in
            let taken = try await db.sql.raw(
                """
                UPDATE survey_links SET used_at = \(bind: now.timeIntervalSince1970) WHERE id = \(bind: link.id!) AND used_at IS NULL
                RETURNING id
                """
            ).all()
            guard taken.count == 1 else { throw AppError(.conflict, "link.used") }
            try await service.write(
                record, flags: ContactOutcome.reached.flags, result: .completed, answers: scored, task: task, on: db)
            try await AuditLog.record(
                "survey.answer", by: actor, subjectType: "task", subjectID: String(task.id!),
                detail: "link \(link.id!)", at: now, on: db)
        }
        guard !low.isEmpty else { return record }
        let summary = service.lowAnswerSummary(low, definition)
        if definition.ticketAction == .open {
            let ticket = try await TicketService(db: db, config: config, actor: actor, now: now)
                .open(
                    TicketInput(
                        kind: "service", severity: "general", urgent: false, source: "survey",
                        customerID: link.customerID, description: summary), taskID: task.id)
            record.ticketID = ticket.id
            try await record.update(on: db)
        } else if let agent = task.$assignedAgent.id, let user = try await User.find(agent, on: db) {
            // Proposed: the task's agent is told and decides.
            let customer = try await Customer.find(link.customerID, on: db)
            let text = Catalogue.text(
                "link.proposeText", config.defaultLanguage, [customer?.name ?? "", summary, String(task.id!)])
            try await Notifier.send(
                [
                    Notifier.Item(
                        recipient: Recipient(id: user.id!, name: user.displayName, email: user.email), ticketID: nil,
                        kind: "survey", text: text, subject: text)
                ],
                config: config, now: now, on: db)
        }
        return record
    }
}
