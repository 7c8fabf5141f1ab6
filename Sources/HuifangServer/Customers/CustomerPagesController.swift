import Fluent
import HuifangCore
import Vapor

/// The customer pages: list with search and filters, profile with history, form, reveal, export, erasure.
struct CustomerPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let customers = routes.grouped("customers")
        let read = customers.guarded(.customersRead, .page)
        read.get(use: list)
        read.get(":id", use: show)
        let write = customers.guarded(.customersWrite, .page)
        write.get("new", use: newForm)
        write.post(use: create)
        write.get(":id", "edit", use: editForm)
        write.post(":id", use: update)
        customers.guarded(.customersReveal, .page).post(":id", "reveal", use: reveal)
        let erasure = customers.guarded(.customersDelete, .page)
        erasure.get(":id", "erase", use: eraseForm)
        erasure.post(":id", "erase", use: erase)
        // A POST: a link on another site must not be able to make a supervisor's browser export (and audit) data.
        customers.guarded(.customersExport, .page).post(":id", "export", use: export)
    }

    struct Row: Encodable {
        let id: Int
        let externalID: String?
        let name: String
        let mobile: String?
        let tier: String
        let tags: [String]
        let agent: String?
        let registeredOn: String?
        let doNotDisturb: Bool
    }
    struct ListContext: Encodable {
        let rows: [Row]
        let q: String
        let tier: String
        let tag: String
        let tiers: [String]
        /// The agents whose customers the list can be narrowed to (by username).
        let agents: [SelectOption]
        let agent: String
        let countText: String
        let nextURL: String?
        let isFirstPage: Bool
        let canCreate: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        let viewer = try req.auth.require(User.self)
        let text = try req.searchTerm("q")
        let tier = req.query[String.self, at: "tier"] ?? ""
        let tag = try req.searchTerm("tag")
        let after = req.query[Int.self, at: "after"]
        let agent = req.queryText("agent") ?? ""
        let query = CustomerStore.Query(
            text: text.isEmpty ? nil : text, tier: tier.isEmpty ? nil : tier,
            tag: tag.isEmpty ? nil : tag, assignedAgentID: try await req.customerAgentFilter(),
            partialNumbers: ObjectScope.maySearchPartialNumbers(viewer.viewer), after: after)
        let (customers, next) = try await req.domain.customers.list(query)
        let tags = try await req.domain.customers.tags(of: customers.compactMap(\.id))
        let agents = try await agentNames(customers.compactMap { $0.$assignedAgent.id }, on: req.db)
        let rows = customers.map { c in
            Row(
                id: c.id!, externalID: c.externalID, name: c.name,
                mobile: VisibleContact(customer: c, viewer: viewer).mobile,
                tier: c.tier, tags: tags[c.id!] ?? [], agent: c.$assignedAgent.id.flatMap { agents[$0] },
                registeredOn: c.registeredOn, doNotDisturb: c.doNotDisturb)
        }
        // A count is cheap on an index; under a text search over a million rows it stops at the cap.
        let countText =
            text.isEmpty
            ? req.t("customers.count", String(try await req.domain.customers.count(query)))
            : req.listTotal(try await req.domain.customers.countUpToCap(query))
        try await req.domain.audit(
            "customer.list", subjectType: "customer",
            detail: text.isEmpty ? "count=\(rows.count)" : "q=\(text) count=\(rows.count)")
        var nextURL: String?
        if let next {
            var components = URLComponents()
            components.path = "/customers"
            components.queryItems =
                [("q", text), ("tier", tier), ("tag", tag), ("agent", agent)].filter { !$0.1.isEmpty }
                .map { URLQueryItem(name: $0.0, value: $0.1) } + [URLQueryItem(name: "after", value: String(next))]
            nextURL = components.string
        }
        return try await req.renderPage(
            "customers/index", titleKey: "customers.title",
            ListContext(
                rows: rows, q: text, tier: tier, tag: tag, tiers: try await Tier.names(on: req.db),
                agents: try await User.query(on: req.db).filter(\.$role == .agent).filter(\.$isActive == true)
                    .sort(\.$displayName).all().map {
                        SelectOption(value: $0.username, label: $0.displayName, selected: $0.username == agent)
                    }, agent: agent,
                countText: countText, nextURL: nextURL,
                isFirstPage: after == nil,
                canCreate: RouteAccess.customersWrite.roles.contains(viewer.role)
            ))
    }

    struct HistoryRow: Encodable {
        let at: String
        let actor: String
        let source: String
        let field: String
        let oldValue: String?
        let newValue: String?
    }
    struct ConsentRow: Encodable {
        let at: String
        let consent: String
        let doNotDisturb: String
        let how: String
        let actor: String
        let note: String
    }
    struct ShowContext: Encodable {
        let id: Int
        let name: String
        let fields: [Field]
        let contact: VisibleContact
        let history: [HistoryRow]
        let consent: [ConsentRow]
        let timeline: [TimelineItem]
        let canEdit: Bool
        let canOpenTicket: Bool
        let canReveal: Bool
        let canDelete: Bool
        let canExport: Bool
        let revealed: Bool

        struct Field: Encodable {
            let label: String
            let value: String
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await profile(req, reveal: false)
    }

    @Sendable func reveal(req: Request) async throws -> Response {
        try await profile(req, reveal: true)
    }

    private func profile(_ req: Request, reveal: Bool) async throws -> Response {
        let viewer = try req.auth.require(User.self)
        let customer = try await req.customer()
        let id = customer.id!
        try await req.domain.audit(
            reveal ? "customer.reveal" : "customer.view", subjectType: "customer", subjectID: String(id))
        let tags = try await req.domain.customers.tags(of: [id])[id] ?? []
        let agent = try await agentNames(customer.$assignedAgent.id.map { [$0] } ?? [], on: req.db).values.first
        let none = req.t("common.none")
        let yes = req.t("common.yes")
        let no = req.t("common.no")
        let fields: [(String, String?)] = [
            ("field.externalID", customer.externalID),
            ("field.gender", customer.gender.map { req.t("gender." + $0) }),
            ("field.birthday", customer.birthday),
            ("field.registeredOn", customer.registeredOn),
            ("field.tier", customer.tier),
            ("field.tags", tags.isEmpty ? nil : tags.joined(separator: "、")),
            ("field.assignedAgent", agent),
            ("field.consent", customer.consent ? yes : no),
            ("field.doNotDisturb", customer.doNotDisturb ? yes : no),
            ("field.notes", customer.notes),
        ]
        return try await req.renderPage(
            "customers/show", titleKey: "customers.profile",
            ShowContext(
                id: id, name: customer.name,
                fields: fields.map { .init(label: req.t($0.0), value: $0.1 ?? none) },
                contact: VisibleContact(customer: customer, viewer: viewer, reveal: reveal),
                history: try await history(of: customer, viewer: viewer, on: req),
                consent: try await consentHistory(of: id, on: req),
                timeline: try await TimelineItem.of(customerID: id, on: req),
                canEdit: RouteAccess.customersWrite.roles.contains(viewer.role),
                canOpenTicket: RouteAccess.tickets.roles.contains(viewer.role),
                canReveal: RouteAccess.customersReveal.roles.contains(viewer.role),
                canDelete: RouteAccess.customersDelete.roles.contains(viewer.role),
                canExport: RouteAccess.customersExport.roles.contains(viewer.role),
                revealed: reveal
            ))
    }

    /// The customer's change history, newest first, contact details masked as in the profile.
    private func history(of customer: Customer, viewer: User, on req: Request) async throws -> [HistoryRow] {
        try await req.domain.customers.history(of: customer.id!).map { change in
            HistoryRow(
                at: req.application.huifang.formatDateTime(change.at), actor: change.actorName,
                source: req.t("source." + change.source),
                field: change.field == CustomerChange.createdField
                    ? req.t("history.created") : req.t("field." + change.field),
                oldValue: VisibleContact.historyValue(
                    change.oldValue, field: change.field, viewer: viewer, customer: customer),
                newValue: VisibleContact.historyValue(
                    change.newValue, field: change.field, viewer: viewer, customer: customer)
            )
        }
    }

    /// The customer's consent history, newest first.
    private func consentHistory(of id: Int, on req: Request) async throws -> [ConsentRow] {
        let yes = req.t("common.yes")
        let no = req.t("common.no")
        return try await ConsentLedger(db: req.db, now: req.now).history(of: id).reversed().map { row in
            let how = ConsentSource(rawValue: row.how)
            return ConsentRow(
                at: req.application.huifang.formatDateTime(row.at), consent: row.consent ? yes : no,
                doNotDisturb: row.doNotDisturb ? yes : no, how: how.map { req.t($0.catalogueKey) } ?? row.how,
                actor: row.actorName ?? (how?.isCustomersOwn == true ? req.t("consent.customerSelf") : ""),
                note: row.note ?? "")
        }
    }

    struct FormInput: Content {
        var name: String?
        var mobile: String?
        var email: String?
        var gender: String?
        var birthday: String?
        var registeredOn: String?
        var tier: String?
        var tags: String?
        var externalID: String?
        var assignedAgent: String?
        var consent: String?
        var doNotDisturb: String?
        var notes: String?

        /// Every field, as a form sends them: unchecked boxes are absent and mean "no"; the agent's list is
        /// absent when it is locked (disabled), and then leaves the assignment alone.
        var values: [CustomerField: String] {
            var values: [CustomerField: String] = [
                .name: name ?? "", .mobile: mobile ?? "", .email: email ?? "", .gender: gender ?? "",
                .birthday: birthday ?? "", .registeredOn: registeredOn ?? "", .tier: tier ?? "", .tags: tags ?? "",
                .externalID: externalID ?? "",
                .consent: consent == nil ? "0" : "1", .doNotDisturb: doNotDisturb == nil ? "0" : "1",
                .notes: notes ?? "",
            ]
            if let assignedAgent { values[.assignedAgent] = assignedAgent }
            return values
        }
    }
    struct FormContext: Encodable {
        let action: String
        let isNew: Bool
        let values: [String: String]
        let errors: [String: String]
        let tiers: [String]
        let agents: [Agent]
        let cancelURL: String
        /// Contact details shown masked and not editable (the viewer sees them masked).
        let contactLocked: Bool
        /// The assigned agent is chosen by supervisors and admins only.
        let agentLocked: Bool

        struct Agent: Encodable {
            let username: String
            let displayName: String
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try await form(
            req, action: "/customers", values: [CustomerField.consent.rawValue: "1"], errors: [:], isNew: true)
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let customer = try await req.customer()
        let record = try await req.domain.customers.record(of: customer)
        var values: [String: String] = [:]
        for field in CustomerField.allCases { values[field.rawValue] = record.historyValue(field) ?? "" }
        values[CustomerField.assignedAgent.rawValue] = try await customer.$assignedAgent.get(on: req.db)?.username ?? ""
        values[CustomerField.consent.rawValue] = record.consent ? "1" : ""
        values[CustomerField.doNotDisturb.rawValue] = record.doNotDisturb ? "1" : ""
        // The form shows contact details as the profile does: masked for a role that sees them masked.
        let visible = VisibleContact(customer: customer, viewer: try req.auth.require(User.self))
        values[CustomerField.mobile.rawValue] = visible.mobile ?? ""
        values[CustomerField.email.rawValue] = visible.email ?? ""
        try await req.domain.audit(
            "customer.view", subjectType: "customer", subjectID: String(customer.id!), detail: "edit")
        return try await form(
            req, action: "/customers/\(customer.id!)", values: values, errors: [:], isNew: false,
            customer: customer)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let input = try req.content.decode(FormInput.self)
        let rules = try await req.domain.customerRules()
        do {
            let values = try req.customerPermissions().check(input.values, customer: nil, agentUsername: nil)
            let (patch, agent) = try await CustomerAPIController.patch(values, rules: rules, on: req)
            let record = CustomerAPIController.assigning(agent, to: patch.makeRecord(defaultTier: rules.defaultTier)!)
            let customer = try await req.domain.customers.create(record, by: req.actor)
            req.flash("common.saved")
            return req.redirect(to: "/customers/\(customer.id!)")
        } catch let error as AppError where !error.fieldErrors.isEmpty {
            return try await form(
                req, action: "/customers", values: raw(input), errors: messages(error, req), isNew: true,
                status: .unprocessableEntity)
        }
    }

    @Sendable func update(req: Request) async throws -> Response {
        let customer = try await req.customer()
        let input = try req.content.decode(FormInput.self)
        do {
            let values = try req.customerPermissions().check(
                input.values, customer: customer,
                agentUsername: try await req.domain.assignedUsername(customer))
            let (patch, agent) = try await CustomerAPIController.patch(
                values, rules: req.domain.customerRules(), on: req)
            let current = try await req.domain.customers.record(of: customer)
            let record = CustomerAPIController.assigning(agent, to: patch.applied(to: current))
            try await req.domain.customers.update(customer, from: current, to: record, by: req.actor)
            req.flash("common.saved")
            return req.redirect(to: "/customers/\(customer.id!)")
        } catch let error as AppError where !error.fieldErrors.isEmpty {
            var shown = raw(input)
            if !(try req.customerPermissions().seesContact(of: customer)) {  // never echo what the viewer may not see
                let visible = VisibleContact(customer: customer, viewer: try req.auth.require(User.self))
                shown[CustomerField.mobile.rawValue] = visible.mobile ?? ""
                shown[CustomerField.email.rawValue] = visible.email ?? ""
            }
            return try await form(
                req, action: "/customers/\(customer.id!)", values: shown, errors: messages(error, req),
                isNew: false, status: .unprocessableEntity, customer: customer)
        }
    }

    /// The customer's data as one download (the same archive as the API's); audited.
    @Sendable func export(req: Request) async throws -> Response {
        let archive = try await req.domain.customerExport.archive(of: req.customer())
        return zipResponse(archive.bytes, name: archive.fileName)
    }

    private func form(
        _ req: Request, action: String, values: [String: String], errors: [String: String], isNew: Bool,
        status: HTTPResponseStatus = .ok, customer: Customer? = nil
    ) async throws -> Response {
        let agents = try await User.query(on: req.db).filter(\.$role == .agent).filter(\.$isActive == true).sort(
            \.$displayName
        ).all()
        let permissions = try req.customerPermissions()
        let response = try await req.renderPage(
            "customers/form", titleKey: isNew ? "customers.new" : "customers.edit",
            FormContext(
                action: action, isNew: isNew, values: values, errors: errors, tiers: try await Tier.names(on: req.db),
                agents: agents.map { .init(username: $0.username, displayName: $0.displayName) },
                cancelURL: isNew ? "/customers" : action,
                contactLocked: !permissions.seesContact(of: customer),
                agentLocked: !ObjectScope.mayAssignCustomers(permissions.viewer)
            ))
        response.status = status
        return response
    }

    private func raw(_ input: FormInput) -> [String: String] {
        var values: [String: String] = [:]
        for (field, value) in input.values { values[field.rawValue] = value }
        values[CustomerField.consent.rawValue] = input.consent == nil ? "" : "1"
        values[CustomerField.doNotDisturb.rawValue] = input.doNotDisturb == nil ? "" : "1"
        return values
    }

    private func messages(_ error: AppError, _ req: Request) -> [String: String] {
        Dictionary(error.fieldErrors.map { ($0.field.rawValue, $0.problem.message(in: req.language)) }) { a, _ in a }
    }
}

/// Display names of users by id, in one query.
extension Request {
    /// The customers list's `agent`: an active agent's username (or id), whose customers the list shows.
    func customerAgentFilter() async throws -> UUID? {
        guard let agent = queryText("agent") else { return nil }
        return try await domain.agent(named: agent, evenInactive: true).id
    }
}

func agentNames(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
    guard !ids.isEmpty else { return [:] }
    let users = try await User.query(on: db).filter(\.$id ~~ Set(ids)).all()
    return Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.displayName) })
}
