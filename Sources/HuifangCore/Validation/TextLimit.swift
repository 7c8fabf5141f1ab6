/// The longest free text each kind of field takes, in characters (README "Security — Lengths of free
/// text"). Longer input is refused with the field named, so nobody can fill the database, the audit log
/// or a page with one request.
public enum TextLimit {
    /// Names and titles: a person's display name, a department, a rule, a calendar day's name.
    public static let name = 100
    /// One line: references, owners, keywords, subjects, an event attribute's value.
    public static let line = 500
    /// Notes and what people said: a ticket's action note or reason, a call's summary, a customer's words.
    public static let note = 2000
    /// A ticket's description (it may carry the low survey answers and the agent's notes).
    public static let description = 4000
    /// A search term (`q`, `tag`, a caller's number): enough for a name, a number or a few words.
    public static let search = 100
    /// Long texts: a rule's script.
    public static let document = 10_000

    /// Whether `text` is longer than `limit` characters.
    public static func exceeds(_ text: String?, _ limit: Int) -> Bool { (text?.count ?? 0) > limit }
}
