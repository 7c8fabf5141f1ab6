import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

extension DomainServices {
    /// The agent's next task on the call list: due callbacks first, then by priority and due time;
    /// retries waiting for a later window are left until then.
    func nextTaskID(of viewer: User, after: Int?) async throws -> Int? {
        struct Row: Decodable { let id: Int }
        let now = self.now
        return try await db.sql.raw(
            """
            SELECT id FROM follow_up_tasks WHERE assigned_agent_id = \(bind: viewer.id!) AND status = 'open'
            AND (callback_at IS NULL OR callback_at <= \(bind: now)) AND id <> \(bind: after ?? 0)
            AND due_on <= \(bind: today.iso)
            ORDER BY CASE WHEN callback_at IS NULL THEN 1 ELSE 0 END, callback_at, priority, due_at, id LIMIT 1
            """
        ).first(decoding: Row.self)?.id
    }
}

extension RecordInput {
    /// Reads the workspace form: `answer.<key>` answers, `correct.<field>` corrections.
    init(form: [String: String]) {
        outcome = form["outcome"] ?? ""
        channel = form["channel"]
        startedAt = form["startedAt"]
        endedAt = nil
        notes = form["notes"]
        callbackAt = form["callbackAt"]
        recordingConsent = form["recordingConsent"] != nil
        recordingRef = form["recordingRef"]
        surveyID = form["surveyID"].flatMap { Int($0) }
        answers = Self.answers(form)
        corrections = Dictionary(
            form.filter { $0.key.hasPrefix("correct.") && !$0.value.trimmingWhitespace().isEmpty }
                .map { (String($0.key.dropFirst(8)), $0.value) }, uniquingKeysWith: { a, _ in a })
        openTicket = form["openTicket"] != nil
        ticketKind = form["ticketKind"]
        ticketSeverity = form["ticketSeverity"]
        ticketDescription = form["ticketDescription"]
        surveyDeclined = form["surveyDeclined"] != nil
    }
}

extension RecordInput {
    /// The survey answers of a form (`answer.<key>` fields), as the workspace and the customer's page send them.
    static func answers(_ form: [String: String]) -> [String: String] {
        Dictionary(
            form.filter { $0.key.hasPrefix("answer.") }.map { (String($0.key.dropFirst(7)), $0.value) },
            uniquingKeysWith: { a, _ in a })
    }
}

extension Request {
    /// A refused answer as the person answering knows it: "第 2 题：此题必答".
    func answerProblems(_ errors: [NamedFieldError], _ questions: [SurveyQuestion]) -> [String] {
        let numbers = Dictionary(
            questions.enumerated().map { ($0.element.key, $0.offset + 1) }, uniquingKeysWith: { a, _ in a })
        return errors.map { error in
            let label =
                error.field.hasPrefix("answers.")
                ? t(
                    "workspace.question",
                    numbers[String(error.field.dropFirst(8))].map(String.init) ?? String(error.field.dropFirst(8)))
                : fieldLabel(error.field)
            return label + "：" + Catalogue.text(error.key, language, error.arguments)
        }
    }
}

