import Fluent
import Foundation
import HuifangCore
import Vapor

struct SurveyAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let surveys = routes.grouped("surveys").guarded(.surveys, .api)
        surveys.get(use: list)
        surveys.post(use: create)
        surveys.get(":id", use: show)
        surveys.put(":id", use: update)
    }

    @Sendable func list(req: Request) async throws -> [SurveyInput] {
        try await req.domain.surveys.current().map { SurveyInput($0, try $0.definition) }
    }

    @Sendable func show(req: Request) async throws -> SurveyInput {
        let survey = try await req.domain.surveys.find(req.parameters.get("id", as: Int.self) ?? 0)
        return SurveyInput(survey, try survey.definition)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let survey = try await req.domain.surveys.create(
            try req.content.decode(SurveyInput.self), by: req.actor, at: req.now)
        return try await SurveyInput(survey, try survey.definition).encodeResponse(status: .created, for: req)
    }

    /// Saves an edit; when the version edited has answers, the answer is the new version (another id).
    @Sendable func update(req: Request) async throws -> SurveyInput {
        let store = req.domain.surveys
        let survey = try await store.update(
            try await store.find(req.parameters.get("id", as: Int.self) ?? 0),
            with: try req.content.decode(SurveyInput.self), by: req.actor, at: req.now)
        return SurveyInput(survey, try survey.definition)
    }
}

