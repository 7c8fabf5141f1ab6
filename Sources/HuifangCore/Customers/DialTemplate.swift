import Foundation

/// How a number on the call list and in the workspace becomes a click-to-call link: a URL with `{number}` (E.164,
/// `+8613800138000`) or `{digits}` (as dialled at home, `13800138000`) in it — `tel:{number}` (the default, the
/// computer's own dialler), `sip:{digits}@pbx.example.com` for a softphone, or a PBX's HTTP interface such as
/// `https://pbx.example.com/call?to={digits}`.
public struct DialTemplate: Sendable, Equatable {
    public let template: String
    public static let standard = DialTemplate(checked: "tel:{number}")
    /// Schemes a browser hands to a dialler or opens; never `javascript:` or `data:`.
    public static let schemes = ["tel", "sip", "sips", "callto", "http", "https"]

    public enum Problem: Error, Equatable {
        case noNumber
        case scheme
    }

    public init(_ template: String) throws(Problem) {
        guard template.contains("{number}") || template.contains("{digits}") else { throw .noNumber }
        let scheme = template.prefix { $0 != ":" }.lowercased()
        guard template.contains(":"), Self.schemes.contains(scheme) else { throw .scheme }
        self.template = template
    }

    private init(checked template: String) { self.template = template }

    /// The link for `phone`, each part percent-encoded where it stands (a `+` in a query is `%2B`).
    public func url(for phone: PhoneNumber) -> String {
        let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+&=?#/"))
        func encoded(_ value: String) -> String {
            template.lowercased().hasPrefix("http")
                ? value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value : value
        }
        return template.replacingOccurrences(of: "{number}", with: encoded(phone.e164))
            .replacingOccurrences(of: "{digits}", with: encoded(phone.display))
    }
}