/// The agent workspace: one task on one screen, recorded in seconds.
struct WorkspacePagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tasks = routes.grouped("tasks").guarded(.callList, .page)
        tasks.get("next", use: next)
        tasks.get(":id", use: show)
        tasks.post(":id", "reveal", use: reveal)
        tasks.post(":id", "records", use: record)
        tasks.post(":id", "links", use: sendLink)
    }

    @Sendable func next(req: Request) async throws -> Response {
        if let id = try await req.domain.nextTaskID(
            of: try req.auth.require(User.self), after: req.query[Int.self, at: "after"])
        {
            return req.redirect(to: "/tasks/\(id)")
        }
        // Keeps what the last record said, then says the list is done.
        req.session.data["flash"] = [req.session.data["flash"], req.t("workspace.noneLeft")].compactMap { $0 }.joined(
            separator: " ")
        return req.redirect(to: "/tasks/mine")
    }

    @Sendable func show(req: Request) async throws -> Response {
        let task = try await req.workableTask()
        try await req.domain.audit(
            "task.view", subjectType: "customer", subjectID: String(task.$customer.id), detail: "task \(task.id!)")
        return try await req.renderPage(
            "tasks/workspace", titleKey: "workspace.title", titleArguments: [String(task.id!)],
            try await req.domain.workspace(task, viewer: try req.auth.require(User.self)))
    }

    @Sendable func reveal(req: Request) async throws -> Response {
        let task = try await req.workableTask()
        try await req.domain.audit(
            "customer.reveal", subjectType: "customer", subjectID: String(task.$customer.id), detail: "task \(task.id!)"
        )
        return try await req.renderPage(
            "tasks/workspace", titleKey: "workspace.title", titleArguments: [String(task.id!)],
            try await req.domain.workspace(task, viewer: try req.auth.require(User.self), reveal: true))
    }

    @Sendable func record(req: Request) async throws -> Response {
        let task = try await req.workableTask()
        let input = RecordInput(form: try req.content.decode([String: String].self))
        let result: RecordResult
        do {
            result = try await req.domain.records.record(input, on: task, by: req.auth.get(User.self))
        } catch let failure as NamedFieldErrors {
            // A page left open too long starts the call again from now, so the next save can pass.
            var input = input
            if failure.errors.contains(where: { $0.field == "startedAt" }) { input.startedAt = nil }
            let questions = try await RecordService.survey(for: task, on: req.db)?.definition.questions ?? []
            let messages = req.answerProblems(failure.errors, questions)
            let response = try await req.renderPage(
                "tasks/workspace", titleKey: "workspace.title", titleArguments: [String(task.id!)],
                try await req.domain.workspace(
                    task, viewer: try req.auth.require(User.self), form: input, errors: messages))
            response.status = .unprocessableEntity
            return response
        }
        var message = req.t("workspace.saved", req.t("outcome." + input.outcome), req.t("result." + result.result))
        if let at = result.nextAttemptAt { message += req.t("workspace.nextAttempt", at) }
        if let ticket = result.ticketID { message += req.t("workspace.ticketOpened", String(ticket)) }
        if result.callId != nil { message += req.t("workspace.timedByPhoneSystem", String(result.durationSeconds)) }
        req.session.data["flash"] = message
        return req.redirect(to: "/tasks/next?after=\(task.id!)")
    }

    @Sendable func sendLink(req: Request) async throws -> Response {
        let task = try await req.workableTask()
        let channel = (try? req.content.get(String.self, at: "channel")) ?? ""
        do {
            let sent = try await req.domain.surveyLinks.send(
                task: task, channel: channel, by: req.actor)
            req.flash("workspace.linkSent", req.t("channel." + channel), sent.to, sent.expiresAt)
        } catch let error as NamedFieldError {
            req.session.data["flash"] = Catalogue.text(error.key, req.language, error.arguments)
        }
        return req.redirect(to: "/tasks/\(task.id!)")
    }
}

struct WorkspaceAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tasks = routes.grouped("tasks").guarded(.callList, .api)
        tasks.get("next", use: next)
        tasks.get(":id", use: show)
        tasks.post(":id", "records", use: record)
        tasks.post(":id", "survey-links", use: sendLink)
    }

    struct LinkInput: Content { let channel: String }
    /// What the agent learns of a sent link: never the link itself, which only the customer gets (an
    /// agent holding it could answer the survey as the customer).
    struct LinkSent: Content {
        let linkID: Int
        let expiresAt: String
        let messageID: Int
        /// The customer's masked number or address.
        let to: String

        init(_ sent: SurveyLinks.Sent) {
            (linkID, expiresAt, messageID, to) = (sent.linkID, sent.expiresAt, sent.messageID, sent.to)
        }
    }
    struct Next: Content { let taskID: Int? }

    @Sendable func next(req: Request) async throws -> Next {
        Next(
            taskID: try await req.domain.nextTaskID(
                of: try req.auth.require(User.self), after: try req.integerQuery("after")))
    }

    @Sendable func show(req: Request) async throws -> Workspace {
        let task = try await req.workableTask()
        try await req.domain.audit(
            "task.view", subjectType: "customer", subjectID: String(task.$customer.id), detail: "task \(task.id!)")
        return try await req.domain.workspace(task, viewer: try req.auth.require(User.self))
    }

    @Sendable func record(req: Request) async throws -> Response {
        let task = try await req.workableTask()
        let input = try req.content.decode(RecordInput.self)
        let result = try await req.domain.records.record(input, on: task, by: req.auth.get(User.self))
        return try await result.encodeResponse(status: .created, for: req)
    }

    @Sendable func sendLink(req: Request) async throws -> Response {
        let task = try await req.workableTask()
        let input = try req.content.decode(LinkInput.self)
        let sent = try await req.domain.surveyLinks.send(
            task: task, channel: input.channel, by: req.actor)
        return try await LinkSent(sent).encodeResponse(status: .created, for: req)
    }
}

extension Request {
    /// A refused field as the agent knows it.
    func fieldLabel(_ field: String) -> String {
        if field.hasPrefix("corrections.") { return t("field." + field.dropFirst(12)) }
        let key = "record.field." + field
        return Catalogue.contains(key) ? t(key) : field
    }
}
