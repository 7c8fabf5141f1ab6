/// A request to erase a customer's personal information: on whose request (the member in person, by phone, a
/// letter from their lawyer, the retention rule) and why. Neither may be empty; both are kept in the erasure
/// register, so they must not themselves name the person (the form says so).
public struct ErasureRequest: Sendable, Equatable {
    public let requestedBy: String
    public let reason: String

    /// Checks both texts: present and one line long at most.
    public init(requestedBy: String?, reason: String?) throws(NamedFieldErrors) {
        var errors: [NamedFieldError] = []
        let requestedBy = errors.collect(try Self.line(requestedBy, field: "requestedBy"))
        let reason = errors.collect(try Self.line(reason, field: "reason"))
        guard let requestedBy, let reason, errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        self.requestedBy = requestedBy
        self.reason = reason
    }

    /// Whether what someone typed to confirm names this customer: the member ID when there is one, otherwise
    /// the customer number Huifang gave them (surrounding spaces and case do not matter).
    public static func confirms(_ typed: String?, customerID: Int, memberID: String?) -> Bool {
        guard let typed = typed?.trimmingWhitespace(), !typed.isEmpty else { return false }
        if let memberID, !memberID.isEmpty { return typed.lowercased() == memberID.lowercased() }
        return typed == String(customerID)
    }

    private static func line(_ raw: String?, field: String) throws(NamedFieldErrors) -> String {
        let text = raw?.trimmingWhitespace() ?? ""
        if text.isEmpty { throw NamedFieldErrors(errors: [NamedFieldError(field: field, key: "problem.required")]) }
        if text.count > TextLimit.line { throw NamedFieldErrors(errors: [.tooLong(field, TextLimit.line)]) }
        return text
    }
}
