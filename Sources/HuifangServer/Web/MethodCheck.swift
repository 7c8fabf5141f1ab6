import NIOConcurrencyHelpers
import Vapor

/// An API address asked with a method it does not take: `405` with the methods it does take (`Allow`).
struct MethodNotAllowed: Error {
    let allowed: [String]
}

/// Answers an API request whose address names a resource that does not take its method with `405` (through
/// `HuifangErrorMiddleware`), before routing: `PATCH /api/v1/customers/import` is the import, which only takes
/// `POST`, even though the router would hand it to `PATCH /api/v1/customers/:id` as customer "import".
struct APIMethodCheck: Middleware {
    /// The routes by path, built on the first API request (routes are all registered by then) and kept: walking
    /// every route for every request was 2.5 % of a ticket's CPU under load.
    private let table = NIOLockedValueBox<RouteTable?>(nil)

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.isAPI else { return next.respond(to: request) }
        let table = self.table.withLockedValue { table in
            if let table { return table }
            let built = RouteTable(request.application.routes.all)
            table = built
            return built
        }
        let allowed = table.methods(at: request.urlPath)
        let method = request.method == .HEAD ? "GET" : request.method.rawValue
        guard allowed.isEmpty || allowed.contains(method) else {
            return request.eventLoop.makeFailedFuture(MethodNotAllowed(allowed: allowed))
        }
        return next.respond(to: request)
    }
}

/// The routes as a tree of path segments. A segment that is not fixed text (a parameter, `*`, `**`) matches any one
/// segment, as the check has always read them.
struct RouteTable: Sendable {
    private final class Node: @unchecked Sendable {  // built once, then only read
        var fixed: [Substring: Node] = [:]
        var any: Node?
        var methods: Set<String> = []
    }
    private let root = Node()

    init(_ routes: [Route]) {
        for route in routes {
            var node = root
            for component in route.path {
                if case .constant(let text) = component {
                    let next = node.fixed[Substring(text)] ?? Node()
                    node.fixed[Substring(text)] = next
                    node = next
                } else {
                    let next = node.any ?? Node()
                    node.any = next
                    node = next
                }
            }
            node.methods.insert(route.method.rawValue)
        }
    }

    /// The methods of the routes that match `path` most closely: a fixed segment wins over a parameter at the first
    /// place they differ. Empty when no route matches the path (a `404`). Fixed text is tried before a parameter at
    /// each segment, so the first route found is the closest.
    func methods(at path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return Self.match(parts[...], from: root).map { $0.sorted() } ?? []
    }

    private static func match(_ parts: ArraySlice<Substring>, from node: Node) -> Set<String>? {
        guard let part = parts.first else { return node.methods.isEmpty ? nil : node.methods }
        if let next = node.fixed[part], let found = match(parts.dropFirst(), from: next) { return found }
        return node.any.flatMap { match(parts.dropFirst(), from: $0) }
    }
}
