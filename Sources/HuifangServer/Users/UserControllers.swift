import Fluent
import HuifangCore
import Vapor

/// Admin pages for users and their API tokens.
struct UserPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = routes.grouped("users").guarded(.administration, .page)
        users.get(use: list)
        users.get("new", use: newForm)
        users.post(use: create)
        users.get(":id", use: edit)
        users.post(":id", use: update)
        users.post(":id", "tokens", use: createToken)
        users.post(":id", "tokens", ":token", "revoke", use: revokeToken)
        users.post(":id", "tokens", "revoke-all", use: revokeAllTokens)
    }

    struct Row: Encodable {
        let id: UUID
        let username: String
        let displayName: String
        let role: String
        let department: String?
        let isActive: Bool
        /// The skills by name (医疗回访、VIP 客户).
        let skills: String
    }
    struct SkillChoice: Encodable {
        let code: String
        let name: String
        let checked: Bool
    }
    struct TokenRow: Encodable {
        let id: UUID
        let name: String
        let createdAt: String
        let lastUsedAt: String
        let revoked: Bool
    }
    struct FormContext: Encodable {
        let user: Row?
        let values: [String: String]
        let error: String?
        let errorField: String?
        let roles: [SelectOption]
        let departments: [SelectOption]
        let skills: [SkillChoice]
        let tokens: [TokenRow]
        let newToken: String?
    }

    @Sendable func list(req: Request) async throws -> Response {
        let users = try await User.query(on: req.db).with(\.$department).sort(\.$username).all()
        let skills = try await SkillNames.load(req)
        return try await req.renderPage("users/index", titleKey: "users.title", users.map { row($0, req, skills) })
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try await form(req, user: nil, values: ["role": Role.agent.rawValue])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let input = try req.content.decode([String: String].self)
        do {
            let user = try await req.domain.users.create(
                .init(
                    username: input["username"] ?? "", displayName: input["displayName"] ?? "",
                    role: Role(rawValue: input["role"] ?? "") ?? .agent,
                    departmentID: (input["department"]).flatMap(UUID.init(uuidString:)),
                    password: input["password"] ?? "", email: input["email"], skills: Self.skills(in: input)))
            req.flash("common.saved")
            return req.redirect(to: "/users/\(user.id!)")
        } catch let error as NamedFieldError {
            return try await form(req, user: nil, values: input, error: error)
        }
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let user = try await find(req)
        return try await form(req, user: user, values: values(of: user))
    }

    @Sendable func update(req: Request) async throws -> Response {
        let user = try await find(req)
        let input = try req.content.decode([String: String].self)
        do {
            try await req.domain.users.update(
                user,
                .init(
                    displayName: input["displayName"], role: input["role"].flatMap(Role.init(rawValue:)),
                    departmentID: .some(input["department"].flatMap(UUID.init(uuidString:))),
                    isActive: input["isActive"] != nil, password: input["password"], email: input["email"] ?? "",
                    skills: Self.skills(in: input), phoneExtension: input["phoneExtension"] ?? ""))
            req.flash("common.saved")
            return req.redirect(to: "/users/\(user.id!)")
        } catch let error as NamedFieldError {
            return try await form(req, user: user, values: input, error: error)
        }
    }

    @Sendable func createToken(req: Request) async throws -> Response {
        let user = try await find(req)
        let name = (try? req.content.get(String.self, at: "name")) ?? ""
        let (token, _) = try await req.domain.users.createToken(for: user, name: name)
        return try await form(req, user: user, values: values(of: user), newToken: token)
    }

    @Sendable func revokeToken(req: Request) async throws -> Response {
        let user = try await find(req)
        guard let id = req.parameters.get("token", as: UUID.self),
            let token = try await APIToken.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == user.id!).first()
        else {
            throw AppError.notFound
        }
        try await req.domain.users.revoke(token)
        req.flash("users.revoked")
        return req.redirect(to: "/users/\(user.id!)")
    }

    @Sendable func revokeAllTokens(req: Request) async throws -> Response {
        let user = try await find(req)
        try await req.domain.users.revokeAllTokens(of: user)
        req.flash("users.revoked")
        return req.redirect(to: "/users/\(user.id!)")
    }

    private func form(
        _ req: Request, user: User?, values: [String: String], error: NamedFieldError? = nil, newToken: String? = nil
    ) async throws -> Response {
        let departments = try await Department.query(on: req.db).sort(\.$name).all()
        var tokens: [APIToken] = []
        if let user {
            tokens = try await APIToken.query(on: req.db).filter(\.$user.$id == user.id!).sort(
                \.$createdAt, .descending
            ).all()
        }
        let format = req.application.huifang.formatDateTime
        let skills = try await SkillNames.load(req)
        let context = FormContext(
            user: user.map { row($0, req, skills) }, values: values,
            error: error.map { req.t("users." + $0.field) + " " + req.t($0.key) },
            errorField: error?.field,
            roles: Role.allCases.map {
                SelectOption(value: $0.rawValue, label: req.t($0.catalogueKey), selected: values["role"] == $0.rawValue)
            },
            departments: departments.map {
                SelectOption(
                    value: $0.id!.uuidString, label: $0.name, selected: values["department"] == $0.id!.uuidString)
            },
            skills: skills.order.map {
                SkillChoice(code: $0, name: skills.names[$0] ?? $0, checked: values["skill.\($0)"] != nil)
            },
            tokens: tokens.map {
                TokenRow(
                    id: $0.id!, name: $0.name, createdAt: format($0.createdAt), lastUsedAt: format($0.lastUsedAt),
                    revoked: $0.revokedAt != nil)
            },
            newToken: newToken
        )
        let response = try await req.renderPage(
            "users/form", titleKey: user == nil ? "users.new" : "users.edit", context)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    /// The edit form's fields as the user stands.
    private func values(of user: User) -> [String: String] {
        var values = [
            "displayName": user.displayName, "role": user.role.rawValue, "email": user.email ?? "",
            "phoneExtension": user.phoneExtension ?? "",
            "department": user.$department.id?.uuidString ?? "", "isActive": user.isActive ? "1" : "",
        ]
        for skill in user.skillSet { values["skill.\(skill)"] = "1" }
        return values
    }

    /// The skills ticked on the form (`skill.medical=1`).
    static func skills(in form: [String: String]) -> [String] {
        form.keys.filter { $0.hasPrefix("skill.") }.map { String($0.dropFirst("skill.".count)) }.sorted()
    }

    /// The list of skills: codes in order and their names in the reader's language.
    struct SkillNames {
        let order: [String]
        let names: [String: String]

        static func load(_ req: Request) async throws -> SkillNames {
            let skills = try await req.domain.names.skills()
            return SkillNames(
                order: skills.map(\.code),
                names: Dictionary(skills.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    private func row(_ user: User, _ req: Request, _ skills: SkillNames) -> Row {
        Row(
            id: user.id!, username: user.username, displayName: user.displayName, role: req.t(user.role.catalogueKey),
            department: user.$department.value??.name, isActive: user.isActive,
            skills: req.domain.names.skillText(user.skillSet, names: skills.names, order: skills.order))
    }

    private func find(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("id", as: UUID.self),
            let user = try await User.query(on: req.db).filter(\.$id == id).with(\.$department).first()
        else {
            throw AppError.notFound
        }
        return user
    }
}

/// `/api/v1/users` and `/api/v1/tokens`, for admins.
struct UserAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.guarded(.administration, .api)
        admin.get("users", use: list)
        admin.post("users", use: create)
        admin.patch("users", ":id", use: update)
        admin.post("users", ":id", "tokens", use: createToken)
        admin.delete("tokens", ":id", use: revoke)
        admin.delete("users", ":id", "tokens", use: revokeAll)
    }

    struct UserDTO: Content {
        let id: UUID
        let username: String
        let displayName: String
        let role: Role
        let departmentId: UUID?
        let isActive: Bool
        let email: String?
        /// Skill codes (`GET /api/v1/skills` names them).
        let skills: [String]
        let phoneExtension: String?

        init(_ user: User) {
            phoneExtension = user.phoneExtension
            email = user.email
            skills = user.skills.split(separator: ",").map(String.init)
            id = user.id!
            username = user.username
            displayName = user.displayName
            role = user.role
            departmentId = user.$department.id
            isActive = user.isActive
        }
    }
    struct CreateInput: Content {
        let username: String
        let displayName: String
        let role: Role
        let departmentId: UUID?
        let password: String
        let email: String?
        let skills: [String]?
    }
    struct UpdateInput: Content {
        let displayName: String?
        let role: Role?
        let departmentId: UUID?
        let isActive: Bool?
        let password: String?
        let email: String?
        /// All the user's skills; absent leaves them.
        let skills: [String]?
        /// The desk phone's extension (the phone system's pop-ups reach this user); empty clears it.
        let phoneExtension: String?
    }
    struct TokenInput: Content {
        let name: String?
    }
    struct TokenDTO: Content {
        let id: UUID
        let name: String
        /// Shown only in this response.
        let token: String
    }

    @Sendable func list(req: Request) async throws -> [UserDTO] {
        try await User.query(on: req.db).sort(\.$username).all().map(UserDTO.init)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let input = try req.content.decode(CreateInput.self)
        let user = try await req.domain.users.create(
            .init(
                username: input.username, displayName: input.displayName, role: input.role,
                departmentID: input.departmentId, password: input.password, email: input.email,
                skills: input.skills ?? []))
        return try await UserDTO(user).encodeResponse(status: .created, for: req)
    }

    @Sendable func update(req: Request) async throws -> UserDTO {
        guard let user = try await User.find(req.parameters.get("id", as: UUID.self), on: req.db) else {
            throw AppError.notFound
        }
        let input = try req.content.decode(UpdateInput.self)
        try await req.domain.users.update(
            user,
            .init(
                displayName: input.displayName, role: input.role,
                departmentID: input.departmentId.map { .some($0) },
                isActive: input.isActive, password: input.password, email: input.email, skills: input.skills,
                phoneExtension: input.phoneExtension))
        return UserDTO(user)
    }

    @Sendable func createToken(req: Request) async throws -> Response {
        guard let user = try await User.find(req.parameters.get("id", as: UUID.self), on: req.db) else {
            throw AppError.notFound
        }
        let input = try req.optionalBody(TokenInput.self)
        let (token, record) = try await req.domain.users.createToken(for: user, name: input?.name ?? "api")
        return try await TokenDTO(id: record.id!, name: record.name, token: token).encodeResponse(
            status: .created, for: req)
    }

    struct Revoked: Content {
        let revoked: Int
    }

    /// Every live token of the user, at once (a lost laptop, a leaving employee).
    @Sendable func revokeAll(req: Request) async throws -> Revoked {
        guard let user = try await User.find(req.parameters.get("id", as: UUID.self), on: req.db) else {
            throw AppError.notFound
        }
        return Revoked(revoked: try await req.domain.users.revokeAllTokens(of: user))
    }

    @Sendable func revoke(req: Request) async throws -> HTTPStatus {
        guard let token = try await APIToken.find(req.parameters.get("id", as: UUID.self), on: req.db) else {
            throw AppError.notFound
        }
        try await req.domain.users.revoke(token)
        return .noContent
    }
}
