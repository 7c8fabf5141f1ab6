import Vapor

/// The id of a request as Huifang shows and logs it: Vapor's, which is a proxy's `X-Request-ID` when one was sent,
/// if it is a plain token of 1–128 characters (`A–Z a–z 0–9 . _ : -`); otherwise a new UUID. So a client cannot make
/// a response echo 80 KB back, forge fields in a text log line, or hide behind an empty id.
struct RequestIdentity: Middleware {
    private struct Key: StorageKey { typealias Value = String }

    static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || [0x2E, 0x5F, 0x3A, 0x2D].contains(byte)
            }
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let id = Self.isAcceptable(request.id) ? request.id : UUID().uuidString
        request.storage[Key.self] = id
        request.logger[metadataKey: "request-id"] = .string(id)
        return next.respond(to: request)
    }

    static func id(of request: Request) -> String { request.storage[Key.self] ?? request.id }
}

extension Request {
    /// This request's id: its `X-Request-ID` header, its log records' `request-id`, the number on its error page.
    var requestID: String { RequestIdentity.id(of: self) }
}
