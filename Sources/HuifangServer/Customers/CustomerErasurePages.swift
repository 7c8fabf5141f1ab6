import Fluent
import HuifangCore
import Vapor

/// The erasure form: on whose request, why, and the member ID (or customer number) typed again to confirm.
extension CustomerPagesController {
    struct EraseContext: Encodable {
        let id: Int
        let confirmLabel: String
        let values: [String: String]
        let errors: [String: String]
    }

    struct EraseInput: Content {
        var requestedBy: String?
        var reason: String?
        var confirm: String?
    }

    @Sendable func eraseForm(req: Request) async throws -> Response {
        try await eraseForm(req, customer: try await req.customer(), values: [:], errors: [:])
    }

    @Sendable func erase(req: Request) async throws -> Response {
        let customer = try await req.customer()
        let input = try req.content.decode(EraseInput.self)
        var errors: [NamedFieldError] = []
        let request = errors.collect(try ErasureRequest(requestedBy: input.requestedBy, reason: input.reason))
        if !ErasureRequest.confirms(input.confirm, customerID: customer.id!, memberID: customer.externalID) {
            errors.append(NamedFieldError(field: "confirm", key: "problem.confirmMismatch"))
        }
        guard let request, errors.isEmpty else {
            let messages = errors.messages(in: req.language)
            let values = ["requestedBy": input.requestedBy ?? "", "reason": input.reason ?? ""]
            let response = try await eraseForm(req, customer: customer, values: values, errors: messages)
            response.status = .unprocessableEntity
            return response
        }
        let outcome = try await req.domain.customerErasure.erase(customer, request: request)
        req.flash("customers.erased", String(outcome.customerID))
        return req.redirect(to: "/customers")
    }

    private func eraseForm(_ req: Request, customer: Customer, values: [String: String], errors: [String: String])
        async throws -> Response
    {
        let label =
            customer.externalID.map { req.t("customers.eraseConfirmMember", $0) }
            ?? req.t("customers.eraseConfirmNumber", String(customer.id!))
        return try await req.renderPage(
            "customers/erase", titleKey: "customers.eraseTitle",
            EraseContext(id: customer.id!, confirmLabel: label, values: values, errors: errors))
    }
}
