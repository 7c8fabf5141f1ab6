import Fluent
import HuifangCore
import Vapor

/// `/api/v1/customers`: list, read, create, change, erase (`DELETE`), reveal, history and export.
struct CustomerAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let customers = routes.grouped("customers")
        let read = customers.guarded(.customersRead, .api)
        read.get(use: list)
        read.get(":id", use: show)
        read.get(":id", "history", use: history)
        let write = customers.guarded(.customersWrite, .api)
        write.post(use: create)
        write.patch(":id", use: update)
        customers.guarded(.customersDelete, .api).delete(":id", use: delete)
        customers.guarded(.customersReveal, .api).post(":id", "reveal", use: reveal)
        customers.guarded(.customersExport, .api).get(":id", "export", use: export)
    }

    @Sendable func list(req: Request) async throws -> CustomerPageDTO {
        let viewer = try req.auth.require(User.self)
        let limit = try req.pageLimit(default: 50, maximum: 500)
        let text = try req.searchTerm("q")
        let query = CustomerStore.Query(
            text: text, tier: req.query[String.self, at: "tier"],
            tag: try req.searchTerm("tag").nilIfEmpty,
            assignedAgentID: try await req.customerAgentFilter(),
            partialNumbers: ObjectScope.maySearchPartialNumbers(viewer.viewer),
            after: try req.integerQuery("after"), limit: limit
        )
        let (customers, next) = try await req.domain.customers.list(query)
        let items = try await dtos(customers, viewer: viewer, on: req)
        try await req.domain.audit(
            "customer.list", subjectType: "customer",
            detail: text.isEmpty ? "count=\(items.count)" : "q=\(text) count=\(items.count)")
        return CustomerPageDTO(items: items, nextCursor: next)
    }

    @Sendable func show(req: Request) async throws -> CustomerDTO {
        let customer = try await req.customer()
        try await req.domain.audit("customer.view", subjectType: "customer", subjectID: String(customer.id!))
        return try await dtos([customer], viewer: req.auth.require(User.self), on: req)[0]
    }

    @Sendable func create(req: Request) async throws -> Response {
        let input = try req.content.decode(CustomerInput.self)
        let rules = try await req.domain.customerRules()
        let values = try req.customerPermissions().check(input.values, customer: nil, agentUsername: nil)
        let (patch, agent) = try await Self.patch(values, rules: rules, on: req)
        guard let record = patch.makeRecord(defaultTier: rules.defaultTier) else {
            throw AppError.invalid(ValidationFailure([FieldError(.name, .required)]))
        }
        let customer = try await req.domain.customers.create(Self.assigning(agent, to: record), by: req.actor)
        return try await dtos(
            [customer], viewer: req.auth.require(User.self), on: req, tags: [customer.id!: record.tags]
        )
        .first!.encodeResponse(status: .created, for: req)
    }

    @Sendable func update(req: Request) async throws -> CustomerDTO {
        let customer = try await req.customer()
        let input = try req.content.decode(CustomerInput.self)
        let values = try req.customerPermissions().check(
            input.values, customer: customer,
            agentUsername: try await req.domain.assignedUsername(customer))
        let (patch, agent) = try await Self.patch(values, rules: req.domain.customerRules(), on: req)
        let current = try await req.domain.customers.record(of: customer)
        var record = patch.applied(to: current)
        if let agent { record.assignedAgentID = agent }
        try await req.domain.customers.update(customer, from: current, to: record, by: req.actor)
        return try await dtos([customer], viewer: req.auth.require(User.self), on: req)[0]
    }

    struct ErasureInput: Content {
        var requestedBy: String?
        var reason: String?
    }

    /// Erases the customer's personal information (`CustomerErasure`): on whose request and why, as JSON or in the
    /// query string. Answers what was cleared; a second erasure is 409.
    @Sendable func delete(req: Request) async throws -> ErasureOutcome {
        let customer = try await req.customer()
        let input =
            req.body.data == nil
            ? try req.query.decode(ErasureInput.self) : try req.content.decode(ErasureInput.self)
        let request = try ErasureRequest(requestedBy: input.requestedBy, reason: input.reason)
        return try await req.domain.customerErasure.erase(customer, request: request)
    }

    struct Revealed: Content {
        let mobile: String?
        let email: String?
    }

    @Sendable func reveal(req: Request) async throws -> Revealed {
        let customer = try await req.customer()
        try await req.domain.audit("customer.reveal", subjectType: "customer", subjectID: String(customer.id!))
        return Revealed(mobile: customer.mobile.map { PhoneNumber(normalised: $0).display }, email: customer.email)
    }

    /// Everything held about the customer as a ZIP (JSON and a readable summary); audited.
    @Sendable func export(req: Request) async throws -> Response {
        let archive = try await req.domain.customerExport.archive(of: req.customer())
        return zipResponse(archive.bytes, name: archive.fileName)
    }

    @Sendable func history(req: Request) async throws -> [CustomerChangeDTO] {
        let customer = try await req.customer()
        let viewer = try req.auth.require(User.self)
        try await req.domain.audit(
            "customer.view", subjectType: "customer", subjectID: String(customer.id!), detail: "history")
        return try await req.domain.customers.history(of: customer.id!).map {
            CustomerChangeDTO(
                at: $0.at, actor: $0.actorName, source: $0.source, field: $0.field,
                oldValue: VisibleContact.historyValue($0.oldValue, field: $0.field, viewer: viewer, customer: customer),
                newValue: VisibleContact.historyValue($0.newValue, field: $0.field, viewer: viewer, customer: customer))
        }
    }

    /// The customers as `viewer` may see them; `tags`, when the caller has just written them, are not read back.
    private func dtos(
        _ customers: [Customer], viewer: User, on req: Request, tags written: [Int: [String]]? = nil
    ) async throws -> [CustomerDTO] {
        var tags = written ?? [:]
        if written == nil { tags = try await req.domain.customers.tags(of: customers.compactMap(\.id)) }
        let agentIDs = Set(customers.compactMap { $0.$assignedAgent.id })
        let agents =
            agentIDs.isEmpty
            ? [:]
            : Dictionary(
                uniqueKeysWithValues:
                    try await User.query(on: req.db).filter(\.$id ~~ agentIDs).all().map { ($0.id!, $0) })
        return customers.map {
            CustomerDTO(
                $0, tags: tags[$0.id!] ?? [], agent: $0.$assignedAgent.id.flatMap { agents[$0] }, viewer: viewer)
        }
    }

    /// Validates raw values into a patch and resolves the assigned agent; throws every problem at once.
    static func patch(_ values: [CustomerField: String], rules: CustomerRules, on req: Request) async throws -> (
        CustomerPatch, UUID??
    ) {
        var errors: [FieldError] = []
        var patch = CustomerPatch()
        var agentName: String?? = nil
        switch rules.patch(from: values, emptyClears: true) {
        case .success(let result): (patch, agentName) = result
        case .failure(let failure): errors = failure.errors
        }
        var agent: UUID?? = nil
        if let agentName {
            if let username = agentName {
                do { agent = .some(try await CustomerStore.resolveAgent(username, on: req.db)) } catch {
                    errors.append(error)
                }
            } else {
                agent = .some(nil)
            }
        }
        guard errors.isEmpty else { throw AppError.invalid(ValidationFailure(errors)) }
        return (patch, agent)
    }

    static func assigning(_ agent: UUID??, to record: CustomerRecord) -> CustomerRecord {
        var record = record
        if let agent { record.assignedAgentID = agent }
        return record
    }
}
