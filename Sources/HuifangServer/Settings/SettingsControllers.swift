import Fluent
import HuifangCore
import Vapor

/// Replaces the tier list. A tier still held by customers cannot be removed.
struct TierService {
    let db: any Database
    let actor: Actor
    /// The instant of what it does (the request's, or the clock's for the command line).
    let now: Date

    func replace(with names: [String]) async throws {
        var seen: Set<String> = []
        let tiers = names.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !tiers.isEmpty else { throw NamedFieldError(field: "tiers", key: "problem.tiersEmpty") }
        if tiers.contains(where: { $0.count > 20 }) {
            throw NamedFieldError(field: "tiers", key: "problem.tooLong", arguments: ["20"])
        }
        let removed = try await Tier.names(on: db).filter { !tiers.contains($0) }
        for name in removed where try await Customer.query(on: db).filter(\.$tier == name).count() > 0 {
            throw AppError(.unprocessableEntity, "problem.tierInUse", [name])
        }
        try await db.transaction { db in
            try await Tier.query(on: db).delete()
            for (position, name) in tiers.enumerated() { try await Tier(name: name, position: position).create(on: db) }
            try await AuditLog.record(
                "tiers.update", by: actor, subjectType: "tiers", detail: tiers.joined(separator: ","), at: now, on: db)
        }
    }
}

/// The settings page for admins: the customer tiers.
struct SettingsPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = routes.grouped("settings").guarded(.administration, .page)
        settings.get(use: page)
        settings.post("tiers", use: saveTiers)
        settings.post("event-kinds", use: addEventKind)
    }

    struct Context: Encodable {
        let tiers: String
        let error: String?
        let kinds: [Kind]
        let kindError: String?

        struct Kind: Encodable {
            let code: String
            let name: String
            /// Its attributes by name (质保截止日、产品).
            let attributes: String
        }
    }

    @Sendable func page(req: Request) async throws -> Response {
        try await render(req, tiers: try await Tier.names(on: req.db).joined(separator: "\n"))
    }

    private func render(_ req: Request, tiers: String, error: String? = nil, kindError: String? = nil) async throws
        -> Response
    {
        let names = try await req.domain.names.eventKindNames()
        let attributeNames = try await req.domain.names.eventAttributeNames()
        let attributes = Dictionary(
            grouping: try await EventAttribute.query(on: req.db).sort(\.$position).all(), by: \.kind)
        let kinds = try await EventKind.query(on: req.db).sort(\.$code).all().map { kind in
            Context.Kind(
                code: kind.code, name: names[kind.code] ?? kind.name,
                attributes: (attributes[kind.code] ?? []).map { attributeNames.name(of: $0.key, kind: kind.code) }
                    .joined(separator: req.language == .zh ? "、" : ", "))
        }
        let response = try await req.renderPage(
            "settings", titleKey: "settings.title",
            Context(tiers: tiers, error: error, kinds: kinds, kindError: kindError))
        if error != nil || kindError != nil { response.status = .unprocessableEntity }
        return response
    }

    @Sendable func addEventKind(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            try await req.domain.eventKinds.add(
                code: form["code"] ?? "", name: form["name"] ?? "")
        } catch let error as NamedFieldError {
            return try await render(
                req, tiers: try await Tier.names(on: req.db).joined(separator: "\n"),
                kindError: Catalogue.text(error.key, req.language, error.arguments))
        }
        req.flash("common.saved")
        return req.redirect(to: "/settings")
    }

    @Sendable func saveTiers(req: Request) async throws -> Response {
        let text = (try? req.content.get(String.self, at: "tiers")) ?? ""
        do {
            try await req.domain.tiers.replace(
                with: text.components(separatedBy: .newlines))
        } catch let error as AppError {
            return try await failed(req, text, error.message(in: req.language))
        } catch let error as NamedFieldError {
            return try await failed(req, text, Catalogue.text(error.key, req.language, error.arguments))
        }
        req.flash("common.saved")
        return req.redirect(to: "/settings")
    }

    private func failed(_ req: Request, _ text: String, _ message: String) async throws -> Response {
        try await render(req, tiers: text, error: message)
    }
}

/// `GET/PUT /api/v1/settings/tiers`.
struct SettingsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("settings", "tiers").guarded(.customersRead, .api).get(use: tiers)
        routes.grouped("settings", "tiers").guarded(.administration, .api).put(use: replace)
    }

    struct Tiers: Content {
        let tiers: [String]
    }

    @Sendable func tiers(req: Request) async throws -> Tiers {
        Tiers(tiers: try await Tier.names(on: req.db))
    }

    @Sendable func replace(req: Request) async throws -> Tiers {
        try await req.domain.tiers.replace(
            with: req.content.decode(Tiers.self).tiers)
        return try await tiers(req: req)
    }
}
