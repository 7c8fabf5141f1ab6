import Foundation
import Testing
import VaporTesting

@testable import HuifangServer

/// The OpenAPI document (`Resources/OpenAPI/openapi.json`) and the registered `/api/v1` routes name the same
/// operations, and the document is served to anyone, as JSON and as a page.
@Suite struct APIContractTests {
    @Test func theDocumentNamesEveryAPIRouteAndNoOther() async throws {
        try await withHuifang { app in
            // setup
            let registered = Set(
                app.routes.all.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") }
                    .filter { $0.split(separator: " ")[1].hasPrefix("/api/v1/") })
            // MUT
            let documented = try APIContract.load().operations
            // validation
            #expect(registered.count > 100)
            #expect(
                registered.subtracting(documented).isEmpty,
                "routes missing from openapi.json: \(registered.subtracting(documented).sorted())")
            #expect(
                documented.subtracting(registered).isEmpty,
                "openapi.json names routes that do not exist: \(documented.subtracting(registered).sorted())")
        }
    }

    @Test func theDocumentIsServedWithoutSignInAsOpenAPI31() async throws {
        try await withHuifang { app in
            try await app.testing().test(.GET, "/api/v1/openapi.json") { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType == .json)
                let document = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(document?["openapi"] as? String == "3.1.0")
                let schemes = (document?["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
                #expect((schemes?["bearer"] as? [String: String])?["scheme"] == "bearer")
            }
        }
    }

    @Test func theReferencePageShowsEachOperationAndTheErrorBody() async throws {
        try await withHuifang { app in
            var client = PageClient(app)
            client.language = "en"
            let html = try await client.get("/api-docs").body.string
            #expect(html.contains("<h1>API reference</h1>"))
            #expect(html.contains("<code>PATCH /api/v1/customers/{id}</code>"))
            #expect(html.contains("<code>Error</code>"))
            #expect(html.contains("href=\"/api/v1/openapi.json\""))
        }
    }
}
