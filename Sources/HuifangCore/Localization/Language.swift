/// The languages the UI speaks: Simplified Chinese first, English on request.
public enum Language: String, CaseIterable, Codable, Sendable {
    case zh
    case en

    /// Reads `zh`, `zh-CN`, `en-US`, … as used in cookies, settings and Accept-Language.
    public init?(tag: String) {
        let lower = tag.trimmingWhitespace().lowercased()
        if lower.hasPrefix("zh") { self = .zh } else if lower.hasPrefix("en") { self = .en } else { return nil }
    }

    /// The value for the HTML `lang` attribute.
    public var htmlTag: String { self == .zh ? "zh-CN" : "en" }
}
