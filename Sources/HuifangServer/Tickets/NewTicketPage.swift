import Fluent
import HuifangCore
import Vapor

/// 登记工单: a ticket opened by hand, from a customer's page or the ticket lists, with the problems beside
/// their fields and what was written kept.
struct NewTicketPage: Encodable {
    let customerID: String
    let customerName: String?
    let values: [String: String]
    let errors: [String: String]
    let kinds: [SelectOption]
    let categories: [SelectOption]
    let severities: [SelectOption]
    let departments: [SelectOption]
    let handlers: [SelectOption]

    static func render(_ req: Request, values: [String: String], errors: [String: String]) async throws -> Response {
        let settings = try await TicketSettingsRecord.load(on: req.db).settings
        var customerName: String?
        if let id = Int(values["customer"] ?? ""), let customer = try await Customer.find(id, on: req.db),
            customer.erasedAt == nil
        {
            customerName = customer.name
        }
        func options(_ pairs: [(String, String)], _ key: String) -> [SelectOption] {
            pairs.map { SelectOption(value: $0.0, label: $0.1, selected: values[key] == $0.0) }
        }
        let page = NewTicketPage(
            customerID: values["customer"] ?? "", customerName: customerName, values: values, errors: errors,
            kinds: options(TicketKind.allCases.map { ($0.rawValue, req.t("ticket.kind.\($0.rawValue)")) }, "kind"),
            categories: options(settings.categories.map { ($0.code, $0.name) }, "category"),
            severities: options(
                Severity.allCases.map { ($0.rawValue, req.t("ticket.severity.\($0.rawValue)")) }, "severity"),
            departments: options(
                [("", req.t("tickets.noDepartment"))]
                    + (try await Department.query(on: req.db).sort(\.$name).all()).map { ($0.id!.uuidString, $0.name) },
                "department"),
            handlers: [
                SelectOption(value: "", label: req.t("tickets.nobodyYet"), selected: (values["handler"] ?? "").isEmpty)
            ]
                + (try await req.ticketAssignees(
                    department: values["department"].flatMap(UUID.init(uuidString:)), selected: values["handler"])))
        let response = try await req.renderPage("tickets/new", titleKey: "tickets.openOne", page)
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }
}

extension TicketPagesController {
    @Sendable func newTicket(req: Request) async throws -> Response {
        let customer = req.query[String.self, at: "customer"] ?? ""
        return try await NewTicketPage.render(
            req, values: ["customer": customer, "kind": "complaint", "severity": "general"], errors: [:])
    }

    @Sendable func openTicket(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        func value(_ key: String) -> String? { form[key].flatMap { $0.isEmpty ? nil : $0 } }
        let input = TicketInput(
            kind: form["kind"] ?? "", category: value("category"), severity: value("severity"),
            urgent: form["urgent"] != nil, source: "desk", customerID: value("customer").flatMap { Int($0) },
            description: form["description"] ?? "", handler: value("handler"), department: value("department"))
        do {
            if value("customer") != nil, input.customerID == nil {
                throw NamedFieldError(field: "customer", key: "problem.notANumber")
            }
            let ticket = try await req.domain.tickets.open(input)
            req.flash("tickets.opened", "\(ticket.id!)")
            return req.redirect(to: "/tickets/\(ticket.id!)")
        } catch {
            let problems: [NamedFieldError]
            switch error {
            case let error as NamedFieldErrors: problems = error.errors
            case let error as NamedFieldError: problems = [error]
            default: throw error
            }
            let errors = Dictionary(
                problems.map { ($0.field, Catalogue.text($0.key, req.language, $0.arguments)) },
                uniquingKeysWith: { first, _ in first })
            return try await NewTicketPage.render(req, values: form, errors: errors)
        }
    }
}
