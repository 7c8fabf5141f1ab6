import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// One outbox message as admins see it.
struct OutboxRow: Content {
    let id: Int
    let channel: String
    let to: String
    let subject: String
    let body: String
    let status: String
    let attempts: Int
    let lastError: String?
    let createdAt: String
    let nextAttemptAt: String?
    let sentAt: String?
    let transport: String?
    let taskID: Int?
    /// The channel and status in the reader's language.
    let channelText: String
    let statusText: String
}

/// The outbox list's filters, the same on the page and in the API: `status`, `channel`, `to` (part of the
/// recipient's address or number), `from`/`until` (creation dates, both included), and the page (`after`,
/// `limit`). A wrong value is a `422` naming it.
struct MessageFilter {
    var status: MailMessage.Status?
    var channel: String?
    var to: String?
    var from: LocalDate?
    var until: LocalDate?
    var after: PageCursor?
    var limit = 100

    init() {}

    init(_ req: Request) throws {
        let text = req.queryText
        if let raw = text("status") {
            guard let status = MailMessage.Status(rawValue: raw) else {
                throw NamedFieldError(field: "status", key: "problem.unknownStatus")
            }
            self.status = status
        }
        if let raw = text("channel") {
            guard ["email", "sms"].contains(raw) else {
                throw NamedFieldError(field: "channel", key: "problem.channel")
            }
            channel = raw
        }
        to = text("to")
        from = try req.queryDate("from")
        until = try req.queryDate("until")
        limit = try req.pageLimit(default: 100)
        after = try req.pageCursor { token in PageCursor(token: token, count: 1).flatMap { $0.int(0) == nil ? nil : $0 }
        }
    }
}

extension DomainServices {
    /// A page of the outbox, newest first; audited.
    func outboxPage(_ filter: MessageFilter) async throws -> KeysetPage<OutboxRow> {
        let query = outboxQuery(filter).sort(\.$id, .descending)
        if let after = filter.after?.int(0) { query.filter(\.$id < after) }
        let found = try await query.limit(filter.limit + 1).all()
        let page = KeysetPage(found, limit: filter.limit) { PageCursor(["\($0.id!)"]) }
        try await audit("message.list", subjectType: "message", detail: "count=\(page.rows.count)")
        return KeysetPage(page.rows.map(outboxRow), next: page.next)
    }

    /// How many messages the filter finds, up to `ListTotal.cap` (nil beyond).
    func outboxCount(_ filter: MessageFilter) async throws -> Int? {
        try await outboxQuery(filter).countUpToCap()
    }

