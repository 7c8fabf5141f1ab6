import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Redirect targets an attacker writes into links, and the headers every answer carries.
@Suite struct RedirectAndHeaderTests {
    static let attacks = [
        "/%0d%0aSet-Cookie:%20x=1", "/%09/evil.example", "//evil.example", "/%5Cevil.example",
        "https://evil.example", "/%0aLocation:%20https://evil.example",
    ]

    @Test(arguments: attacks)
    func theLanguageSwitchNeitherWritesHeadersNorLeavesTheSite(next: String) async throws {
        try await withHuifang { app in
            let response = try await app.testing().sendRequest(.GET, "/lang/en?next=\(next)")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == ["/"])
            #expect(response.headers.setCookie?["x"] == nil)
            #expect(response.headers.setCookie?["lang"]?.string == "en")
        }
    }

    @Test(arguments: attacks)
    func signingInNeitherWritesHeadersNorLeavesTheSite(next: String) async throws {
        try await withHuifang { app in
            let (agent, password) = try await makeUser(app, .agent)
            var client = PageClient(app)
            try await client.get("/login")
            let raw = next.removingPercentEncoding!
            let form = ["username": agent.username, "password": password, "next": raw]
            let response = try await client.post("/login", form: form)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == ["/"])
            #expect(response.headers.setCookie?["x"] == nil)
            let page = try await client.get("/login?next=\(next)")
            #expect(page.status == .seeOther, "signed in: the login page sends home")
        }
    }

    @Test func aLocalTargetIsStillFollowed() async throws {
        try await withHuifang { app in
            let response = try await app.testing().sendRequest(.GET, "/lang/en?next=/customers%3Fq%3D1")
            #expect(response.headers.first(name: .location) == "/customers?q=1")
        }
    }

    func expectSecurityHeaders(_ response: TestingHTTPResponse, _ what: String, referrer: String = "same-origin") {
        let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
        #expect(csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'"), "\(what)")
        for directive in ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"] {
            #expect(csp.contains(directive), "\(what): \(directive)")
        }
        #expect(response.headers.first(name: "X-Frame-Options") == "DENY", "\(what)")
        #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(what)")
        #expect(response.headers.first(name: "Referrer-Policy") == referrer, "\(what)")
    }

    /// The stylesheet, scripts and icon are served from `Public/`; nothing else there or beside it is (`StaticFiles`).
    @Test func onlyTheStylesheetsScriptsAndIconAreServedAsFiles() async throws {
        try await withHuifang { app in
            let tester = try app.testing()
            let css = try await tester.sendRequest(.GET, "/css/app.css")
            #expect(css.status == .ok && css.headers.contentType?.subType == "css")
            #expect(try await tester.sendRequest(.GET, "/js/app.js").status == .ok)
            // The icon every page links to, and browsers ask for unasked: an icon file of three sizes.
            let icon = try await tester.sendRequest(.GET, "/favicon.ico")
            #expect(icon.status == .ok && Array(icon.body.readableBytesView.prefix(6)) == [0, 0, 1, 0, 3, 0])
            #expect(
                try await tester.sendRequest(.GET, "/login").body.string.contains(
                    "<link rel=\"icon\" href=\"/favicon.ico\""))
            for path in ["/Views/base.leaf", "/app.css", "/css/missing.css"] {
                #expect(try await tester.sendRequest(.GET, path).status == .notFound, "\(path)")
            }
            #expect(try await tester.sendRequest(.GET, "/css/../Views/base.leaf").status == .forbidden)
        }
    }

    @Test func everyKindOfAnswerCarriesTheSecurityHeaders() async throws {
        try await withHuifang { app in
            let tester = try app.testing()
            let paths = [
                "/login", "/api/v1/customers", "/no-such-page", "/css/app.css", "/js/app.js", "/healthz",
                "/lang/en",
            ]
            for path in paths {
                let response = try await tester.sendRequest(.GET, path)
                expectSecurityHeaders(response, path)
                #expect(response.headers.first(name: "Strict-Transport-Security") == nil)
            }
            expectSecurityHeaders(try await tester.sendRequest(.GET, "/s/1-2-x"), "survey", referrer: "no-referrer")
        }
        try await withHuifang(["HUIFANG_SECURE_COOKIES": "true"]) { app in
            let response = try await app.testing().sendRequest(.GET, "/login")
            #expect(response.headers.first(name: "Strict-Transport-Security")?.hasPrefix("max-age=") == true)
        }
    }

    @Test func noTemplateRunsInlineScript() throws {
        let views = Resources.root.appendingPathComponent("Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        #expect(files.count > 30)
        let inline = try Regex(#"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:"#).ignoresCase()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.firstMatch(of: inline) == nil, "\(file.lastPathComponent)")
        }
    }

    @Test func thePagesThatHadScriptsLoadThemFromFiles() async throws {
        try await withHuifang { app in
            let (supervisor, password) = try await makeUser(app, .supervisor)
            var client = try await PageClient.signedIn(app, supervisor.username, password)
            for (path, script) in [("/calls/new", "/js/call.js"), ("/surveys/new", "/js/survey-builder.js")] {
                let page = try await client.get(path)
                let tag = "<script src=\"\(script)\"></script>"
                #expect(page.status == .ok && page.body.string.contains(tag), "\(path)")
                #expect(try await client.get(script).status == .ok)
            }
            let type = try await client.get("/js/workspace.js").headers.contentType
            #expect(type?.subType.contains("javascript") == true)
        }
    }

    @Test func healthSaysUnavailableWithoutTheDatabasesWords() async throws {
        var config = try HuifangConfig.load(environment: [
            "HUIFANG_PLAN_AT": "off", "HUIFANG_ESCALATE_EVERY": "off",
            "HUIFANG_DELIVER_EVERY": "off",
        ])
        config.database = .postgres(url: "postgres://huifang:s3cret@127.0.0.1:1/huifang")
        let app = try await Application.make(.testing)
        do {
            try await configure(app, config)
            let response = try await app.testing().sendRequest(.GET, "/healthz")
            #expect(response.status == .serviceUnavailable)
            #expect(
                response.body.string == #"{"database":"unavailable","status":"unavailable"}"#
                    || response.body.string == #"{"status":"unavailable","database":"unavailable"}"#)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
