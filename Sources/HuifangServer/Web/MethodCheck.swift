import Vapor

/// An API address asked with a method it does not take: `405` with the methods it does take (`Allow`).
struct MethodNotAllowed: Error {
    let allowed: [String]
}

/// Answers an API request whose address names a resource that does not take its method with `405` (through
/// `HuifangErrorMiddleware`), before routing: `PATCH /api/v1/customers/import` is the import, which only takes
/// `POST`, even though the router would hand it to `PATCH /api/v1/customers/:id` as customer "import".
struct APIMethodCheck: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.isAPI else { return try await next.respond(to: request) }
        let allowed = Self.methods(at: request.url.path, in: request.application.routes.all)
        let method = request.method == .HEAD ? "GET" : request.method.rawValue
        guard allowed.isEmpty || allowed.contains(method) else { throw MethodNotAllowed(allowed: allowed) }
        return try await next.respond(to: request)
    }

    /// The methods of the routes that match `path` most closely: a fixed segment wins over a parameter at the first
    /// place they differ. Empty when no route matches the path (a `404`).
    static func methods(at path: String, in routes: [Route]) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var best: [Bool] = []
        var methods: Set<String> = []
        for route in routes where route.path.count == parts.count {
            guard
                zip(route.path, parts).allSatisfy({ component, part in
                    if case .constant(let text) = component { return text == part }
                    return true
                })
            else { continue }
            let fixed = route.path.map { if case .constant = $0 { true } else { false } }
            if fixed.lexicographicallyPrecedes(best, by: { !$0 && $1 }) { continue }
            if fixed != best {
                best = fixed
                methods = []
            }
            methods.insert(route.method.rawValue)
        }
        return methods.sorted()
    }
}
