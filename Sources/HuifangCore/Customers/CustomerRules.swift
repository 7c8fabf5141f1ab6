/// Reads and checks customer values as people type them into forms and spreadsheets.
///
/// The same rules serve the web form, the API and the import, so a value
/// refused in one is refused in all, with the same words.
public struct CustomerRules: Sendable {
    /// The configured tiers, lowest first; the first is a new customer's default.
    public var tiers: [String]
    /// Today in the organisation's time zone: dates after it are refused.
    public var today: LocalDate

    public static let maxNameLength = 50
    public static let maxEmailLength = 100
    public static let maxExternalIDLength = 64
    public static let maxTagLength = 20
    public static let maxNotesLength = 2000

    public init(tiers: [String], today: LocalDate) {
        self.tiers = tiers
        self.today = today
    }

    public var defaultTier: String { tiers.first ?? "普通" }

    public func name(_ raw: String) throws(FieldProblem) -> String {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { throw .required }
        guard value.count <= Self.maxNameLength else { throw .tooLong(max: Self.maxNameLength) }
        return value
    }

    public func mobile(_ raw: String) throws(FieldProblem) -> PhoneNumber? {
        let value = raw.trimmingWhitespace()
        return value.isEmpty ? nil : try PhoneNumber(parsing: value)
    }

    public func email(_ raw: String) throws(FieldProblem) -> String? {
        let value = raw.trimmingWhitespace().lowercased()
        guard !value.isEmpty else { return nil }
        guard value.count <= Self.maxEmailLength else { throw .tooLong(max: Self.maxEmailLength) }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty,
            parts[1].split(separator: ".", omittingEmptySubsequences: false).count >= 2,
            !parts[1].split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty),
            !value.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" })
        else { throw .invalidEmail }
        return value
    }

    public func gender(_ raw: String) throws(FieldProblem) -> Gender? {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty, value != "未知" else { return nil }
        return try Gender(parsing: value)
    }

    /// A past date (birthday, registration): not after today, not before 1900.
    public func pastDate(_ raw: String) throws(FieldProblem) -> LocalDate? {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { return nil }
        guard let date = LocalDate(parsing: value) else { throw .invalidDate }
        guard date <= today else { throw .dateInFuture }
        guard date.year >= 1900 else { throw .dateTooEarly }
        return date
    }

    public func tier(_ raw: String) throws(FieldProblem) -> String? {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { return nil }
        guard tiers.contains(value) else { throw .unknownTier(allowed: tiers) }
        return value
    }

    /// Tags separated by commas, semicolons, 、 or |, in either width; duplicates dropped.
    public func tags(_ raw: String) throws(FieldProblem) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for part in raw.split(whereSeparator: { ",，;；、|".contains($0) }) {
            let tag = part.trimmingWhitespace()
            guard !tag.isEmpty else { continue }
            guard tag.count <= Self.maxTagLength else { throw .tooLong(max: Self.maxTagLength) }
            if seen.insert(tag).inserted { result.append(tag) }
        }
        return result
    }

    public func externalID(_ raw: String) throws(FieldProblem) -> String? {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { return nil }
        guard value.count <= Self.maxExternalIDLength else { throw .tooLong(max: Self.maxExternalIDLength) }
        return value
    }

    /// 是/否, yes/no, y/n, true/false, 1/0, 同意/不同意, ✓.
    public func boolean(_ raw: String) throws(FieldProblem) -> Bool? {
        switch raw.trimmingWhitespace().lowercased() {
        case "": nil
        case "是", "yes", "y", "true", "1", "同意", "✓", "√", "on": true
        case "否", "no", "n", "false", "0", "不同意", "✗", "×", "off": false
        default: throw .invalidBoolean
        }
    }

    public func notes(_ raw: String) throws(FieldProblem) -> String? {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { return nil }
        guard value.count <= Self.maxNotesLength else { throw .tooLong(max: Self.maxNotesLength) }
        return value
    }

    /// Reads a set of raw values into a patch.
    ///
    /// - Parameter emptyClears: a form sends every field and an empty one clears
    ///   the value; an import leaves a customer's value alone where a cell is empty.
    /// - Returns: the patch and the agent's username (resolved by the caller), or every problem found.
    public func patch(
        from values: [CustomerField: String], emptyClears: Bool
    ) -> Result<(patch: CustomerPatch, agentUsername: String??), ValidationFailure> {
        var patch = CustomerPatch()
        var agent: String?? = nil
        var errors: [FieldError] = []
        func read<T>(_ field: CustomerField, _ parse: (String) throws(FieldProblem) -> T?) -> T?? {
            guard let raw = values[field] else { return nil }
            do {
                let value = try parse(raw)
                if value == nil, !emptyClears { return nil }
                return .some(value)
            } catch {
                errors.append(FieldError(field, error))
                return nil
            }
        }
        if let raw = values[.name] {
            do { patch.name = try name(raw) } catch { errors.append(FieldError(.name, error)) }
        }
        patch.mobile = read(.mobile, mobile)
        patch.email = read(.email, email)
        patch.gender = read(.gender, gender)
        patch.birthday = read(.birthday, pastDate)
        patch.registeredOn = read(.registeredOn, pastDate)
        patch.tier = read(.tier, tier) ?? nil
        patch.tags = read(.tags) { (raw: String) throws(FieldProblem) -> [String]? in
            let tags = try self.tags(raw)
            return tags.isEmpty ? nil : tags
        }.map { $0 ?? [] }
        patch.externalID = read(.externalID, externalID)
        patch.consent = read(.consent, boolean) ?? nil
        patch.doNotDisturb = read(.doNotDisturb, boolean) ?? nil
        patch.notes = read(.notes, notes)
        if let raw = values[.assignedAgent] {
            let username = raw.trimmingWhitespace()
            if !username.isEmpty { agent = .some(username) } else if emptyClears { agent = .some(nil) }
        }
        return errors.isEmpty ? .success((patch, agent)) : .failure(ValidationFailure(errors))
    }
}
