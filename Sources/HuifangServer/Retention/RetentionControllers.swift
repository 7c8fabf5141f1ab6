import Fluent
import HuifangCore
import Vapor

/// `/settings/retention` (admins): the retention rules with the last runs, and "run now".
struct RetentionPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let retention = routes.grouped("settings", "retention").guarded(.administration, .page)
        retention.get(use: page)
        retention.post(use: save)
        retention.post("run", use: runNow)
    }

    struct Context: Encodable {
        let values: [String: String]
        let errors: [String: String]
        let runs: [Run]

        struct Run: Encodable {
            let startedAt: String
            let finishedAt: String
            let trigger: String
            let instance: String
            let report: String
        }
    }

    @Sendable func page(req: Request) async throws -> Response {
        let rules = try await req.domain.retention.rules()
        return try await render(req, values: Self.values(rules), errors: [:])
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            try await req.domain.retention.save(try Self.rules(from: form))
        } catch let error as NamedFieldErrors {
            let errors = error.errors.messages(in: req.language)
            let response = try await render(req, values: form, errors: errors)
            response.status = .unprocessableEntity
            return response
        }
        req.flash("common.saved")
        return req.redirect(to: "/settings/retention")
    }

    @Sendable func runNow(req: Request) async throws -> Response {
        let report = try await req.domain.retentionJob.runNow()
        req.flash(
            "retention.ran", String(report.erasedCustomers.count), String(report.messageBodies),
            String(report.notifications), String(report.auditEntries))
        return req.redirect(to: "/settings/retention")
    }

    /// The form's texts as rules: an empty "inactive years" is off; anything not a whole number is named.
    static func rules(from form: [String: String]) throws -> RetentionRules {
        var errors: [NamedFieldError] = []
        func number(_ field: String) -> Int? {
            let text = form[field]?.trimmingWhitespace() ?? ""
            if text.isEmpty { return nil }
            guard let value = Int(text) else {
                errors.append(NamedFieldError(field: field, key: "problem.wholeNumber"))
                return nil
            }
            return value
        }
        let defaults = RetentionRules.defaults
        let rules = RetentionRules(
            inactiveCustomerYears: number("inactiveCustomerYears"),
            messageBodyDays: number("messageBodyDays") ?? defaults.messageBodyDays,
            notificationDays: number("notificationDays") ?? defaults.notificationDays,
            auditDetailYears: number("auditDetailYears") ?? defaults.auditDetailYears)
        errors += rules.problems()
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        return rules
    }

    static func values(_ rules: RetentionRules) -> [String: String] {
        [
            "inactiveCustomerYears": rules.inactiveCustomerYears.map(String.init) ?? "",
            "messageBodyDays": String(rules.messageBodyDays), "notificationDays": String(rules.notificationDays),
            "auditDetailYears": String(rules.auditDetailYears),
        ]
    }

    /// "已清理：2 位客户的个人信息，…" from a run's stored report (empty while it runs).
    static func summary(_ json: String?, _ req: Request) -> String {
        guard let json, let report = try? JSONDecoder().decode(RetentionReport.self, from: Data(json.utf8)) else {
            return ""
        }
        return req.t(
            "retention.ran", String(report.erasedCustomers.count), String(report.messageBodies),
            String(report.notifications), String(report.auditEntries))
    }

    private func render(_ req: Request, values: [String: String], errors: [String: String]) async throws -> Response {
        let config = req.application.huifang
        let runs = try await RetentionRun.query(on: req.db).sort(\.$id, .descending).limit(10).all().map {
            Context.Run(
                startedAt: config.formatDateTime($0.startedAt), finishedAt: config.formatDateTime($0.finishedAt),
                trigger: req.t("retention.trigger." + $0.trigger), instance: $0.instance,
                report: Self.summary($0.report, req))
        }
        return try await req.renderPage(
            "settings/retention", titleKey: "retention.title", Context(values: values, errors: errors, runs: runs))
    }
}

/// `GET/PUT /api/v1/retention` and `POST /api/v1/retention/run` (admins).
struct RetentionAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let retention = routes.grouped("retention").guarded(.administration, .api)
        retention.get(use: rules)
        retention.put(use: replace)
        retention.post("run", use: run)
    }

    @Sendable func rules(req: Request) async throws -> RetentionRulesDTO {
        RetentionRulesDTO(try await req.domain.retention.rules())
    }

    @Sendable func replace(req: Request) async throws -> RetentionRulesDTO {
        let input = try req.content.decode(RetentionRulesDTO.self)
        try await req.domain.retention.save(input.rules)
        return try await rules(req: req)
    }

    @Sendable func run(req: Request) async throws -> RetentionReport {
        try await req.domain.retentionJob.runNow()
    }
}

/// The rules as the API reads and writes them; `inactiveCustomerYears: null` is off.
struct RetentionRulesDTO: Content {
    var inactiveCustomerYears: Int?
    var messageBodyDays: Int
    var notificationDays: Int
    var auditDetailYears: Int

    init(_ rules: RetentionRules) {
        inactiveCustomerYears = rules.inactiveCustomerYears
        messageBodyDays = rules.messageBodyDays
        notificationDays = rules.notificationDays
        auditDetailYears = rules.auditDetailYears
    }

    var rules: RetentionRules {
        RetentionRules(
            inactiveCustomerYears: inactiveCustomerYears, messageBodyDays: messageBodyDays,
            notificationDays: notificationDays, auditDetailYears: auditDetailYears)
    }
}
