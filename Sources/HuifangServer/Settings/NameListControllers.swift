import Fluent
import HuifangCore
import Vapor

/// One entry of a list of names as the API reads and writes it.
struct NamedCodeDTO: Content {
    let code: String
    /// As stored (what an edit sends back).
    let name: String
    /// As the caller reads it: a default name in the caller's language.
    let label: String?
    /// Call matters only: offered by the call form.
    let active: Bool?

    var entry: NamedCode { NamedCode(code: code, name: name, isActive: active ?? true) }
}

/// `GET/PUT /api/v1/call-matters`, `GET/PUT /api/v1/skills`, `PUT /api/v1/event-kinds/:code`.
struct NameListAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("call-matters").guarded(.calls, .api).get(use: matters)
        routes.grouped("call-matters").guarded(.ticketOversight, .api).put(use: replaceMatters)
        routes.grouped("skills").guarded(.planning, .api).get(use: skills)
        routes.grouped("skills").guarded(.administration, .api).put(use: replaceSkills)
        routes.grouped("event-kinds", ":code").guarded(.administration, .api).put(use: saveKind)
    }

    struct Matters: Content { let matters: [NamedCodeDTO] }
    struct Skills: Content { let skills: [NamedCodeDTO] }
    struct KindInput: Content {
        let name: String
        let attributes: [NamedCodeDTO]?
    }

    @Sendable func matters(req: Request) async throws -> Matters {
        let labels = try await req.domain.names.matterNames()
        return Matters(
            matters: try await CallMatter.query(on: req.db).sort(\.$position).all().map {
                NamedCodeDTO(code: $0.code, name: $0.name, label: labels[$0.code], active: $0.isActive)
            })
    }

    @Sendable func replaceMatters(req: Request) async throws -> Matters {
        try await req.domain.nameLists.replaceCallMatters(try req.content.decode(Matters.self).matters.map(\.entry))
        return try await matters(req: req)
    }

    @Sendable func skills(req: Request) async throws -> Skills {
        let labels = try await req.domain.names.skillNames()
        return Skills(
            skills: try await Skill.query(on: req.db).sort(\.$position).all().map {
                NamedCodeDTO(code: $0.code, name: $0.name, label: labels[$0.code], active: nil)
            })
    }

    @Sendable func replaceSkills(req: Request) async throws -> Skills {
        try await req.domain.nameLists.replaceSkills(try req.content.decode(Skills.self).skills.map(\.entry))
        return try await skills(req: req)
    }

    @Sendable func saveKind(req: Request) async throws -> EventAPIController.Kind {
        let code = req.parameters.get("code") ?? ""
        let input = try req.content.decode(KindInput.self)
        try await req.domain.nameLists.saveEventKind(
            code, name: input.name, attributes: (input.attributes ?? []).map(\.entry))
        guard let kind = try await EventAPIController.kindViews(on: req).first(where: { $0.code == code }) else {
            throw AppError.notFound
        }
        return kind
    }
}

