import Vapor

/// Request lines and headers larger than any Huifang page or API call needs are refused before anything
/// reads them: a request target over 8 KB is `414 URI Too Long`, a header field over 8 KB or all of them
/// over 32 KB is `431 Request Header Fields Too Large` — the limits nginx applies by default.
///
/// SwiftNIO's HTTP parser stops at 80 KB for the whole head and Vapor then closes the connection without
/// an answer; Vapor's HTTP/1 server has no place to answer there, so heads over 80 KB still get no answer.
struct RequestHeadLimits: Middleware {
    static let maxTarget = 8 * 1024
    static let maxField = 8 * 1024
    static let maxHeaders = 32 * 1024

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let refusal = Self.refusal(of: request) {
            // Rendered here, before the request is logged or its session cookie read.
            return request.eventLoop.makeFutureWithTask { await HuifangErrorMiddleware().render(refusal, for: request) }
        }
        return next.respond(to: request)
    }

    static func refusal(of request: Request) -> AppError? {
        if request.url.string.utf8.count > maxTarget {
            return AppError(.uriTooLong, "error.uriTooLong", [String(maxTarget)])
        }
        var total = 0
        for (name, value) in request.headers {
            let size = name.utf8.count + value.utf8.count + 4  // "name: value\r\n"
            total += size
            if size > maxField || total > maxHeaders {
                return AppError(
                    .requestHeaderFieldsTooLarge, "error.headersTooLarge",
                    [String(maxField), String(maxHeaders)])
            }
        }
        return nil
    }
}