    private func outboxQuery(_ filter: MessageFilter) -> QueryBuilder<MailMessage> {
        let query = MailMessage.query(on: db)
        if let status = filter.status { query.filter(\.$status == status) }
        if let channel = filter.channel { query.filter(\.$channel == channel) }
        if let to = filter.to {
            query.filter(.sql(embed: "to_address LIKE \(bind: CustomerStore.likePattern(to)) ESCAPE '\\'"))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = config.timeZone
        func start(_ day: LocalDate) -> Double {
            calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!.timeIntervalSince1970
        }
        if let from = filter.from { query.filter(\.$createdAt >= start(from)) }
        if let until = filter.until { query.filter(\.$createdAt < start(until.adding(days: 1))) }
        return query
    }

    private func outboxRow(_ message: MailMessage) -> OutboxRow {
        func time(_ seconds: Double?) -> String? {
            seconds.map { config.formatDateTime(Date(timeIntervalSince1970: $0)) }
        }
        return OutboxRow(
            id: message.id!, channel: message.channel, to: message.to, subject: message.subject, body: message.body,
            status: message.status.rawValue,
            attempts: message.attempts, lastError: message.lastError, createdAt: time(message.createdAt) ?? "",
            nextAttemptAt: message.status == .pending ? time(message.nextAttemptAt) : nil,
            sentAt: time(message.sentAt),
            transport: message.transport, taskID: message.taskID,
            channelText: t("channel." + message.channel),
            statusText: t("messages.status." + message.status.rawValue))
    }

    /// Puts a failed message back in the queue, to be sent at the next delivery.
    func retryMessage(_ id: Int) async throws {
        guard let message = try await MailMessage.find(id, on: db) else { throw AppError.notFound }
        guard message.status == .failed else { throw AppError(.conflict, "messages.refuse.notFailed") }
        message.status = .pending
        message.attempts = 0
        message.nextAttemptAt = now.timeIntervalSince1970
        message.claimedUntil = nil
        try await message.update(on: db)
        try await audit("message.retry", subjectType: "message", subjectID: String(id))
    }

}

struct MessageAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let messages = routes.grouped("messages").guarded(.administration, .api)
        messages.get(use: list)
        messages.post("deliver", use: deliver)
        messages.post(":id", "retry", use: retry)
        let templates = routes.grouped("message-templates").guarded(.surveys, .api)
        templates.get(use: templateList)
        templates.put(":key", use: saveTemplate)
    }

    struct TemplateInput: Content {
        var key: String?
        var name: String?
        var channel: String?
        var subject: String?
        var body: String
    }

    struct PageDTO: Content {
        let items: [OutboxRow]
        /// Pass as `after` for the next page; absent on the last page.
        let nextCursor: String?
    }

    @Sendable func list(req: Request) async throws -> PageDTO {
        let page = try await req.domain.outboxPage(try MessageFilter(req))
        return PageDTO(items: page.rows, nextCursor: page.next?.token)
    }

    @Sendable func deliver(req: Request) async throws -> Outbox.Delivery {
        try await req.domain.outbox.deliver(now: req.now)
    }

    @Sendable func retry(req: Request) async throws -> HTTPStatus {
        try await req.domain.retryMessage(req.parameters.get("id", as: Int.self) ?? 0)
        return .noContent
    }

    @Sendable func templateList(req: Request) async throws -> [TemplateInput] {
        try await MessageTemplate.query(on: req.db).sort(\.$key).all().map {
            TemplateInput(key: $0.key, name: $0.name, channel: $0.channel, subject: $0.subject, body: $0.body)
        }
    }

    @Sendable func saveTemplate(req: Request) async throws -> TemplateInput {
        let input = try req.content.decode(TemplateInput.self)
        let saved = try await req.domain.saveTemplate(
            key: req.parameters.get("key") ?? "", subject: input.subject ?? "", body: input.body)
        return TemplateInput(
            key: saved.key, name: saved.name, channel: saved.channel, subject: saved.subject, body: saved.body)
    }
}

extension DomainServices {
    /// Saves a template's text; a placeholder that does not exist is refused by name.
    func saveTemplate(key: String, subject: String, body: String) async throws -> MessageTemplate {
        guard let template = try await MessageTemplate.query(on: db).filter(\.$key == key).first() else {
            throw AppError.notFound
        }
        var errors: [NamedFieldError] = []
        let body = body.trimmingWhitespace()
        let subject = subject.trimmingWhitespace()
        if body.isEmpty { errors.append(.init(field: "body", key: "problem.required")) }
        if body.count > (template.channel == "sms" ? 500 : 10_000) {
            errors.append(
                .init(field: "body", key: "problem.tooLong", arguments: [template.channel == "sms" ? "500" : "10000"]))
        }
        if template.channel == "email", subject.isEmpty {
            errors.append(.init(field: "subject", key: "problem.required"))
        }
        if TextLimit.exceeds(subject, TextLimit.line) { errors.append(.tooLong("subject", TextLimit.line)) }
        for (field, text) in [("subject", subject), ("body", body)] {
            let unknown = Placeholder.unknown(in: text)
            if !unknown.isEmpty {
                errors.append(
                    .init(
                        field: field, key: "messages.problem.placeholder",
                        arguments: [unknown.map { "{\($0)}" }.joined(separator: "、")]))
            }
        }
        if !body.contains("{问卷链接}"), !body.contains("{link}") {
            errors.append(.init(field: "body", key: "messages.problem.noLink"))
        }
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        template.subject = subject
        template.body = body
        try await template.update(on: db)
        try await audit("template.update", subjectType: "template", subjectID: key)
        return template
    }
}

