import HuifangCore
import Vapor

/// An error a user can act on: an HTTP status, a catalogue message, and the
/// fields it concerns. Rendered as a page for browsers and as JSON for the API.
struct AppError: AbortError, Sendable {
    let status: HTTPResponseStatus
    let key: String
    let arguments: [String]
    let fieldErrors: [FieldError]

    init(_ status: HTTPResponseStatus, _ key: String, _ arguments: [String] = [], fields: [FieldError] = []) {
        self.status = status
        self.key = key
        self.arguments = arguments
        self.fieldErrors = fields
    }

    var reason: String { Catalogue.text(key, .en, arguments) }

    func message(in language: Language) -> String { Catalogue.text(key, language, arguments) }

    static let forbidden = AppError(.forbidden, "error.forbidden")
    static let unauthorized = AppError(.unauthorized, "error.unauthorized")
    static let notFound = AppError(.notFound, "error.notFound")
    static let csrf = AppError(.forbidden, "error.csrf")

    /// A submission with invalid fields.
    static func invalid(_ failure: ValidationFailure) -> AppError {
        AppError(.unprocessableEntity, "common.fixErrors", fields: failure.errors)
    }
}

/// The JSON body of every API error: `{"error": {"status", "message", "fields": [{"field", "message"}]}}`.
struct APIErrorBody: Content {
    struct Detail: Content {
        let status: Int
        let message: String
        let fields: [FieldMessage]
        /// The request's id, as in its `X-Request-ID` header and its log records.
        let requestID: String
    }
    struct FieldMessage: Content {
        let field: String
        let message: String
    }
    let error: Detail
}

/// Turns every error into a page or a JSON body in the user's language.
struct HuifangErrorMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            request.eventLoop.makeFutureWithTask { await answer(error, for: request) }
        }
    }

    private func answer(_ error: any Error, for request: Request) async -> Response {
        guard let error = error as? MethodNotAllowed else { return await render(error, for: request) }
        let response = await render(AppError(.methodNotAllowed, "error.methodNotAllowed"), for: request)
        response.headers.replaceOrAdd(name: .allow, value: error.allowed.joined(separator: ", "))
        return response
    }

    func render(_ error: any Error, for request: Request) async -> Response {
        let (status, message, fields) = Self.explain(error, for: request)
        if request.isAPI {
            let body = APIErrorBody(
                error: .init(status: Int(status.code), message: message, fields: fields, requestID: request.requestID))
            let response = Response(status: status)
            try? response.content.encode(body)
            return response
        }
        do {
            let context = ErrorPage(
                status: Int(status.code), message: message, fields: fields.map(\.message), requestID: request.requestID)
            let response = try await request.renderPage("error", titleKey: "error.title", context)
            response.status = status
            return response
        } catch {
            return Response(status: status, body: .init(string: message))
        }
    }

    /// The status an error answers with, its message and the fields it concerns, in the user's language.
    /// An error no case knows is logged and answered as a 500.
    private static func explain(_ error: any Error, for request: Request) -> (
        status: HTTPResponseStatus, message: String, fields: [APIErrorBody.FieldMessage]
    ) {
        let language = request.language
        let status: HTTPResponseStatus
        let message: String
        var fields: [APIErrorBody.FieldMessage] = []
        switch error {
        case let error as AppError:
            status = error.status
            message = error.message(in: language)
            fields = error.fieldErrors.map {
                .init(
                    field: $0.field.rawValue,
                    message: Catalogue.text($0.field.catalogueKey, language) + " " + $0.problem.message(in: language))
            }
        case let error as NamedFieldError:
            status = .unprocessableEntity
            message = Catalogue.text(error.key, language, error.arguments)
            fields = [.init(field: error.field, message: message)]
        case let error as NamedFieldErrors:
            status = .unprocessableEntity
            message = Catalogue.text("common.fixErrors", language)
            fields = error.errors.map {
                .init(field: $0.field, message: Catalogue.text($0.key, language, $0.arguments))
            }
        case let error as CalendarQueries.InputError:
            status = .unprocessableEntity
            message = error.message(in: language)
            fields = [.init(field: error.parameter, message: message)]
        case is CalendarRangeError:  // a date typed in beyond the working calendar's years, where no check names it
            status = .unprocessableEntity
            message = Catalogue.text("calendar.outOfRange", language)
        case let error as HolidaySchedule.ParseError:
            status = .unprocessableEntity
            message = Catalogue.text("calendar.scheduleError", language, [String(error.line), error.reason])
        case let error as DecodingError:
            status = .badRequest
            let (field, problem) = Self.describe(error, language)
            message = Catalogue.text("error.badRequest", language) + ": " + field + " " + problem
            fields = [.init(field: field, message: problem)]
        case let error as JobConflict:
            status = .conflict
            message = error.message(in: language, request.application.huifang)
        case let error as any AbortError:
            status = error.status
            switch status {
            case .notFound: message = Catalogue.text("error.notFound", language)
            case .forbidden: message = Catalogue.text("error.forbidden", language)
            case .payloadTooLarge: message = Catalogue.text("error.tooLarge", language)
            default: message = error.reason
            }
        default:
            request.logger.report(error: error)
            status = .internalServerError
            message = Catalogue.text("error.title", language)
        }
        return (status, message, fields)
    }

    /// The field a JSON body got wrong and what is wrong with it, in the user's language: missing, of the
    /// wrong type (naming the type expected), null, an unknown key, or not JSON at all.
    static func describe(_ error: DecodingError, _ language: Language) -> (field: String, problem: String) {
        let field = error.fieldPath
        switch error {
        case .keyNotFound:
            return (field, Catalogue.text("decode.missing", language))
        case .typeMismatch(let type, _):
            return (field, Catalogue.text("decode.type", language, [Catalogue.text(expectedTypeKey(type), language)]))
        case .valueNotFound:
            return (field, Catalogue.text("decode.null", language))
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return (field, Catalogue.text("decode.notJSON", language))
        case .dataCorrupted(let context) where context.debugDescription.hasPrefix(unknownKeyPrefix):
            return (field, Catalogue.text("decode.unknownKey", language))
        default:
            return (field, Catalogue.text("decode.invalid", language))
        }
    }

    /// How a decoder says a key is not one of the object's fields (`CustomerInput`).
    static let unknownKeyPrefix = "is not a customer field"

    private static func expectedTypeKey(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "decode.type.boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "decode.type.integer"
        case is Double.Type, is Float.Type, is Decimal.Type: "decode.type.number"
        case is String.Type: "decode.type.text"
        case is [Any].Type: "decode.type.list"
        default: "decode.type.object"
        }
    }
}

struct ErrorPage: Encodable {
    let status: Int
    let message: String
    let fields: [String]
    /// Quoted to an administrator, it finds the request's log records.
    let requestID: String
}
