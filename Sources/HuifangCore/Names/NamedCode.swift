/// A code that files, rules and reports keep (`medical`, `inquiry`) and the name people read (医疗回访, 业务咨询).
///
/// Stored rows keep the code, so renaming changes every page at once and a report still groups by what was
/// recorded; the name is only the label.
public struct NamedCode: Hashable, Codable, Sendable {
    public var code: String
    public var name: String
    /// Offered in forms. A retired code keeps its name for the rows that already hold it.
    public var isActive: Bool

    public init(code: String, name: String, isActive: Bool = true) {
        self.code = code
        self.name = name
        self.isActive = isActive
    }
}

/// The checks and the wording shared by the configurable lists of codes: call matters, skills, event attributes.
public enum NamedCodes {
    /// The longest name (a select option, a table cell).
    public static let nameLimit = 20
    /// The longest code.
    public static let codeLimit = 40

    /// Whether `code` may name a new entry: lower-case ASCII letters, digits and `_`, at most 40.
    public static func isWellFormed(_ code: String) -> Bool {
        !code.isEmpty && code.count <= codeLimit
            && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }

    /// Every problem of a list as submitted, each naming its entry (`matters[2].name`): a code well-formed or one
    /// already kept (`keptCodes`: stored rows may hold older codes), or any short text when `freeCodes` (an event
    /// attribute is named by a file's column); a name given and short; neither repeated.
    public static func problems(
        _ entries: [NamedCode], field: String, keptCodes: Set<String> = [], freeCodes: Bool = false
    ) -> [NamedFieldError] {
        var found: [NamedFieldError] = []
        var codes: Set<String> = []
        var names: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let path = "\(field)[\(index)]"
            if entry.code.isEmpty {
                found.append(NamedFieldError(field: path + ".code", key: "problem.required"))
            } else if freeCodes, entry.code.count > TextLimit.name {
                found.append(.tooLong(path + ".code", TextLimit.name))
            } else if !freeCodes, !isWellFormed(entry.code), !keptCodes.contains(entry.code) {
                found.append(NamedFieldError(field: path + ".code", key: "names.problem.code"))
            } else if !codes.insert(entry.code).inserted {
                found.append(NamedFieldError(field: path + ".code", key: "names.problem.repeatedCode"))
            }
            if entry.name.isEmpty {
                found.append(NamedFieldError(field: path + ".name", key: "problem.required"))
            } else if entry.name.count > nameLimit {
                found.append(.tooLong(path + ".name", nameLimit))
            } else if !names.insert(entry.name).inserted {
                found.append(NamedFieldError(field: path + ".name", key: "names.problem.repeatedName"))
            }
        }
        return found
    }

    /// The name to show: the catalogue's wording in the reader's language while the stored name is still the one
    /// Huifang seeded (`catalogueKey`'s Chinese text); the name someone gave it otherwise.
    public static func label(stored: String, catalogueKey: String, language: Language) -> String {
        guard language != .zh, Catalogue.contains(catalogueKey), Catalogue.text(catalogueKey, .zh) == stored else {
            return stored
        }
        return Catalogue.text(catalogueKey, language)
    }

    /// The entries of a list read from a form's `prefix.N.code` / `prefix.N.name` / `prefix.N.active` fields, in
    /// order of N; rows marked `prefix.N.remove` and rows left wholly empty (the form's blank rows for new
    /// entries) are skipped. `active` is `0` for a retired entry; without it an entry is active.
    public static func entries(fromForm form: [String: String], prefix: String) -> [NamedCode] {
        let indexes = Set(
            form.keys.compactMap { key -> Int? in
                let parts = key.split(separator: ".")
                guard parts.count == 3, parts[0] == prefix else { return nil }
                return Int(parts[1])
            }
        ).sorted()
        return indexes.compactMap { index in
            func value(_ name: String) -> String { (form["\(prefix).\(index).\(name)"] ?? "").trimmingWhitespace() }
            let code = value("code")
            let name = value("name")
            guard !code.isEmpty || !name.isEmpty, form["\(prefix).\(index).remove"] == nil else { return nil }
            return NamedCode(
                code: code, name: name, isActive: form["\(prefix).\(index).active"].map { $0 != "0" } ?? true)
        }
    }
}
