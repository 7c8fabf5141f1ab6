import Fluent
import HuifangCore
import Vapor

/// The login page, sign-in with throttling per account and address, and sign-out.
struct LoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: page)
        routes.post("login", use: login)
        routes.guarded(.signedIn, .page).post("logout", use: logout)
    }

    struct LoginPage: Encodable {
        let username: String
        let error: String?
        let next: String
        let notice: String?
    }

    struct Credentials: Content {
        let username: String
        let password: String
        let next: String?
    }

    @Sendable func page(req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: "/") }
        let notice = req.query[String.self, at: "signedOut"] != nil ? req.t("login.loggedOut") : nil
        return try await req.renderPage("login", titleKey: "login.title",
                                        LoginPage(username: "", error: nil, next: RedirectTarget.local(req.query[String.self, at: "next"]), notice: notice))
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(Credentials.self)
        let username = form.username.trimmingWhitespace().lowercased()
        let next = RedirectTarget.local(form.next)
        func refuse(_ message: String) async throws -> Response {
            let response = try await req.renderPage("login", titleKey: "login.title",
                                                    LoginPage(username: username, error: message, next: next, notice: nil))
            response.status = .unauthorized
            return response
        }
        let throttle = req.application.huifang.loginThrottle
        let since = Date().addingTimeInterval(-throttle.window)
        let address = req.clientAddress
        func failures() async throws -> (account: Int, address: Int) {
            let account = try await LoginAttempt.query(on: req.db)
                .filter(\.$username == username).filter(\.$succeeded == false).filter(\.$at > since).count()
            let byAddress = try await LoginAttempt.query(on: req.db)
                .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$at > since).count()
            return (account, byAddress)
        }
        let before = try await failures()
        if throttle.isLocked(accountFailures: before.account, addressFailures: before.address) {
            return try await refuse(req.t("login.locked", String(throttle.lockMinutes)))
        }

        let user = try await User.query(on: req.db).filter(\.$username == username).first()
        let passwordMatches: Bool
        if let user {
            passwordMatches = try await req.password.async.verify(form.password, created: user.passwordHash)
        } else {
            _ = try? await req.password.async.hash(form.password)  // same work whether or not the user exists
            passwordMatches = false
        }
        let actor = Actor(id: user?.id, name: username, address: address, source: "ui")
        guard let user, passwordMatches else {
            try await LoginAttempt(username: username, address: address, at: Date(), succeeded: false).create(on: req.db)
            try await AuditLog.record("login.failed", by: actor, subjectType: "user", subjectID: username, on: req.db)
            let after = (account: before.account + 1, address: before.address + 1)  // counting this failure
            if throttle.failureLocks(accountFailures: after.account, addressFailures: after.address) {
                let detail = after.account >= throttle.maxFailuresPerAccount ? "account" : "address"
                try await AuditLog.record("login.lockout", by: actor, subjectType: "user", subjectID: username, detail: detail, on: req.db)
            }
            return try await refuse(req.t("login.failed"))
        }
        guard user.isActive else { return try await refuse(req.t("login.inactive")) }

        try await LoginAttempt(username: username, address: address, at: Date(), succeeded: true).create(on: req.db)
        try await AuditLog.record("login", by: actor, subjectType: "user", subjectID: username, on: req.db)
        // A new session id on sign-in, so a session fixed before login is worthless.
        if let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
            req.session.id = nil
        }
        req.session.data = SessionData()
        req.session.data["uid"] = user.id?.uuidString
        _ = req.csrfToken
        req.auth.login(user)
        return req.redirect(to: next)
    }

    @Sendable func logout(req: Request) async throws -> Response {
        try await req.audit("logout", subjectType: "user", subjectID: req.auth.get(User.self)?.username)
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: "/login?signedOut=1")
    }
}
