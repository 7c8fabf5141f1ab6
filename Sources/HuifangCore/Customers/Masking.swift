/// How personal data is shown to roles that do not need it in full.
public enum Masking {
    /// Keeps the first three (or five, with `+`) characters and the last four.
    public static func maskPhone(_ display: String) -> String {
        let chars = Array(display)
        let head = display.hasPrefix("+") ? 5 : 3
        guard chars.count > head + 4 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(head)) + "****" + String(chars.suffix(4))
    }

    /// `z***@example.com`: the first letter of the mailbox and the domain.
    public static func maskEmail(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), at > email.startIndex else { return "***" }
        return String(email[email.startIndex]) + "***" + String(email[at...])
    }
}