/// The survey builder for supervisors.
struct SurveyPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let surveys = routes.grouped("surveys").guarded(.surveys, .page)
        surveys.get(use: list)
        surveys.get("new", use: newForm)
        surveys.post(use: create)
        surveys.get(":id", use: edit)
        surveys.post(":id", use: update)
        surveys.get(":id", "preview", use: preview)
    }

    /// The survey as the customer's phone will show it, without a link and without submitting.
    @Sendable func preview(req: Request) async throws -> Response {
        let survey = try await req.domain.surveys.find(req.parameters.get("id", as: Int.self) ?? 0)
        return try await PublicSurveyController.page(
            req, state: "preview", survey: try survey.definition,
            customerName: Placeholder.salutation(name: "王芳", gender: "female"))
    }

    struct Row: Encodable {
        let id: Int
        let name: String
        let version: Int
        let questions: Int
        let answers: Int
        let threshold: String
    }

    struct QuestionRow: Encodable {
        let index: Int
        let key: String
        let text: String
        let types: [SelectOption]
        let indicator: String
        let required: Bool
        let options: String
    }

    struct FormContext: Encodable {
        let id: Int?
        let version: Int?
        let answers: Int
        let name: String
        let intro: String
        let thresholds: [SelectOption]
        let actions: [SelectOption]
        let questions: [QuestionRow]
        let blank: QuestionRow
        let indicators: [String]
        let errors: [String]
    }

    @Sendable func list(req: Request) async throws -> Response {
        let store = req.domain.surveys
        var rows: [Row] = []
        for survey in try await store.current() {
            let definition = try survey.definition
            rows.append(
                Row(
                    id: survey.id!, name: survey.name, version: survey.version, questions: definition.questions.count,
                    answers: try await store.answerCount(survey.id!),
                    threshold: req.t("survey.threshold." + definition.threshold.rawValue)))
        }
        return try await req.renderPage("surveys/index", titleKey: "surveys.title", ["rows": rows])
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let blank = SurveyInput(
            name: "", intro: "", threshold: "lowest", ticketAction: "propose",
            questions: [
                .init(key: nil, text: "", type: "satisfaction3", indicator: "总体满意度", required: true, options: [])
            ])
        return try await form(req, id: nil, input: blank, errors: [])
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let survey = try await req.domain.surveys.find(req.parameters.get("id", as: Int.self) ?? 0)
        return try await form(req, id: survey.id, input: SurveyInput(survey, try survey.definition), errors: [])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let input = try Self.input(from: req)
        do {
            _ = try await req.domain.surveys.create(input, by: req.actor, at: req.now)
        } catch let failure as NamedFieldErrors {
            return try await failed(req, id: nil, input: input, failure)
        }
        req.flash("common.saved")
        return req.redirect(to: "/surveys")
    }

    @Sendable func update(req: Request) async throws -> Response {
        let store = req.domain.surveys
        let survey = try await store.find(req.parameters.get("id", as: Int.self) ?? 0)
        let input = try Self.input(from: req)
        let saved: SurveyRecord
        do {
            saved = try await store.update(survey, with: input, by: req.actor, at: req.now)
        } catch let failure as NamedFieldErrors {
            return try await failed(req, id: survey.id, input: input, failure)
        }
        if saved.id != survey.id {
            req.flash("surveys.newVersion", String(saved.version))
        } else {
            req.flash("common.saved")
        }
        return req.redirect(to: "/surveys")
    }

    /// Reads `name`, `intro`, `threshold`, `ticketAction` and `q.<n>.text|type|indicator|required|options|key`.
    static func input(from req: Request) throws -> SurveyInput {
        let form = try req.content.decode([String: String].self)
        let indices = Set(
            form.keys.compactMap { key -> Int? in
                let parts = key.split(separator: ".")
                return parts.count == 3 && parts[0] == "q" ? Int(parts[1]) : nil
            }
        ).sorted()
        let questions = indices.compactMap { n -> SurveyInput.Question? in
            let text = form["q.\(n).text"] ?? ""
            let options = (form["q.\(n).options"] ?? "").split(whereSeparator: \.isNewline).map(String.init)
            // A row left completely empty is no question.
            if text.trimmingWhitespace().isEmpty, options.isEmpty, (form["q.\(n).key"] ?? "").isEmpty { return nil }
            return .init(
                key: form["q.\(n).key"], text: text, type: form["q.\(n).type"] ?? "",
                indicator: form["q.\(n).indicator"],
                required: form["q.\(n).required"] != nil, options: options)
        }
        return SurveyInput(
            name: form["name"] ?? "", intro: form["intro"], threshold: form["threshold"],
            ticketAction: form["ticketAction"], questions: questions)
    }

    private func failed(_ req: Request, id: Int?, input: SurveyInput, _ failure: NamedFieldErrors) async throws
        -> Response
    {
        let messages = failure.errors.map { error -> String in
            var label = error.field
            if error.field.hasPrefix("questions["), let close = error.field.firstIndex(of: "]"),
                let index = Int(error.field[error.field.index(error.field.startIndex, offsetBy: 10)..<close])
            {
                label =
                    req.t("surveys.questionN", String(index + 1)) + " "
                    + req.t("surveys.field" + String(error.field[error.field.index(after: close)...]))
            } else {
                label = req.t("surveys.field." + error.field)
            }
            return label + "：" + Catalogue.text(error.key, req.language, error.arguments)
        }
        let response = try await form(req, id: id, input: input, errors: messages)
        response.status = .unprocessableEntity
        return response
    }

    private func form(_ req: Request, id: Int?, input: SurveyInput, errors: [String]) async throws -> Response {
        func row(_ index: Int, _ q: SurveyInput.Question) -> QuestionRow {
            QuestionRow(
                index: index, key: q.key ?? "", text: q.text,
                types: QuestionType.allCases.map {
                    SelectOption(
                        value: $0.rawValue, label: req.t("survey.type." + $0.rawValue), selected: $0.rawValue == q.type)
                },
                indicator: q.indicator ?? "", required: q.required ?? true,
                options: (q.options ?? []).joined(separator: "\n"))
        }
        let context = FormContext(
            id: id, version: input.version, answers: id == nil ? 0 : try await req.domain.surveys.answerCount(id!),
            name: input.name, intro: input.intro ?? "",
            thresholds: TicketThreshold.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("survey.threshold." + $0.rawValue),
                    selected: $0.rawValue == input.threshold)
            },
            actions: LowAnswerAction.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("survey.action." + $0.rawValue),
                    selected: $0.rawValue == input.ticketAction)
            },
            questions: input.questions.enumerated().map { row($0.offset, $0.element) },
            blank: row(999, .init(key: nil, text: "", type: "scale5", indicator: "", required: true, options: [])),
            indicators: SurveyDefinition.commonIndicators, errors: errors)
        return try await req.renderPage("surveys/form", titleKey: id == nil ? "surveys.new" : "surveys.edit", context)
    }
}

extension SurveyInput {
    init(name: String, intro: String?, threshold: String?, ticketAction: String?, questions: [Question]) {
        self.name = name
        self.intro = intro
        self.threshold = threshold
        self.ticketAction = ticketAction
        self.questions = questions
    }
}
