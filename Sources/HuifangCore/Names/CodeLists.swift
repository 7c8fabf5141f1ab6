/// What inbound calls are about (来电事项): the list the call form offers and the report groups calls by.
public enum CallMatters {
    /// The list a new organisation starts with (the business types of the inbound-call policy); each name is
    /// also the catalogue's `callMatter.<code>`, so it reads in English until someone renames it.
    public static let defaults: [NamedCode] = [
        NamedCode(code: "inquiry", name: "业务咨询"), NamedCode(code: "order", name: "订单配送查询"),
        NamedCode(code: "repair", name: "维修进度"), NamedCode(code: "points", name: "会员积分"),
        NamedCode(code: "event", name: "活动咨询"), NamedCode(code: "invoice", name: "发票"),
        NamedCode(code: "complaint", name: "投诉"), NamedCode(code: "suggestion", name: "意见建议"),
        NamedCode(code: "other", name: "其他"),
    ]

    /// Every problem of a submitted list (`matters[i].code`, `matters[i].name`), and one on `matters` when no
    /// matter is left to offer. `keptCodes` are the codes stored calls hold, which stay valid as they are.
    public static func problems(_ entries: [NamedCode], keptCodes: Set<String>) -> [NamedFieldError] {
        var found = NamedCodes.problems(entries, field: "matters", keptCodes: keptCodes)
        if !entries.contains(where: \.isActive) {
            found.append(NamedFieldError(field: "matters", key: "matters.problem.noneActive"))
        }
        return found
    }
}

/// What an agent can do that a rule may require (技能): the list admins keep and the agents' settings choose from.
public enum Skills {
    /// The skills a new organisation starts with; each name is also the catalogue's `skill.<code>`.
    public static let defaults: [NamedCode] = [
        NamedCode(code: "medical", name: "医疗回访"), NamedCode(code: "vip", name: "VIP 客户"),
    ]

    /// Every problem of a submitted list (`skills[i].code`, `skills[i].name`).
    public static func problems(_ entries: [NamedCode], keptCodes: Set<String>) -> [NamedFieldError] {
        NamedCodes.problems(entries, field: "skills", keptCodes: keptCodes)
    }
}

/// The names of service events' attributes (`warranty_until` → 质保截止日), kept per event kind.
public enum EventAttributes {
    /// The attributes the default kinds and rules read; each name is also the catalogue's `eventAttribute.<key>`.
    public static let defaults: [(kind: String, attributes: [NamedCode])] = [
        ("purchase", [NamedCode(code: "product", name: "产品"), NamedCode(code: "amount", name: "金额")]),
        ("repair", [NamedCode(code: "product", name: "产品")]),
        (
            "warranty_start",
            [NamedCode(code: "warranty_until", name: "质保截止日"), NamedCode(code: "product", name: "产品")]
        ),
        ("insurance_expiry", [NamedCode(code: "expires_on", name: "到期日")]),
        ("card_expiry", [NamedCode(code: "expires_on", name: "到期日")]),
    ]

    /// Every problem of one kind's submitted attributes (`attributes[i].code`, `attributes[i].name`): the code is
    /// the key files and the API use (any short text, as a file's column may be 科室), the name what people read.
    public static func problems(_ entries: [NamedCode]) -> [NamedFieldError] {
        NamedCodes.problems(entries, field: "attributes", freeCodes: true)
    }
}

/// How a service event's attributes read on a page: by the names their kind gives them, in that order, then any
/// other attribute by a name another kind gives the same key, else by its key.
public struct EventAttributeNames: Sendable {
    private let byKind: [String: [NamedCode]]
    private let anyKind: [String: String]

    /// - Parameter byKind: each kind's attributes in the order they are shown, names as the reader reads them.
    public init(_ byKind: [String: [NamedCode]]) {
        self.byKind = byKind
        var anyKind: [String: String] = [:]
        for kind in byKind.keys.sorted() {
            for attribute in byKind[kind] ?? [] where anyKind[attribute.code] == nil {
                anyKind[attribute.code] = attribute.name
            }
        }
        self.anyKind = anyKind
    }

    /// What people read for `key` on an event of `kind`.
    public func name(of key: String, kind: String) -> String {
        byKind[kind]?.first { $0.code == key }?.name ?? anyKind[key] ?? key
    }

    /// The attributes as `名称：值` pairs, the kind's own first in its order, the rest by key.
    public func pairs(_ attributes: [String: String], kind: String) -> [(name: String, value: String)] {
        let order = Dictionary(
            (byKind[kind] ?? []).enumerated().map { ($0.element.code, $0.offset) }, uniquingKeysWith: { a, _ in a })
        return attributes.sorted { left, right in
            switch (order[left.key], order[right.key]) {
            case (let l?, let r?): l < r
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): left.key < right.key
            }
        }.map { (name(of: $0.key, kind: kind), $0.value) }
    }

    /// The attributes on one line, `质保截止日：2027-11-30，产品：热水器` (`Warranty until: 2027-11-30, Product: …`).
    public func line(_ attributes: [String: String], kind: String, language: Language) -> String {
        pairs(attributes, kind: kind).map { $0.name + (language == .zh ? "：" : ": ") + $0.value }.joined(
            separator: language == .zh ? "，" : ", ")
    }
}
