import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A knowledge-base article as the API and the call form show it.
struct ArticleView: Content {
    let id: Int
    let question: String
    let answer: String
    let keywords: String
    let updatedBy: String
    let updatedAt: String

    init(_ article: KnowledgeArticle, config: HuifangConfig) {
        id = article.id!
        question = article.question
        answer = article.answer
        keywords = article.keywords
        updatedBy = article.updatedBy
        updatedAt = config.formatDateTime(article.updatedAt)
    }
}

struct ArticleInput: Content {
    var question: String
    var answer: String
    var keywords: String?
}

extension DomainServices {
    /// Articles whose question, answer or keywords hold every word of `text` (all articles when empty).
    func searchArticles(_ text: String, limit: Int = 20) async throws -> [ArticleView] {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "，" }).map(String.init).prefix(5)
        var query = KnowledgeArticle.query(on: db)
        for word in words {
            let pattern =
                "%" + word.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            query = query.group(.or) { group in
                group.filter(\.$question, .custom("LIKE"), pattern)
                group.filter(\.$answer, .custom("LIKE"), pattern)
                group.filter(\.$keywords, .custom("LIKE"), pattern)
            }
        }
        return try await query.sort(\.$question).limit(limit).all().map { ArticleView($0, config: config) }
    }

    func deleteArticle(_ article: KnowledgeArticle) async throws {
        try await db.transaction { db in
            try await article.delete(on: db)
            try await AuditLog.record(
                "kb.delete", by: self.actor, subjectType: "kb", subjectID: String(article.id!),
                detail: article.question, at: self.now, on: db)
        }
    }

    func saveArticle(_ article: KnowledgeArticle, _ input: ArticleInput, by editor: User) async throws {
        var errors: [NamedFieldError] = []
        let question = input.question.trimmingWhitespace()
        let answer = input.answer.trimmingWhitespace()
        if question.isEmpty { errors.append(.init(field: "question", key: "problem.required")) }
        if question.count > 300 { errors.append(.init(field: "question", key: "problem.tooLong", arguments: ["300"])) }
        if answer.isEmpty { errors.append(.init(field: "answer", key: "problem.required")) }
        if answer.count > 5000 { errors.append(.init(field: "answer", key: "problem.tooLong", arguments: ["5000"])) }
        if TextLimit.exceeds(input.keywords, TextLimit.line) { errors.append(.tooLong("keywords", TextLimit.line)) }
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        let isNew = article.id == nil
        article.question = question
        article.answer = answer
        article.keywords = (input.keywords ?? "").trimmingWhitespace()
        article.updatedBy = editor.displayName
        try await db.transaction { db in
            try await article.save(on: db)
            try await AuditLog.record(
                isNew ? "kb.create" : "kb.update", by: self.actor, subjectType: "kb", subjectID: String(article.id!),
                detail: question, at: self.now, on: db)
        }
    }
}

/// `/api/v1/calls` and `/api/v1/kb`.
struct CallAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let calls = routes.grouped("calls").guarded(.calls, .api)
        calls.post(use: create)
        calls.get(use: list)
        calls.get("lookup", use: lookup)
        routes.grouped("kb").guarded(.calls, .api).get(use: search)
        let kb = routes.grouped("kb").guarded(.ticketOversight, .api)
        kb.post(use: createArticle)
        kb.put(":id", use: updateArticle)
        kb.delete(":id", use: deleteArticle)
    }

    struct Found: Content {
        let id: Int
        let name: String
        let tier: String
        let mobile: String?
        let openTickets: Int
    }

    @Sendable func create(req: Request) async throws -> Response {
        let outcome = try await req.domain.calls(by: try req.auth.require(User.self)).log(
            try req.content.decode(CallInput.self))
        return try await outcome.encodeResponse(status: .created, for: req)
    }

    @Sendable func list(req: Request) async throws -> CallPageDTO {
        let page = try await req.callPage(try await req.callFilter())
        return CallPageDTO(items: page.rows, nextCursor: page.next?.token)
    }

    @Sendable func lookup(req: Request) async throws -> [Found] {
        let phone = try req.searchTerm("phone")
        guard !phone.isEmpty else { throw NamedFieldError(field: "phone", key: "problem.required") }
        return try await req.domain.callerLookup(phone, viewer: try req.auth.require(User.self))
    }

    @Sendable func search(req: Request) async throws -> [ArticleView] {
        try await req.domain.searchArticles(try req.searchTerm("q"))
    }

    @Sendable func createArticle(req: Request) async throws -> Response {
        let article = KnowledgeArticle()
        try await req.domain.saveArticle(
            article, try req.content.decode(ArticleInput.self), by: try req.auth.require(User.self))
        return try await ArticleView(article, config: req.application.huifang).encodeResponse(
            status: .created, for: req)
    }

    @Sendable func updateArticle(req: Request) async throws -> ArticleView {
        guard let article = try await KnowledgeArticle.find(req.parameters.get("id", as: Int.self), on: req.db) else {
            throw AppError.notFound
        }
        try await req.domain.saveArticle(
            article, try req.content.decode(ArticleInput.self), by: try req.auth.require(User.self))
        return ArticleView(article, config: req.application.huifang)
    }

    @Sendable func deleteArticle(req: Request) async throws -> HTTPStatus {
        guard let article = try await KnowledgeArticle.find(req.parameters.get("id", as: Int.self), on: req.db) else {
            throw AppError.notFound
        }
        try await req.domain.deleteArticle(article)
        return .noContent
    }
}

