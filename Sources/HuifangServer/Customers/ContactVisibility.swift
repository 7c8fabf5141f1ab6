import HuifangCore

/// A customer's contact details as one viewer may see them.
struct VisibleContact: Encodable, Sendable {
    let mobile: String?
    let email: String?
    /// Whether anything shown is masked (and so a reveal is possible).
    let isMasked: Bool

    init(customer: Customer, viewer: User, reveal: Bool = false) {
        let sees =
            reveal
            || canSeeContactDetails(
                role: viewer.role, isAssignedAgent: customer.$assignedAgent.id == viewer.id && viewer.id != nil)
        let phone = customer.mobile.map(PhoneNumber.init(normalised:))
        mobile = sees ? phone?.display : phone?.masked
        email = sees ? customer.email : customer.email.map(Masking.maskEmail)
        isMasked = !sees && (customer.mobile != nil || customer.email != nil)
    }

    /// A history value as the viewer may see it.
    static func historyValue(_ value: String?, field: String, viewer: User, customer: Customer) -> String? {
        guard let value, field == CustomerField.mobile.rawValue || field == CustomerField.email.rawValue else {
            return value
        }
        if canSeeContactDetails(role: viewer.role, isAssignedAgent: customer.$assignedAgent.id == viewer.id) {
            return value
        }
        return field == CustomerField.mobile.rawValue ? Masking.maskPhone(value) : Masking.maskEmail(value)
    }
}
