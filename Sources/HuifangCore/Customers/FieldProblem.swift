/// Why one value given for a field was refused. Each case reads as a sentence
/// in the user's language through the catalogue (`message(in:)`).
public enum FieldProblem: Error, Hashable, Sendable {
    case required
    case tooLong(max: Int)
    case invalidMobile
    case invalidEmail
    case invalidDate
    case dateInFuture
    case dateTooEarly
    case invalidGender
    case invalidBoolean
    case unknownTier(allowed: [String])
    case unknownAgent
    case notAnAgent
    case duplicateInFile(firstLine: Int)
    case mobileMatchesSeveral
    case externalIDTaken
    case mobileOrExternalIDRequired
    /// The viewer's role may not change this field (a masked contact detail, the assigned agent).
    case notPermitted

    /// The catalogue key and its arguments.
    public var catalogueEntry: (key: String, arguments: [String]) {
        switch self {
        case .required: ("problem.required", [])
        case .tooLong(let max): ("problem.tooLong", [String(max)])
        case .invalidMobile: ("problem.invalidMobile", [])
        case .invalidEmail: ("problem.invalidEmail", [])
        case .invalidDate: ("problem.invalidDate", [])
        case .dateInFuture: ("problem.dateInFuture", [])
        case .dateTooEarly: ("problem.dateTooEarly", [])
        case .invalidGender: ("problem.invalidGender", [])
        case .invalidBoolean: ("problem.invalidBoolean", [])
        case .unknownTier(let allowed): ("problem.unknownTier", [allowed.joined(separator: "/")])
        case .unknownAgent: ("problem.unknownAgent", [])
        case .notAnAgent: ("problem.notAnAgent", [])
        case .duplicateInFile(let line): ("problem.duplicateInFile", [String(line)])
        case .mobileMatchesSeveral: ("problem.mobileMatchesSeveral", [])
        case .externalIDTaken: ("problem.externalIDTaken", [])
        case .mobileOrExternalIDRequired: ("problem.mobileOrExternalIDRequired", [])
        case .notPermitted: ("problem.notPermitted", [])
        }
    }

    public func message(in language: Language) -> String {
        let entry = catalogueEntry
        return Catalogue.text(entry.key, language, entry.arguments)
    }
}

/// A refused value, named by the field it was given for.
public struct FieldError: Error, Hashable, Sendable {
    public let field: CustomerField
    public let problem: FieldProblem

    public init(_ field: CustomerField, _ problem: FieldProblem) {
        self.field = field
        self.problem = problem
    }
}

/// Every problem found in one submission, so a form or an API call can say all at once.
public struct ValidationFailure: Error, Sendable, Equatable {
    public let errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}