/// The outbox for admins (what was sent, what waits, what failed and why) and the templates for supervisors.
struct MessagePagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let messages = routes.grouped("messages").guarded(.administration, .page)
        messages.get(use: list)
        messages.post("deliver", use: deliver)
        messages.post(":id", "retry", use: retry)
        let templates = routes.grouped("surveys", "templates").guarded(.surveys, .page)
        templates.get(use: templateList)
        templates.post(":key", use: saveTemplate)
    }

    struct Context: Encodable {
        let rows: [OutboxRow]
        let statuses: [SelectOption]
        let channels: [SelectOption]
        let counts: [String: Int]
        let smtp: Bool
        let sms: String
        let to: String
        let from: String
        let until: String
        let total: String
        let nextURL: String?
        let isFiltered: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        let filter = try MessageFilter(req)
        let page = try await req.domain.outboxPage(filter)
        var counts: [String: Int] = [:]
        for state in MailMessage.Status.allCases {
            counts[state.rawValue] = try await MailMessage.query(on: req.db).filter(\.$status == state).count()
        }
        let config = req.application.huifang
        let sms: String
        switch config.sms {
        case .log: sms = req.t("messages.smsLog")
        case .http(let url, _): sms = url
        }
        let status = filter.status?.rawValue ?? ""
        let channel = filter.channel ?? ""
        return try await req.renderPage(
            "messages/index", titleKey: "messages.title",
            Context(
                rows: page.rows,
                statuses: [SelectOption(value: "", label: req.t("common.all"), selected: status.isEmpty)]
                    + MailMessage.Status.allCases.map {
                        SelectOption(
                            value: $0.rawValue, label: req.t("messages.status." + $0.rawValue),
                            selected: $0.rawValue == status)
                    },
                channels: [SelectOption(value: "", label: req.t("common.all"), selected: channel.isEmpty)]
                    + ["email", "sms"].map {
                        SelectOption(value: $0, label: req.t("channel." + $0), selected: $0 == channel)
                    },
                counts: counts, smtp: config.smtp != nil, sms: sms, to: filter.to ?? "", from: filter.from?.iso ?? "",
                until: filter.until?.iso ?? "", total: req.listTotal(try await req.domain.outboxCount(filter)),
                nextURL: req.nextPageURL(page.next),
                isFiltered: filter.status != nil || filter.channel != nil || filter.to != nil || filter.from != nil
                    || filter.until != nil))
    }

    @Sendable func deliver(req: Request) async throws -> Response {
        let delivery = try await req.domain.outbox.deliver(now: req.now)
        req.flash("messages.delivered", String(delivery.sent), String(delivery.retrying), String(delivery.failed))
        return req.redirect(to: "/messages")
    }

    @Sendable func retry(req: Request) async throws -> Response {
        try await req.domain.retryMessage(req.parameters.get("id", as: Int.self) ?? 0)
        req.flash("messages.requeued")
        return req.redirect(to: "/messages?status=pending")
    }

    struct TemplateRow: Encodable {
        let key: String
        let name: String
        let channel: String
        let isEmail: Bool
        let subject: String
        let body: String
        let errors: [String]
    }

    struct TemplatesContext: Encodable {
        let rows: [TemplateRow]
        let placeholders: String
    }

    @Sendable func templateList(req: Request) async throws -> Response {
        try await templatesPage(req, edited: nil, errors: [])
    }

    private func templatesPage(_ req: Request, edited: (key: String, subject: String, body: String)?, errors: [String])
        async throws -> Response
    {
        let rows = try await MessageTemplate.query(on: req.db).sort(\.$key).all().map { template in
            let mine = edited?.key == template.key
            return TemplateRow(
                key: template.key, name: template.name, channel: req.t("channel." + template.channel),
                isEmail: template.channel == "email",
                subject: mine ? edited!.subject : template.subject, body: mine ? edited!.body : template.body,
                errors: mine ? errors : [])
        }
        let placeholders = Placeholder.allCases.map { "{\($0.chinese)}" }.joined(separator: " ")
        let response = try await req.renderPage(
            "messages/templates", titleKey: "templates.title", TemplatesContext(rows: rows, placeholders: placeholders))
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    @Sendable func saveTemplate(req: Request) async throws -> Response {
        let key = req.parameters.get("key") ?? ""
        let form = try req.content.decode([String: String].self)
        do {
            _ = try await req.domain.saveTemplate(key: key, subject: form["subject"] ?? "", body: form["body"] ?? "")
        } catch let failure as NamedFieldErrors {
            return try await templatesPage(
                req, edited: (key, form["subject"] ?? "", form["body"] ?? ""),
                errors: failure.errors.map {
                    req.t("templates." + $0.field) + "：" + Catalogue.text($0.key, req.language, $0.arguments)
                })
        }
        req.flash("common.saved")
        return req.redirect(to: "/surveys/templates")
    }
}

extension Operations {
    /// One delivery of the outbox now; what `huifang deliver` prints.
    public static func deliver(on app: Application, json: Bool) async throws -> String {
        let domain = app.domain(as: .commandLine())
        let delivery = try await domain.outbox.deliver(now: domain.now)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(delivery), as: UTF8.self)
        }
        return Catalogue.text(
            "messages.delivered", app.huifang.defaultLanguage,
            [String(delivery.sent), String(delivery.retrying), String(delivery.failed)])
    }
}
