/// Text with placeholders such as `{客户姓名}` or `{name}`, filled per customer: scripts (话术)
/// and message templates use the same names.
public enum Placeholder: String, CaseIterable, Sendable {
    case name, salutation, tier, product, event, eventDate, dueDate, agent, company, link, expires

    /// The Chinese name a supervisor may write instead of the English one.
    public var chinese: String {
        switch self {
        case .name: "客户姓名"
        case .salutation: "称呼"
        case .tier: "会员等级"
        case .product: "产品"
        case .event: "事件"
        case .eventDate: "事件日期"
        case .dueDate: "回访日期"
        case .agent: "坐席"
        case .company: "公司"
        case .link: "问卷链接"
        case .expires: "有效期"
        }
    }

    public init?(named name: String) {
        if let value = Placeholder(rawValue: name) {
            self = value
            return
        }
        guard let value = Placeholder.allCases.first(where: { $0.chinese == name }) else { return nil }
        self = value
    }

    /// `{name}` → value for every placeholder present in `values`; a known placeholder with no value
    /// becomes empty, text in braces that names no placeholder is left as written.
    public static func fill(_ text: String, _ values: [Placeholder: String]) -> String {
        var result = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let after = rest.index(after: open)
            if let close = rest[after...].firstIndex(of: "}"),
                let placeholder = Placeholder(named: String(rest[after..<close]))
            {
                result += values[placeholder] ?? ""
                rest = rest[rest.index(after: close)...]
            } else {
                result += "{"
                rest = rest[after...]
            }
        }
        return result + rest
    }

    /// Names in braces that are not placeholders (a misspelt `{姓名}`), for the template editor to refuse.
    public static func unknown(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "}") else { break }
            let name = String(rest[after..<close])
            if Placeholder(named: name) == nil, !found.contains(name) { found.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    /// 先生 / 女士 after the family name, or the full name when the gender is unknown.
    public static func salutation(name: String, gender: String?) -> String {
        guard let family = name.first, name.count <= 4 else { return name }
        switch gender {
        case "male": return "\(family)先生"
        case "female": return "\(family)女士"
        default: return name
        }
    }
}
