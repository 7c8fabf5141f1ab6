import Foundation
import Testing
import Vapor
import VaporTesting

@testable import HuifangServer

/// What Schemathesis found (tests/api): the API refuses what it used to take quietly, and names the methods an
/// address takes.
@Suite struct APIInputTests {
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            struct Field: Decodable { let field: String }
            let status: Int
            let fields: [Field]
        }
        let error: Detail
    }

    func send(
        _ app: Application, _ method: HTTPMethod, _ path: String, _ headers: HTTPHeaders, body: String = ""
    ) async throws -> TestingHTTPResponse {
        try await app.testing().performTest(
            request: .init(method: method, url: URI(string: path), headers: headers, body: ByteBuffer(string: body)))
    }

    func fields(_ response: TestingHTTPResponse) throws -> [String] {
        try response.content.decode(ErrorBody.self).error.fields.map(\.field)
    }

    @Test func aMethodAnAddressDoesNotTakeIs405NamingTheMethodsItTakes() async throws {
        try await withHuifang { app in
            let token = bearer(try await makeToken(app, makeUser(app, .admin).user))
            // The import only takes POST, though PATCH /customers/:id would read "import" as a customer.
            let patched = try await send(app, .PATCH, "/api/v1/customers/import", token)
            #expect(patched.status == .methodNotAllowed)
            #expect(patched.headers.first(name: .allow) == "POST")
            #expect(try patched.content.decode(ErrorBody.self).error.status == 405)
            let deleted = try await send(app, .DELETE, "/api/v1/settings/tiers", token)
            #expect(deleted.status == .methodNotAllowed)
            #expect(deleted.headers.first(name: .allow) == "GET, PUT")
            #expect(try await send(app, .GET, "/api/v1/no-such-thing", token).status == .notFound)
        }
    }

    /// The table the check reads: at the first segment where two routes differ, fixed text wins over a parameter;
    /// a fixed branch that leads nowhere falls back to the parameter beside it.
    @Test func theClosestRouteDecidesWhichMethodsAnAddressTakes() {
        let routes: [(HTTPMethod, [PathComponent])] = [
            (.GET, ["a", ":id"]), (.PATCH, ["a", ":id"]), (.POST, ["a", "import"]), (.GET, ["a", ":id", "x"]),
            (.PUT, ["a", "b", ":c"]), (.GET, ["p", "q", "r"]), (.DELETE, ["p", ":x", "s"]), (.GET, []),
        ]
        let table = RouteTable(
            routes.map { method, path in
                Route(
                    method: method, path: path, responder: BasicResponder { $0.eventLoop.makeSucceededFuture(.init()) },
                    requestType: Request.self, responseType: Response.self)
            })
        #expect(table.methods(at: "/a/import") == ["POST"])
        #expect(table.methods(at: "/a/7") == ["GET", "PATCH"])
        #expect(table.methods(at: "/a/b/x") == ["PUT"], "b is fixed in PUT /a/b/:c, a parameter in GET /a/:id/x")
        #expect(table.methods(at: "/a/7/x") == ["GET"])
        #expect(table.methods(at: "/p/q/s") == ["DELETE"], "no route goes on from /p/q to s: /p/:x/s does")
        #expect(table.methods(at: "/") == ["GET"])
        #expect(table.methods(at: "/a/7/y").isEmpty && table.methods(at: "/a/b/c/d").isEmpty)
    }

    @Test func aLimitCursorOrFlagThatIsNotOneIsRefusedByName() async throws {
        try await withHuifang { app in
            let token = bearer(try await makeToken(app, makeUser(app, .admin).user))
            for (path, field) in [
                ("/api/v1/customers?limit=ten", "limit"), ("/api/v1/customers?after=x", "after"),
                ("/api/v1/tasks?limit=1.5", "limit"), ("/api/v1/audit?limit=null", "limit"),
                ("/api/v1/calendar/add-hours?from=2026-10-08T09:00&hours=2&working=maybe", "working"),
            ] {
                let response = try await send(app, .GET, path, token)
                #expect(response.status == .unprocessableEntity, "\(path)")
                #expect(try fields(response) == [field], "\(path)")
            }
            var csv = token
            csv.contentType = .plainText
            let imported = try await send(
                app, .POST, "/api/v1/customers/import?dryRun=maybe", csv, body: "会员编号,姓名\nHY1,张三\n")
            #expect(imported.status == .unprocessableEntity)
            #expect(try fields(imported) == ["dryRun"])
            // Empty, as a form sends an unused field: the default.
            #expect(try await send(app, .GET, "/api/v1/customers?limit=&after=", token).status == .ok)
        }
    }

    @Test func aGarbledOptionalBodyIsRefusedRatherThanTakenAsNone() async throws {
        try await withHuifang { app in
            var headers = bearer(try await makeToken(app, makeUser(app, .admin).user))
            #expect(try await send(app, .POST, "/api/v1/planner/run", headers).status == .ok)
            headers.contentType = .json
            let garbled = try await send(app, .POST, "/api/v1/planner/run", headers, body: "{\"asOf\": 5}")
            #expect(garbled.status == .badRequest)
            #expect(try fields(garbled) == ["asOf"])
        }
    }

    @Test func aCallerLookupNeedsANumber() async throws {
        try await withHuifang { app in
            let token = bearer(try await makeToken(app, makeUser(app, .agent).user))
            let response = try await send(app, .GET, "/api/v1/calls/lookup", token)
            #expect(response.status == .unprocessableEntity)
            #expect(try fields(response) == ["phone"])
        }
    }
}
