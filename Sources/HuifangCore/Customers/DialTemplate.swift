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
        self.init(checked: template)
    }

    private init(checked template: String) {
        self.template = template
        self.parts = Self.parts(of: template)
        self.web = template.lowercased().hasPrefix("http")
    }

    public static func == (lhs: DialTemplate, rhs: DialTemplate) -> Bool { lhs.template == rhs.template }

    /// A piece of the template: text as written, or where the number goes.
    private enum Part: Sendable {
        case text(String)
        case number
        case digits
    }

    /// The template cut once at its placeholders (a call list builds a link for every row).
    private let parts: [Part]
    /// An HTTP(S) link, whose number is percent-encoded.
    private let web: Bool
    private static let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+&=?#/"))

    private static func parts(of template: String) -> [Part] {
        var parts: [Part] = []
        var rest = template[...]
        while let open = rest.firstRange(of: "{") {
            let tail = rest[open.lowerBound...]
            let placeholder: Part? =
                tail.hasPrefix("{number}") ? .number : tail.hasPrefix("{digits}") ? .digits : nil
            let end = placeholder == nil ? open.upperBound : rest.index(open.lowerBound, offsetBy: 8)
            parts.append(.text(String(rest[..<(placeholder == nil ? end : open.lowerBound)])))
            if let placeholder { parts.append(placeholder) }
            rest = rest[end...]
        }
        parts.append(.text(String(rest)))
        return parts
    }

    /// The link for `phone`, each part percent-encoded where it stands (a `+` in a query is `%2B`).
    public func url(for phone: PhoneNumber) -> String {
        func encoded(_ value: String) -> String {
            web ? value.addingPercentEncoding(withAllowedCharacters: Self.allowed) ?? value : value
        }
        var link = ""
        for part in parts {
            switch part {
            case .text(let text): link += text
            case .number: link += encoded(phone.e164)
            case .digits: link += encoded(phone.display)
            }
        }
        return link
    }
}
