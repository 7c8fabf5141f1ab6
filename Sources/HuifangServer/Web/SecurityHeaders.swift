import Vapor

/// Headers that tell browsers to run only Huifang's own scripts, never to frame its pages, not to
/// guess content types, and not to pass its addresses (survey links carry a token) to other sites.
struct SecurityHeaders: Middleware {
    /// `Strict-Transport-Security` too: set when served over HTTPS (`HUIFANG_SECURE_COOKIES`).
    let strictTransport: Bool

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
        "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            add(to: response, for: request)
            return response
        }
    }

    private func add(to response: Response, for request: Request) {
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            // A survey page's own address holds the customer's token.
            ("Referrer-Policy", request.urlPath.hasPrefix("/s/") ? "no-referrer" : "same-origin"),
            // The id of every log record of this request, and the number its error page shows.
            ("X-Request-ID", request.requestID),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if strictTransport {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
    }
}
