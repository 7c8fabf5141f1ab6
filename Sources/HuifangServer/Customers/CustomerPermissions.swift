import HuifangCore
import Vapor

/// Which customer fields a viewer may change: contact details only if they see them unmasked, the
/// assigned agent only a supervisor or admin (an agent making a customer theirs would unmask them).
struct CustomerPermissions {
    let viewer: Viewer

    /// Whether the viewer sees this customer's contact details (a new customer's are the viewer's own input).
    func seesContact(of customer: Customer?) -> Bool {
        guard let customer else { return true }
        return ObjectScope.seesContactDetails(customerAgentID: customer.$assignedAgent.id, viewer)
    }

    /// The submitted values less the locked fields that arrive unchanged (a form sends the masked number
    /// back); a locked field that would change is refused, named, and nothing is saved.
    func check(_ values: [CustomerField: String], customer: Customer?, agentUsername: String?) throws
        -> [CustomerField: String]
    {
        var values = values
        var errors: [FieldError] = []
        if !seesContact(of: customer), let customer {
            let shown = [
                CustomerField.mobile: customer.mobile.map { PhoneNumber(normalised: $0).masked } ?? "",
                .email: customer.email.map(Masking.maskEmail) ?? "",
            ]
            for (field, masked) in shown {
                guard let value = values[field]?.trimmingWhitespace() else { continue }
                if value == masked { values[field] = nil } else { errors.append(FieldError(field, .notPermitted)) }
            }
        }
        if !ObjectScope.mayAssignCustomers(viewer), let value = values[.assignedAgent]?.trimmingWhitespace() {
            if value == (agentUsername ?? "") {
                values[.assignedAgent] = nil
            } else {
                errors.append(FieldError(.assignedAgent, .notPermitted))
            }
        }
        guard errors.isEmpty else { throw AppError.invalid(ValidationFailure(errors)) }
        return values
    }
}

extension Request {
    func customerPermissions() throws -> CustomerPermissions { CustomerPermissions(viewer: try viewer) }
}

extension DomainServices {
    /// The username of the customer's assigned agent, if any.
    func assignedUsername(_ customer: Customer) async throws -> String? {
        try await customer.$assignedAgent.get(on: db)?.username
    }
}
