import Fluent
import HuifangCore
import Vapor

/// Creates, renames and deletes departments, with an audit entry each.
struct DepartmentService {
    let db: any Database
    let actor: Actor
    /// The instant of what it does (the request's, or the clock's for the command line).
    let now: Date

    func save(_ department: Department, name: String, headUserID: UUID?) async throws {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty else { throw NamedFieldError(field: "name", key: "problem.required") }
        guard !TextLimit.exceeds(name, TextLimit.name) else { throw NamedFieldError.tooLong("name", TextLimit.name) }
        let clash = Department.query(on: db).filter(\.$name == name)
        if let id = department.id { clash.filter(\.$id != id) }
        if try await clash.count() > 0 { throw NamedFieldError(field: "name", key: "problem.nameTaken") }
        let isNew = department.id == nil
        department.name = name
        department.headUserID = headUserID
        try await db.transaction { db in
            try await department.save(on: db)
            try await AuditLog.record(
                isNew ? "department.create" : "department.update", by: actor,
                subjectType: "department", subjectID: department.id?.uuidString, detail: name, at: now, on: db)
        }
    }

    func delete(_ department: Department) async throws {
        if try await User.query(on: db).filter(\.$department.$id == department.id!).count() > 0 {
            throw NamedFieldError(field: "name", key: "problem.departmentInUse")
        }
        try await db.transaction { db in
            try await department.delete(on: db)
            try await AuditLog.record(
                "department.delete", by: actor, subjectType: "department",
                subjectID: department.id?.uuidString, detail: department.name, at: now, on: db)
        }
    }
}

extension Request {

    func department() async throws -> Department {
        guard let department = try await Department.find(parameters.get("id", as: UUID.self), on: db) else {
            throw AppError.notFound
        }
        return department
    }
}

/// Admin pages for departments.
struct DepartmentPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let departments = routes.grouped("departments").guarded(.administration, .page)
        departments.get(use: list)
        departments.post(use: create)
        departments.get(":id", use: edit)
        departments.post(":id", use: update)
        departments.post(":id", "delete", use: delete)
    }

    struct Row: Encodable {
        let id: UUID
        let name: String
        let head: String?
        let members: Int
    }
    struct Context: Encodable {
        let rows: [Row]
        let editing: Row?
        let name: String
        let heads: [SelectOption]
        let error: String?
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await page(req, editing: nil)
    }

    @Sendable func edit(req: Request) async throws -> Response {
        try await page(req, editing: req.department())
    }

    @Sendable func create(req: Request) async throws -> Response {
        try await save(req, Department())
    }

    @Sendable func update(req: Request) async throws -> Response {
        try await save(req, req.department())
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let department = try await req.department()
        do {
            try await req.domain.departments.delete(department)
        } catch let error as NamedFieldError {
            return try await page(req, editing: department, error: department.name + " " + req.t(error.key))
        }
        req.flash("common.saved")
        return req.redirect(to: "/departments")
    }

    private func save(_ req: Request, _ department: Department) async throws -> Response {
        let name = (try? req.content.get(String.self, at: "name")) ?? ""
        let head = (try? req.content.get(String.self, at: "head")).flatMap(UUID.init(uuidString:))
        do {
            try await req.domain.departments.save(department, name: name, headUserID: head)
        } catch let error as NamedFieldError {
            return try await page(
                req, editing: department.id == nil ? nil : department, name: name,
                error: req.t("departments.name") + " " + req.t(error.key))
        }
        req.flash("common.saved")
        return req.redirect(to: "/departments")
    }

    private func page(_ req: Request, editing: Department?, name: String? = nil, error: String? = nil) async throws
        -> Response
    {
        let departments = try await Department.query(on: req.db).sort(\.$name).all()
        let users = try await User.query(on: req.db).filter(\.$isActive == true).sort(\.$displayName).all()
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.displayName) })
        var members: [UUID: Int] = [:]
        for user in users { if let id = user.$department.id { members[id, default: 0] += 1 } }
        let rows = departments.map {
            Row(id: $0.id!, name: $0.name, head: $0.headUserID.flatMap { names[$0] }, members: members[$0.id!] ?? 0)
        }
        let context = Context(
            rows: rows, editing: editing.flatMap { e in rows.first { $0.id == e.id } },
            name: name ?? editing?.name ?? "",
            heads: users.map {
                SelectOption(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == editing?.headUserID)
            },
            error: error
        )
        let response = try await req.renderPage("departments/index", titleKey: "departments.title", context)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }
}

/// `/api/v1/departments`, for admins.
struct DepartmentAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let departments = routes.grouped("departments").guarded(.administration, .api)
        departments.get(use: list)
        departments.post(use: create)
        departments.patch(":id", use: update)
        departments.delete(":id", use: delete)
    }

    struct DepartmentDTO: Content {
        let id: UUID
        let name: String
        let headUserId: UUID?

        init(_ department: Department) {
            id = department.id!
            name = department.name
            headUserId = department.headUserID
        }
    }
    struct Input: Content {
        let name: String
        let headUserId: UUID?
    }

    @Sendable func list(req: Request) async throws -> [DepartmentDTO] {
        try await Department.query(on: req.db).sort(\.$name).all().map(DepartmentDTO.init)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let input = try req.content.decode(Input.self)
        let department = Department()
        try await req.domain.departments.save(department, name: input.name, headUserID: input.headUserId)
        return try await DepartmentDTO(department).encodeResponse(status: .created, for: req)
    }

    @Sendable func update(req: Request) async throws -> DepartmentDTO {
        let department = try await req.department()
        let input = try req.content.decode(Input.self)
        try await req.domain.departments.save(department, name: input.name, headUserID: input.headUserId)
        return DepartmentDTO(department)
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await req.domain.departments.delete(req.department())
        return .noContent
    }
}
