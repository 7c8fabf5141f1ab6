import HuifangCore
import Vapor

extension Request {
    /// A search parameter, trimmed; one longer than `limit` is refused (`422` naming it) before it reaches
    /// the database, where a pattern of 50,000 characters was "too complex" and a `500`.
    func searchTerm(_ name: String, limit: Int = TextLimit.search) throws -> String {
        let text = query[String.self, at: name]?.trimmingWhitespace() ?? ""
        guard !TextLimit.exceeds(text, limit) else {
            throw NamedFieldError(field: name, key: "search.tooLong", arguments: [String(limit)])
        }
        return text
    }
}