extension DomainServices {
    /// The customers a caller's number finds, contact details as the viewer may see them; audited.
    func callerLookup(_ phone: String, viewer: User) async throws -> [CallAPIController.Found] {
        let customers = try await CallService.customers(withPhone: phone, on: db)
        var found: [CallAPIController.Found] = []
        for customer in customers {
            let open = try await Ticket.query(on: db).filter(\.$customer.$id == customer.id!).filter(
                \.$status !~ [.closed, .adopted, .declined]
            ).count()
            found.append(
                .init(
                    id: customer.id!, name: customer.name, tier: customer.tier,
                    mobile: VisibleContact(customer: customer, viewer: viewer).mobile, openTickets: open))
        }
        try await audit(
            "call.lookup", subjectType: "customer", subjectID: customers.first.map { String($0.id!) },
            detail: "found=\(customers.count)")
        return found
    }
}

/// The call form, the call log and the knowledge base pages.
struct CallPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let calls = routes.grouped("calls").guarded(.calls, .page)
        calls.get(use: log)
        calls.get("export.csv", use: exportCSV)
        calls.get("new", use: form)
        calls.post(use: create)
        calls.get("lookup", use: lookup)
        let kb = routes.grouped("kb").guarded(.calls, .page)
        kb.get(use: knowledgeBase)
        kb.get("search", use: search)
        let kbEdit = routes.grouped("kb").guarded(.ticketOversight, .page)
        kbEdit.post(use: createArticle)
        kbEdit.post(":id", use: updateArticle)
        kbEdit.post(":id", "delete", use: deleteArticle)
    }

    struct FormPage: Encodable {
        let values: [String: String]
        let error: String?
        let now: String
        let promiseDefault: String
        let matters: [SelectOption]
        /// The ticket's category, for a call turned into a ticket; the first choice takes it from the matter.
        let categories: [SelectOption]
        let kinds: [SelectOption]
        let severities: [SelectOption]
        let departments: [SelectOption]
        let recent: [CallRow]
    }

    @Sendable func form(req: Request) async throws -> Response {
        // The call started when the form opened: its time is stamped then, to the minute (the agent may correct it).
        var values = [
            "handling": "answered", "ticketKind": "complaint", "severity": "general",
            "at": CallPagesController.inputValue(req.now, req.application.huifang),
        ]
        // Opened from a ringing call's pop-up: the caller's number (masked as the pop-up showed it; the server takes
        // the number from the call) and the call's time, for the agent it rang for.
        let agent = try req.auth.require(User.self)
        if let id = req.query[Int.self, at: "call"], let call = try await PhoneCall.find(id, on: req.db),
            call.agentID == agent.id
        {
            values["phone"] = call.number(shownTo: agent, customer: try await call.customer(on: req.db))
            values["phoneCall"] = String(id)
            if let started = call.answeredAt ?? call.rangAt {
                values["at"] = Self.inputValue(Date(timeIntervalSince1970: started), req.application.huifang)
            }
        }
        return try await formPage(req, values: values, error: nil)
    }

    private func formPage(_ req: Request, values: [String: String], error: String?) async throws -> Response {
        let config = req.application.huifang
        let now = req.now
        let settings = try await TicketSettingsRecord.load(on: req.db).settings
        let user = try req.auth.require(User.self)
        let promise = try await req.domain.calendars.defaultBusiness().addWorkingHours(2, to: now)
        let page = FormPage(
            values: values, error: error, now: config.formatDateTime(now),
            promiseDefault: Self.inputValue(promise, config),
            matters: try await req.domain.names.callMatters(activeOnly: true).map {
                SelectOption(value: $0.code, label: $0.name, selected: values["matter"] == $0.code)
            },
            categories: [
                SelectOption(
                    value: "", label: req.t("calls.categoryFromMatter"), selected: (values["category"] ?? "").isEmpty)
            ]
                + settings.categories.map {
                    SelectOption(value: $0.code, label: $0.name, selected: values["category"] == $0.code)
                },
            kinds: TicketKind.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("ticket.kind.\($0.rawValue)"),
                    selected: values["ticketKind"] == $0.rawValue)
            },
            severities: Severity.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("ticket.severity.\($0.rawValue)"),
                    selected: values["severity"] == $0.rawValue)
            },
            departments: try await Department.query(on: req.db).sort(\.$name).all().map {
                SelectOption(
                    value: $0.id!.uuidString, label: $0.name, selected: values["department"] == $0.id!.uuidString)
            },
            recent: try await req.callPage(CallFilter(agentID: user.id, limit: 10)).rows)
        let response = try await req.renderPage("calls/new", titleKey: "calls.new", page)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    /// `2026-11-26T15:30` for a datetime-local input.
    static func inputValue(_ date: Date, _ config: HuifangConfig) -> String {
        config.formatDateTime(date).replacingOccurrences(of: " ", with: "T")
    }

    @Sendable func create(req: Request) async throws -> Response {
        var form = try req.content.decode([String: String].self)
        form["_csrf"] = nil
        let input = CallInput(
            phone: form["phone"] ?? "", name: form["name"], at: form["at"]?.replacingOccurrences(of: "T", with: " "),
            matter: form["matter"] ?? "",
            summary: form["summary"] ?? "", handling: form["handling"] ?? "",
            articleID: form["articleID"].flatMap { Int($0) },
            promisedBy: form["promisedBy"]?.replacingOccurrences(of: "T", with: " "), category: form["category"],
            ticketKind: form["ticketKind"],
            severity: form["severity"],
            urgent: form["urgent"] != nil, department: form["department"], handler: nil,
            recordingConsent: form["recordingConsent"] != nil, phoneCallID: form["phoneCall"].flatMap { Int($0) })
        do {
            let outcome = try await req.domain.calls(by: try req.auth.require(User.self)).log(input)
            if let ticket = outcome.ticketID {
                req.flash("calls.loggedTicket", "\(outcome.callID)", "\(ticket)")
            } else if let task = outcome.callbackTaskID {
                req.flash("calls.loggedCallback", "\(outcome.callID)", "\(task)")
            } else {
                req.flash("calls.logged", "\(outcome.callID)")
            }
            return req.redirect(to: "/calls/new")
        } catch {
            guard let message = req.userMessage(for: error) else { throw error }
            return try await formPage(req, values: form, error: message)
        }
    }

    /// `?phone=` as typed, or `?call=N`: the number of a phone call that rang for this agent (its form shows it
    /// masked).
    @Sendable func lookup(req: Request) async throws -> [CallAPIController.Found] {
        let viewer = try req.auth.require(User.self)
        if let id = req.query[Int.self, at: "call"] {
            guard let call = try await PhoneCall.find(id, on: req.db), call.agentID == viewer.id else {
                throw AppError.notFound
            }
            return try await req.domain.callerLookup(call.customerNumber, viewer: viewer)
        }
        return try await req.domain.callerLookup(try req.searchTerm("phone"), viewer: viewer)
    }

    struct LogPage: Encodable {
        let rows: [CallRow]
        let from: String
        let to: String
        let handlings: [SelectOption]
        let agents: [SelectOption]
        let matters: [SelectOption]
        let nextURL: String?
        /// "共 12 条" or "超过 1000 条".
        let total: String
        /// The export of exactly this filter.
        let exportURL: String
        /// Some filter is set: an empty page offers to clear them.
        let isFiltered: Bool
        /// Admins and supervisors keep the list of call matters.
        let canEditMatters: Bool
    }

    @Sendable func log(req: Request) async throws -> Response {
        let filter = try await req.callFilter()
        let calls = try await req.callPage(filter)
        let agents = try await User.query(on: req.db).filter(\.$role ~~ [.agent, .supervisor]).sort(\.$displayName)
            .all()
        let page = LogPage(
            rows: calls.rows, from: filter.from?.iso ?? "", to: filter.to?.iso ?? "",
            handlings: [SelectOption(value: "", label: req.t("calls.anyHandling"), selected: filter.handling == nil)]
                + InboundCall.Handling.allCases.map {
                    SelectOption(
                        value: $0.rawValue, label: req.t("calls.handling.\($0.rawValue)"),
                        selected: filter.handling == $0)
                },
            agents: [SelectOption(value: "", label: req.t("calls.anyAgent"), selected: filter.agentID == nil)]
                + agents.map {
                    SelectOption(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == filter.agentID)
                },
            matters: [SelectOption(value: "", label: req.t("calls.anyMatter"), selected: filter.matter == nil)]
                + (try await req.domain.names.callMatters()).map {
                    SelectOption(value: $0.code, label: $0.name, selected: $0.code == filter.matter)
                },
            nextURL: req.nextPageURL(calls.next), total: req.listTotal(try await req.domain.callCount(filter)),
            exportURL: "/calls/export.csv" + (req.url.query.map { "?" + $0 } ?? ""),
            isFiltered: filter.from != nil || filter.to != nil || filter.handling != nil || filter.agentID != nil
                || filter.matter != nil || filter.id != nil,
            canEditMatters: RouteAccess.ticketOversight.roles.contains(try req.auth.require(User.self).role))
        return try await req.renderPage("calls/index", titleKey: "calls.title", page)
    }

    /// The call log of exactly the filter on the page, numbers masked as the page masks them; audited with the
    /// filter. An agent exports only the calls they took: the page lets them read the others one page at a time,
    /// but a file of everyone's callers is a supervisor's to take.
    @Sendable func exportCSV(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        var filter = try await req.callFilter()
        if user.role == .agent { filter.agentID = user.id }
        filter.after = nil
        filter.limit = 100_000
        let rows = try await req.domain.callRows(filter, viewer: user).rows
        try await req.domain.audit("call.export", subjectType: "call", detail: req.exportDetail(count: rows.count))
        let t = { (key: String) in req.t(key) }
        let heading = [
            "#", t("calls.at"), t("calls.agent"), t("tickets.customer"), t("calls.phone"), t("calls.matter"),
            t("calls.summary"), t("calls.handling"), t("calls.ticketColumn"), t("calls.promisedBy"),
        ]
        let document = try await offTheEventLoop {
            CSVWriter.document(
                text: [heading]
                    + rows.map {
                        [
                            "\($0.id)", $0.at, $0.agent, $0.customerName, $0.phone, $0.matter, $0.summary,
                            $0.handlingName, $0.ticketID.map { "#\($0)" } ?? "", $0.promisedBy ?? "",
                        ]
                    })
        }
        return csvResponse(document, name: "calls-\(req.today.iso).csv")
    }

    struct KnowledgePage: Encodable {
        let query: String
        let articles: [ArticleView]
        let canEdit: Bool
    }

    @Sendable func knowledgeBase(req: Request) async throws -> Response {
        let query = try req.searchTerm("q")
        let user = try req.auth.require(User.self)
        let page = KnowledgePage(
            query: query, articles: try await req.domain.searchArticles(query, limit: 200),
            canEdit: RouteAccess.ticketOversight.roles.contains(user.role))
        return try await req.renderPage("calls/kb", titleKey: "kb.title", page)
    }

    @Sendable func search(req: Request) async throws -> [ArticleView] {
        try await req.domain.searchArticles(try req.searchTerm("q"), limit: 8)
    }

    @Sendable func createArticle(req: Request) async throws -> Response {
        let input = try req.content.decode(ArticleInput.self)
        return try await req.change(back: "/kb") {
            try await req.domain.saveArticle(KnowledgeArticle(), input, by: try req.auth.require(User.self))
        }
    }

    @Sendable func updateArticle(req: Request) async throws -> Response {
        guard let article = try await KnowledgeArticle.find(req.parameters.get("id", as: Int.self), on: req.db) else {
            throw AppError.notFound
        }
        let input = try req.content.decode(ArticleInput.self)
        return try await req.change(back: "/kb") {
            try await req.domain.saveArticle(article, input, by: try req.auth.require(User.self))
        }
    }

    @Sendable func deleteArticle(req: Request) async throws -> Response {
        guard let article = try await KnowledgeArticle.find(req.parameters.get("id", as: Int.self), on: req.db) else {
            throw AppError.notFound
        }
        return try await req.change(back: "/kb", savedKey: "common.deleted") {
            try await req.domain.deleteArticle(article)
        }
    }
}
