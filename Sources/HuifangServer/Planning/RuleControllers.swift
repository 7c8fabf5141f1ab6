import Fluent
import HuifangCore
import Vapor

/// Reads and saves rules; every save is audited.
struct RuleStore {
    let db: any Database

    func all() async throws -> [FollowUpRule] {
        try await RuleRecord.query(on: db).sort(\.$priority).sort(\.$id).all().map { try $0.rule() }
    }

    func find(_ id: Int?) async throws -> RuleRecord {
        guard let id, let record = try await RuleRecord.find(id, on: db) else { throw AppError.notFound }
        return record
    }

    func save(_ input: RuleInput, id: Int?, by actor: Actor, at now: Date) async throws -> FollowUpRule {
        let record = id == nil ? RuleRecord() : try await find(id)
        let codes = Set(try await EventKind.query(on: db).all().map(\.code))
        let surveys = Set(
            try await SurveyRecord.query(on: db).filter(\.$isCurrent == true).all().compactMap(\.familyID))
        let skills = Set(try await Skill.query(on: db).all().map(\.code))
        let rule = try input.rule(id: id ?? 0, eventKinds: codes, surveys: surveys, skills: skills)
        try record.apply(rule)
        try await db.transaction { db in
            try await record.save(on: db)
            try await AuditLog.record(
                id == nil ? "rule.create" : "rule.update", by: actor, subjectType: "rule",
                subjectID: String(record.id!), detail: rule.name, at: now, on: db)
        }
        return try record.rule()
    }
}

struct RuleAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let rules = routes.grouped("rules").guarded(.planning, .api)
        rules.get(use: list)
        rules.post(use: create)
        rules.get(":id", use: show)
        rules.put(":id", use: update)
        rules.post(":id", "trigger", use: trigger)
    }

    struct Trigger: Content {
        let customerID: Int
        /// Names the occurrence (e.g. a ticket number); the same key gives the same task.
        let key: String
    }

    @Sendable func trigger(req: Request) async throws -> [String: Int] {
        let rule = try await req.domain.rules.find(req.parameters.get("id", as: Int.self))
        let input = try req.content.decode(Trigger.self)
        let task = try await req.domain.planner
            .trigger(ruleID: rule.id!, customerID: input.customerID, key: input.key, asOf: req.today)
        try await req.domain.audit(
            "rule.trigger", subjectType: "task", subjectID: String(task),
            detail: "rule=\(rule.id!) customer=\(input.customerID)")
        return ["taskID": task]
    }

    @Sendable func list(req: Request) async throws -> [RuleInput] {
        try await req.domain.rules.all().map(RuleInput.init)
    }

    @Sendable func show(req: Request) async throws -> RuleInput {
        RuleInput(try await req.domain.rules.find(req.parameters.get("id", as: Int.self)).rule())
    }

    @Sendable func create(req: Request) async throws -> Response {
        let rule = try await req.domain.rules.save(
            try req.content.decode(RuleInput.self), id: nil, by: req.actor, at: req.now)
        let response = Response(status: .created)
        try response.content.encode(RuleInput(rule))
        return response
    }

    @Sendable func update(req: Request) async throws -> RuleInput {
        let id = try await req.domain.rules.find(req.parameters.get("id", as: Int.self)).id
        return RuleInput(
            try await req.domain.rules.save(
                try req.content.decode(RuleInput.self), id: id, by: req.actor, at: req.now))
    }
}

