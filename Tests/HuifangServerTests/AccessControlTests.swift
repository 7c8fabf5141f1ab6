import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct AccessControlTests {
    /// Routes anyone may use. Anything else must be registered through `guarded(_:_:)`.
    static let publicRoutes: Set<String> = [
        "GET /healthz", "GET /lang/:code", "GET /login", "POST /login", "GET /s/:token", "POST /s/:token",
        "GET /s/:token/stop", "POST /s/:token/stop",
        // The SMS gateway, with a token of its own (HUIFANG_SMS_INBOUND_TOKEN), not a user's.
        "POST /api/v1/sms/inbound",
        // The phone system, with its own token (HUIFANG_TELEPHONY_TOKEN; TelephonyTests).
        "POST /api/v1/telephony/events",
        // The API's published contract and its readable page (APIContractTests).
        "GET /api/v1/openapi.json", "GET /api-docs",
    ]

    @Test func everyRouteIsGuardedOrDeliberatelyPublic() async throws {
        try await withHuifang { app in
            for route in app.routes.all {
                let key = "\(route.method.rawValue) /\(route.path.map(\.description).joined(separator: "/"))"
                #expect(
                    route.access != nil || Self.publicRoutes.contains(key),
                    "\(key) is registered without an access group")
            }
        }
    }

    /// Walks every guarded route with every role and anonymously: the roles of its group
    /// get through, every other role gets 403, and anonymous visitors get 401 (API) or the login page.
    // Long: one walk over the whole route table with every role and anonymously.
    @Test func everyRoleGetsExactlyItsRoutes() async throws {
        try await withHuifang { app in
            var pages: [Role: PageClient] = [:]
            var tokens: [Role: String] = [:]
            var passwords: [Role: String] = [:]
            for role in Role.allCases {
                let (user, password) = try await makeUser(app, role)
                passwords[role] = password
                tokens[role] = try await makeToken(app, user)
                pages[role] = try await PageClient.signedIn(app, user.username, password)
            }
            var anonymous = PageClient(app)
            try await anonymous.get("/login")

            // An endless response cannot be read whole: LiveNotificationTests opens it with every role and anonymously.
            let streams = ["notifications/stream"]
            let routes = app.routes.all.filter {
                $0.access != nil && !streams.contains($0.path.map(\.description).joined(separator: "/"))
            }
            #expect(routes.count > 40)
            for route in routes {
                let access = route.access!
                let isAPI = route.path.first?.description == "api"
                let path =
                    "/"
                    + route.path.map { component -> String in
                        guard case .parameter(let name) = component else { return component.description }
                        if name == "code" { return "en" }
                        return route.path.contains(where: { $0.description == "customers" })
                            ? "999999" : UUID().uuidString
                    }.joined(separator: "/")
                let name = "\(route.method.rawValue) \(path)"

                for role in Role.allCases {
                    let status: HTTPResponseStatus
                    let location: String?
                    if isAPI {
                        let response = try await app.testing().performTest(
                            request: .init(
                                method: route.method, url: .init(path: path), headers: bearer(tokens[role]!),
                                body: ByteBuffer()))
                        (status, location) = (response.status, nil)
                    } else {
                        // Signing out ends the session, so it gets a session of its own.
                        var client =
                            path == "/logout"
                            ? try await PageClient.signedIn(app, "\(role.rawValue)1", passwords[role]!) : pages[role]!
                        let response =
                            route.method == .GET ? try await client.get(path) : try await client.post(path, form: [:])
                        (status, location) = (response.status, response.headers.first(name: .location))
                        if path != "/logout" { pages[role] = client }
                    }
                    if access.roles.contains(role) {
                        #expect(
                            status != .forbidden && status != .unauthorized
                                && !(location ?? "").hasPrefix("/login?next="),
                            "\(role) should get through \(name) but got \(status.code)")
                    } else {
                        #expect(status == .forbidden, "\(role) should be refused \(name) but got \(status.code)")
                    }
                }

                if isAPI {
                    let response = try await app.testing().performTest(
                        request: .init(
                            method: route.method, url: .init(path: path), headers: [:], body: ByteBuffer()))
                    #expect(response.status == .unauthorized, "anonymous \(name) got \(response.status.code)")
                    #expect(response.body.string.contains("\"status\":401"))
                } else {
                    let response =
                        route.method == .GET ? try await anonymous.get(path) : try await anonymous.post(path, form: [:])
                    #expect(response.status == .seeOther, "anonymous \(name) got \(response.status.code)")
                    #expect(
                        response.headers.first(name: .location)?.hasPrefix("/login?next=") == true,
                        "anonymous \(name) not sent to login")
                }
            }
        }
    }

    @Test func theNavigationShowsOnlyWhatTheRoleMayOpen() async throws {
        try await withHuifang { app in
            let (analyst, password) = try await makeUser(app, .analyst)
            var client = try await PageClient.signedIn(app, analyst.username, password)
            let home = try await client.get("/")
            #expect(home.body.string.contains("href=\"/customers\""))
            #expect(!home.body.string.contains("href=\"/customers/import\""))
            #expect(!home.body.string.contains("href=\"/audit\""))
            let (admin, adminPassword) = try await makeUser(app, .admin)
            var adminClient = try await PageClient.signedIn(app, admin.username, adminPassword)
            let adminHome = try await adminClient.get("/")
            for path in ["/customers/import", "/departments", "/users", "/audit", "/settings"] {
                #expect(adminHome.body.string.contains("href=\"\(path)\""), "\(path)")
            }
        }
    }

    /// The jobs a role's navigation shows as menus; a job of which the role uses one page is that page's link.
    static let menus: [Role: [String]] = [
        .admin: ["回访", "工单", "来电", "报表", "管理"], .supervisor: ["回访", "工单", "来电", "报表"],
        .agent: ["回访", "来电"], .handler: [], .analyst: [],
    ]

    @Test(arguments: Role.allCases)
    func theNavigationGroupsARolesPagesByJobAndEveryLinkOpens(role: Role) async throws {
        try await withHuifang { app in
            let (user, password) = try await makeUser(app, role)
            var client = try await PageClient.signedIn(app, user.username, password)
            let html = try await client.get("/").body.string
            let nav = try #require(html.firstMatch(of: /<nav class="nav"[^>]*>(.*?)<\/nav>/.dotMatchesNewlines())).1
            #expect(nav.matches(of: /<summary>([^<]*)<\/summary>/).map { String($0.1) } == Self.menus[role])
            let links = nav.matches(of: /href="([^"]+)"/).map { String($0.1) }
            #expect(links.first == "/" && links.last == "/notifications")
            for path in links {
                #expect(try await client.get(path).status == .ok, "\(role) \(path)")
            }
            if role == .handler {
                #expect(links == ["/", "/customers", "/tickets/queue", "/notifications"])
            }
        }
    }

    @Test func eachNavigationLinkIsShownByTheRuleThatGuardsItsRoute() async throws {
        try await withHuifang { app in
            for link in Navigation.links {
                let route = app.routes.all.first {
                    $0.method == .GET && "/" + $0.path.map(\.description).joined(separator: "/") == link.path
                }
                #expect(route != nil && route?.access == link.access, "\(link.path)")
            }
        }
    }

    @Test func theMenuOfThePageShownIsMarkedAndItsLinkIsTheCurrentPage() async throws {
        try await withHuifang { app in
            let (supervisor, password) = try await makeUser(app, .supervisor)
            var client = try await PageClient.signedIn(app, supervisor.username, password)
            client.language = "en"
            let html = try await client.get("/tickets/queue").body.string
            #expect(html.contains("<details class=\"nav-group current\"><summary>Tickets</summary>"))
            #expect(
                html.contains("<a href=\"/tickets/queue\" class=\"current\" aria-current=\"page\">Ticket queue</a>"))
            #expect(html.contains("<a href=\"/tickets\">All tickets</a>"), "/tickets/queue is not under /tickets")
            #expect(html.contains("<summary>Follow-up</summary>") && !html.contains("<summary>Admin</summary>"))
        }
    }
}
