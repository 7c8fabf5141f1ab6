import Foundation
import HuifangCore
import Vapor

/// The OpenAPI 3.1 document of `/api/v1` (`Resources/OpenAPI/openapi.json`, kept by hand next to the code it
/// describes; `APIContractTests` fails when a route and the document disagree), read once at boot.
struct APIContract: Sendable {
    /// The document as stored, served byte for byte.
    let bytes: Data
    /// Its operations grouped by tag and its schemas, for the readable page.
    let reference: APIReference

    static func load(from root: URL = Resources.root) throws -> APIContract {
        let bytes = try Data(contentsOf: root.appendingPathComponent("OpenAPI/openapi.json"))
        return APIContract(bytes: bytes, reference: try APIReference(document: bytes))
    }

    /// Every `METHOD /path` the document names, with path parameters as `:name` (as Vapor writes them).
    var operations: Set<String> {
        Set(reference.groups.flatMap(\.operations).map { "\($0.method) \($0.routePath)" })
    }
}

/// `GET /api/v1/openapi.json` (the contract, no sign-in needed) and `GET /api-docs` (the same, readable).
struct APIContractController: RouteCollection {
    let contract: APIContract
    /// Registers the document (`document`) or the page (`page`): the page needs the session for its layout.
    let surface: Surface

    func boot(routes: any RoutesBuilder) throws {
        switch surface {
        case .api: routes.get("api", "v1", "openapi.json", use: document)
        case .page: routes.get("api-docs", use: page)
        }
    }

    @Sendable func document(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: contract.bytes))
    }

    @Sendable func page(req: Request) async throws -> Response {
        try await req.renderPage("api-docs", titleKey: "apiDocs.title", contract.reference)
    }
}