/// Supervisors' list and form of rules.
struct RulePagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let rules = routes.grouped("rules").guarded(.planning, .page)
        rules.get(use: list)
        rules.get("new", use: newForm)
        rules.post(use: create)
        rules.get(":id", use: edit)
        rules.post(":id", use: update)
    }

    struct Row: Encodable {
        let id: Int
        let name: String
        let kind: String
        let enabled: Bool
        let priority: Int
        let channel: String
        let window: Int
        let skill: String
        let survey: String
    }
    struct FormContext: Encodable {
        let id: Int?
        let rule: RuleInput
        let kinds: [SelectOption]
        let channels: [SelectOption]
        let eventKinds: [SelectOption]
        let skills: [SelectOption]
        /// The attributes kinds name (`expires_on` 到期日), offered for the date attribute.
        let attributes: [SelectOption]
        let surveys: [SelectOption]
        let holidayShifts: [SelectOption]
        let monthsByTier: String
        let segmentTiers: String
        let segmentTags: String
        let segmentAttributes: String
        let errors: [String]
    }

    @Sendable func list(req: Request) async throws -> Response {
        let surveys = Dictionary(
            try await req.domain.surveys.current().map { ($0.familyID!, $0.name) }, uniquingKeysWith: { a, _ in a }
        )
        let skills = try await req.domain.names.skillNames()
        let rows = try await req.domain.rules.all().map {
            Row(
                id: $0.id, name: $0.name, kind: req.t("kind." + $0.kind.rawValue), enabled: $0.isEnabled,
                priority: $0.priority,
                channel: req.t("channel." + $0.channel.rawValue), window: $0.windowDays,
                skill: skills[$0.requiredSkill] ?? $0.requiredSkill,
                survey: $0.surveyID.flatMap { surveys[$0] } ?? "")
        }
        return try await req.renderPage("rules/index", titleKey: "rules.title", ["rows": rows])
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try await form(req, id: nil, rule: RuleInput(FollowUpRule(name: "", kind: .afterEvent)), errors: [])
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let record = try await req.domain.rules.find(req.parameters.get("id", as: Int.self))
        return try await form(req, id: record.id, rule: RuleInput(try record.rule()), errors: [])
    }

    @Sendable func create(req: Request) async throws -> Response { try await save(req, id: nil) }

    @Sendable func update(req: Request) async throws -> Response {
        try await save(req, id: try await req.domain.rules.find(req.parameters.get("id", as: Int.self)).id)
    }

    private func save(_ req: Request, id: Int?) async throws -> Response {
        let input = RuleInput(form: try req.content.decode([String: String].self))
        do {
            _ = try await req.domain.rules.save(input, id: id, by: req.actor, at: req.now)
        } catch let failure as NamedFieldErrors {
            let response = try await form(
                req, id: id, rule: input,
                errors: failure.errors.map {
                    req.t("rules." + $0.field) + "：" + Catalogue.text($0.key, req.language, $0.arguments)
                })
            response.status = .unprocessableEntity
            return response
        }
        req.flash("common.saved")
        return req.redirect(to: "/rules")
    }

    private func form(_ req: Request, id: Int?, rule: RuleInput, errors: [String]) async throws -> Response {
        let eventKinds = try await EventKind.query(on: req.db).sort(\.$code).all()
        let kindNames = try await req.domain.names.eventKindNames()
        let attributeNames = try await req.domain.names.eventAttributeNames()
        let attributes = Set(try await EventAttribute.query(on: req.db).all().map(\.key)).sorted()
        let skill = rule.requiredSkill ?? ""
        let context = FormContext(
            id: id, rule: rule,
            kinds: RuleKind.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("kind." + $0.rawValue), selected: $0.rawValue == rule.kind)
            },
            channels: ContactChannel.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("channel." + $0.rawValue), selected: $0.rawValue == rule.channel)
            },
            eventKinds: [SelectOption(value: "", label: req.t("common.none"), selected: (rule.eventKind ?? "").isEmpty)]
                + eventKinds.map {
                    SelectOption(
                        value: $0.code, label: "\(kindNames[$0.code] ?? $0.name)（\($0.code)）",
                        selected: $0.code == rule.eventKind)
                },
            skills: [SelectOption(value: "", label: req.t("rules.anySkill"), selected: skill.isEmpty)]
                + (try await req.domain.names.skills()).map {
                    SelectOption(value: $0.code, label: $0.name, selected: $0.code == skill)
                },
            attributes: attributes.map {
                SelectOption(
                    value: $0, label: attributeNames.name(of: $0, kind: rule.eventKind ?? ""),
                    selected: $0 == rule.dateAttribute)
            },
            surveys: [SelectOption(value: "", label: req.t("common.none"), selected: rule.surveyID == nil)]
                + (try await req.domain.surveys.current()).map {
                    SelectOption(value: String($0.familyID!), label: $0.name, selected: $0.familyID == rule.surveyID)
                },
            holidayShifts: HolidayShift.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: req.t("rules.holidayShift." + $0.rawValue),
                    selected: $0.rawValue == (rule.holidayShift ?? HolidayShift.before.rawValue))
            },
            monthsByTier: (rule.monthsByTier ?? [:]).sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ", "),
            segmentTiers: (rule.segment?.tiers ?? []).joined(separator: ", "),
            segmentTags: (rule.segment?.tags ?? []).joined(separator: ", "),
            segmentAttributes: (rule.segment?.eventAttributes ?? [:]).sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value)"
            }.joined(separator: ", "),
            errors: errors)
        return try await req.renderPage("rules/form", titleKey: id == nil ? "rules.new" : "rules.edit", context)
    }
}
