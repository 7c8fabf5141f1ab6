/// A refused field, named as the caller sent it, with the catalogue key of what is wrong (and its arguments):
/// the one field error of every validator outside the customer fields (which have `FieldProblem`).
///
/// A check of a value already built (`problems()`) returns every `NamedFieldError` it finds, none when the value
/// is valid; a check that makes a value (`parse`, `score`, `check`) throws them together as `NamedFieldErrors`.
public struct NamedFieldError: Error, Equatable, Sendable {
    public let field: String
    public let key: String
    public var arguments: [String]

    public init(field: String, key: String, arguments: [String] = []) {
        self.field = field
        self.key = key
        self.arguments = arguments
    }

    /// The field's text is longer than `limit` characters (`TextLimit`).
    public static func tooLong(_ field: String, _ limit: Int) -> NamedFieldError {
        NamedFieldError(field: field, key: "problem.tooLong", arguments: [String(limit)])
    }
}

/// Several refused fields of one submission, all reported at once.
public struct NamedFieldErrors: Error, Equatable, Sendable {
    public let errors: [NamedFieldError]

    public init(errors: [NamedFieldError]) { self.errors = errors }
}

extension NamedFieldError {
    /// What is wrong, in `language` ("必填", "应在 1 到 50 之间").
    public func message(in language: Language) -> String { Catalogue.text(key, language, arguments) }
}

extension [NamedFieldError] {
    /// Each field's first message, for a form that shows them next to the fields.
    public func messages(in language: Language) -> [String: String] {
        Dictionary(map { ($0.field, $0.message(in: language)) }) { first, _ in first }
    }

    /// The value `make` returns, or nil with its refused fields added to these: for a form that names every wrong
    /// field at once, the checks of one part do not stop those of the next (`errors.collect(try plan.score(met))`).
    public mutating func collect<Value>(_ make: @autoclosure () throws(NamedFieldErrors) -> Value) -> Value? {
        do {
            return try make()
        } catch {
            append(contentsOf: error.errors)
            return nil
        }
    }
}
