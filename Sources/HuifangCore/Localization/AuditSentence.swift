/// An audit entry read as a sentence in the reader's language: "王芳 查看了客户 张伟 的完整联系方式".
public enum AuditSentence {
    /// Every action the product writes to the audit log (a test checks the sources against it), for filtering.
    public static var actions: [String] {
        Catalogue.entries.keys.filter { $0.hasPrefix("audit.sentence.") }.map { String($0.dropFirst(15)) }.sorted()
    }

    /// The sentence for `action` done by `actor` to `subject` (already named for the reader); an action without a
    /// sentence of its own reads "who · what · subject".
    public static func text(action: String, actor: String, subject: String, _ language: Language) -> String {
        let key = "audit.sentence." + action
        guard Catalogue.contains(key) else {
            return [actor, Catalogue.text("action." + action, language), subject].filter { !$0.isEmpty }
                .joined(separator: " · ")
        }
        return Catalogue.text(key, language, [actor, subject])
    }
}