/// The pages that edit the lists of names: call matters (admins and supervisors), skills and an event kind's
/// attributes (admins). One form for all three: a row per entry, blank rows to add, each problem beside its field.
struct NameListPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let matters = routes.grouped("settings", "call-matters").guarded(.ticketOversight, .page)
        matters.get(use: mattersPage)
        matters.post(use: saveMatters)
        let skills = routes.grouped("settings", "skills").guarded(.administration, .page)
        skills.get(use: skillsPage)
        skills.post(use: saveSkills)
        let kinds = routes.grouped("settings", "event-kinds", ":code").guarded(.administration, .page)
        kinds.get(use: kindPage)
        kinds.post(use: saveKind)
    }

    struct Row: Encodable {
        let index: Int
        let code: String
        let name: String
        let isActive: Bool
        /// A stored entry: its code is kept (rows hold it); it can be renamed or removed.
        let isStored: Bool
        let codeError: String?
        let nameError: String?
    }

    struct FormPage: Encodable {
        let heading: String
        let help: String
        let action: String
        let back: String
        let showsActive: Bool
        let codeHint: String
        /// On an event kind's page: its own name is edited too.
        let isKind: Bool
        let kindName: String?
        let kindNameError: String?
        let error: String?
        let rows: [Row]
    }

    /// The form of one list: the entries (stored, or as submitted) and three blank rows.
    private func render(
        _ req: Request, titleKey: String, page: FormPage, entries: [NamedCode], stored: Set<String>, field: String,
        errors: [NamedFieldError] = []
    ) async throws -> Response {
        let messages = errors.messages(in: req.language)
        let rows =
            entries.enumerated().map { index, entry in
                Row(
                    index: index, code: entry.code, name: entry.name, isActive: entry.isActive,
                    isStored: stored.contains(entry.code), codeError: messages["\(field)[\(index)].code"],
                    nameError: messages["\(field)[\(index)].name"])
            }
            + (entries.count..<entries.count + 3).map {
                Row(index: $0, code: "", name: "", isActive: true, isStored: false, codeError: nil, nameError: nil)
            }
        let listError = errors.first { $0.field == field }.map { $0.message(in: req.language) }
        let context = FormPage(
            heading: page.heading, help: page.help, action: page.action, back: page.back,
            showsActive: page.showsActive, codeHint: page.codeHint, isKind: page.isKind, kindName: page.kindName,
            kindNameError: messages["name"], error: listError ?? (errors.isEmpty ? nil : req.t("common.fixErrors")),
            rows: rows)
        let response = try await req.renderPage("settings/names", titleKey: titleKey, context)
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    private func mattersForm(_ req: Request) -> FormPage {
        FormPage(
            heading: req.t("matters.title"), help: req.t("matters.help"), action: "/settings/call-matters",
            back: "/calls", showsActive: true, codeHint: "inquiry", isKind: false, kindName: nil, kindNameError: nil,
            error: nil,
            rows: [])
    }

    @Sendable func mattersPage(req: Request) async throws -> Response {
        let stored = try await CallMatter.query(on: req.db).sort(\.$position).all().map(\.entry)
        return try await render(
            req, titleKey: "matters.title", page: mattersForm(req), entries: stored, stored: Set(stored.map(\.code)),
            field: "matters")
    }

    @Sendable func saveMatters(req: Request) async throws -> Response {
        let entries = NamedCodes.entries(fromForm: try req.content.decode([String: String].self), prefix: "row")
        do {
            try await req.domain.nameLists.replaceCallMatters(entries)
        } catch let error as NamedFieldErrors {
            let stored = Set(try await CallMatter.query(on: req.db).all().map(\.code))
            return try await render(
                req, titleKey: "matters.title", page: mattersForm(req), entries: entries, stored: stored,
                field: "matters", errors: error.errors)
        }
        req.flash("common.saved")
        return req.redirect(to: "/settings/call-matters")
    }

    private func skillsForm(_ req: Request) -> FormPage {
        FormPage(
            heading: req.t("skills.title"), help: req.t("skills.help"), action: "/settings/skills",
            back: "/settings", showsActive: false, codeHint: "medical", isKind: false, kindName: nil,
            kindNameError: nil, error: nil,
            rows: [])
    }

    @Sendable func skillsPage(req: Request) async throws -> Response {
        let stored = try await Skill.query(on: req.db).sort(\.$position).all().map(\.entry)
        return try await render(
            req, titleKey: "skills.title", page: skillsForm(req), entries: stored, stored: Set(stored.map(\.code)),
            field: "skills")
    }

    @Sendable func saveSkills(req: Request) async throws -> Response {
        let entries = NamedCodes.entries(fromForm: try req.content.decode([String: String].self), prefix: "row")
        do {
            try await req.domain.nameLists.replaceSkills(entries)
        } catch let error as NamedFieldErrors {
            let stored = Set(try await Skill.query(on: req.db).all().map(\.code))
            return try await render(
                req, titleKey: "skills.title", page: skillsForm(req), entries: entries, stored: stored,
                field: "skills", errors: error.errors)
        }
        req.flash("common.saved")
        return req.redirect(to: "/settings/skills")
    }

    private func kindForm(_ req: Request, _ kind: EventKind, name: String) -> FormPage {
        FormPage(
            heading: req.t("eventKinds.editTitle", kind.code), help: req.t("eventKinds.help"),
            action: "/settings/event-kinds/\(kind.code)", back: "/settings", showsActive: false,
            codeHint: "warranty_until", isKind: true, kindName: name, kindNameError: nil, error: nil, rows: [])
    }

    private func findKind(_ req: Request) async throws -> EventKind {
        guard
            let kind = try await EventKind.query(on: req.db).filter(\.$code == req.parameters.get("code") ?? "").first()
        else { throw AppError.notFound }
        return kind
    }

    @Sendable func kindPage(req: Request) async throws -> Response {
        let kind = try await findKind(req)
        let stored = try await req.domain.names.storedAttributes(of: kind.code)
        return try await render(
            req, titleKey: "settings.eventKinds", page: kindForm(req, kind, name: kind.name), entries: stored,
            stored: Set(stored.map(\.code)), field: "attributes")
    }

    @Sendable func saveKind(req: Request) async throws -> Response {
        let kind = try await findKind(req)
        let form = try req.content.decode([String: String].self)
        let entries = NamedCodes.entries(fromForm: form, prefix: "row")
        do {
            try await req.domain.nameLists.saveEventKind(kind.code, name: form["name"] ?? "", attributes: entries)
        } catch let error as NamedFieldErrors {
            let stored = Set(try await req.domain.names.storedAttributes(of: kind.code).map(\.code))
            return try await render(
                req, titleKey: "settings.eventKinds", page: kindForm(req, kind, name: form["name"] ?? ""),
                entries: entries, stored: stored, field: "attributes", errors: error.errors)
        }
        req.flash("common.saved")
        return req.redirect(to: "/settings#event-kinds")
    }
}
