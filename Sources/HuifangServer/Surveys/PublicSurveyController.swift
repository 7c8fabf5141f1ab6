import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import Vapor

/// Requests per address to the public survey pages: enough for a customer who reloads, too few
/// to try tokens.
struct PublicRateLimit: AsyncMiddleware {
    static let limit = 30
    static let window = 600.0

    final class Box: Sendable {
        let limiter = NIOLockedValueBox(RateLimiter(limit: PublicRateLimit.limit, window: PublicRateLimit.window))
    }
    struct Key: StorageKey { typealias Value = Box }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let box = request.application.storage[Key.self]!
        let address = request.clientAddress
        let allowed = box.limiter.withLockedValue { $0.allow(address, now: request.now.timeIntervalSince1970) }
        guard allowed else {
            let response = try await PublicSurveyController.page(request, state: "limited", status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(Int(Self.window)))
            return response
        }
        return try await next.respond(to: request)
    }
}

/// The customer's survey page: no login, Chinese (the customer's browser may ask for English),
/// made for a phone. The signed token is the only key; it works once, until it expires.
struct PublicSurveyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let survey = routes.grouped(PublicRateLimit()).grouped("s")
        survey.get(":token", use: show)
        survey.post(":token", use: answer)
        // 不再联系我: a confirmation page, then a form post (the token in the path is the only key, as above).
        survey.get(":token", "stop", use: stopForm)
        survey.post(":token", "stop", use: stop)
    }

    struct Context: Encodable {
        let lang: String
        let title: String
        let state: String
        let company: String
        let greeting: String
        let intro: String
        let token: String
        let questions: [Workspace.Question]
        let errors: [String]
    }

    static func page(
        _ req: Request, state: String, status: HTTPResponseStatus = .ok, survey: SurveyDefinition? = nil,
        token: String = "", answers: [String: String] = [:], errors: [String] = [], customerName: String = ""
    ) async throws -> Response {
        let language = req.language
        let questions =
            survey.map { definition in
                definition.questions.enumerated().map { index, question in
                    Workspace.Question(
                        key: question.key, number: index + 1, text: question.text, type: question.type.rawValue,
                        indicator: question.indicator,
                        required: question.required,
                        choices: question.choices(.off, language).map {
                            .init(
                                value: $0.value, label: $0.label, isLow: false,
                                checked: answers[question.key] == $0.value)
                        },
                        answer: question.type == .text ? answers[question.key] ?? "" : "")
                }
            } ?? []
        let config = req.application.huifang
        let context = Context(
            lang: language.htmlTag, title: survey?.name ?? Catalogue.text("link.title", language), state: state,
            company: config.company,
            greeting: customerName.isEmpty ? "" : Catalogue.text("link.greeting", language, [customerName]),
            intro: survey?.intro ?? "", token: token, questions: questions, errors: errors)
        let view = try await req.view.render("survey/public", context)
        let response = try await view.encodeResponse(status: status, for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    private func loaded(_ req: Request) async throws -> (SurveyLinks.State, String) {
        let token = req.parameters.get("token") ?? ""
        return (try await req.domain.surveyLinks.resolve(token), token)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let (state, token) = try await loaded(req)
        switch state {
        case .invalid: return try await Self.page(req, state: "invalid", status: .notFound)
        case .expired: return try await Self.page(req, state: "expired", status: .gone, token: token)
        case .used: return try await Self.page(req, state: "used", status: .gone, token: token)
        case .valid(let link):
            let survey = try await req.domain.surveys.find(link.surveyID)
            let customer = try await Customer.find(link.customerID, on: req.db)
            return try await Self.page(
                req, state: "form", survey: try survey.definition, token: token,
                customerName: customer.map { Placeholder.salutation(name: $0.name, gender: $0.gender) } ?? "")
        }
    }

    @Sendable func answer(req: Request) async throws -> Response {
        let (state, token) = try await loaded(req)
        switch state {
        case .invalid: return try await Self.page(req, state: "invalid", status: .notFound)
        case .expired: return try await Self.page(req, state: "expired", status: .gone)
        case .used: return try await Self.page(req, state: "used", status: .gone)
        case .valid(let link):
            let form = (try? req.content.decode([String: String].self)) ?? [:]
            let answers = RecordInput.answers(form)
            let survey = try await req.domain.surveys.find(link.surveyID)
            let definition = try survey.definition
            do {
                _ = try await req.domain.surveyLinks.answer(
                    link, answers: answers)
            } catch let failure as NamedFieldErrors {
                let customer = try await Customer.find(link.customerID, on: req.db)
                return try await Self.page(
                    req, state: "form", status: .unprocessableEntity, survey: definition, token: token,
                    answers: answers,
                    errors: req.answerProblems(failure.errors, definition.questions),
                    customerName: customer.map { Placeholder.salutation(name: $0.name, gender: $0.gender) } ?? "")
            } catch let error as AppError where error.status == .conflict {
                return try await Self.page(req, state: "used", status: .gone, token: token)
            }
            return try await Self.page(req, state: "thanks", token: token)
        }
    }

    /// The link's customer, for 不再联系我: any genuine link (answered or expired too), or nil.
    private func linkForStop(_ req: Request) async throws -> (SurveyLink, String)? {
        let (state, token) = try await loaded(req)
        switch state {
        case .invalid: return nil
        case .expired(let link), .used(let link), .valid(let link): return (link, token)
        }
    }

    /// 不再联系我, step one: what it does and a button to confirm it.
    @Sendable func stopForm(req: Request) async throws -> Response {
        guard let (_, token) = try await linkForStop(req) else {
            return try await Self.page(req, state: "invalid", status: .notFound)
        }
        return try await Self.page(req, state: "stop", token: token)
    }

    /// 不再联系我, confirmed: the customer is marked do-not-disturb and nothing more is sent to them.
    @Sendable func stop(req: Request) async throws -> Response {
        guard let (link, _) = try await linkForStop(req) else {
            return try await Self.page(req, state: "invalid", status: .notFound)
        }
        try await req.domain.surveyLinks.optOut(link)
        return try await Self.page(req, state: "stopped")
    }
}
