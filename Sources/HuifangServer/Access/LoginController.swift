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

    /// Longer names and passwords are refused before anything is stored or shown back.
    static let maxUsernameLength = 64
    static let maxPasswordLength = 1024

    @Sendable func page(req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: "/") }
        let notice = req.query[String.self, at: "signedOut"] != nil ? req.t("login.loggedOut") : nil
        let next = RedirectTarget.local(req.query[String.self, at: "next"])
        return try await req.renderPage(
            "login", titleKey: "login.title",
            LoginPage(username: "", error: nil, next: next, notice: notice))
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(Credentials.self)
        let next = RedirectTarget.local(form.next)
        guard form.username.count <= Self.maxUsernameLength, form.password.count <= Self.maxPasswordLength else {
            return try await refuse(
                req, LoginPage(username: "", error: req.t("login.failed"), next: next, notice: nil),
                status: .badRequest)
        }
        let username = form.username.trimmingWhitespace().lowercased()
        let failed = LoginPage(username: username, error: req.t("login.failed"), next: next, notice: nil)
        let address = req.clientAddress
        let actor = Actor(id: nil, name: username, address: address, source: "ui")
        // Counted as a failure before the password is looked at, so parallel guesses each see the others.
        let attempt = LoginAttempt(username: username, address: address, at: req.now, succeeded: false)
        try await attempt.create(on: req.db)
        let throttle = req.application.huifang.loginThrottle
        let failures = try await countFailures(req, username: username, address: address, throttle: throttle)
        if throttle.isLocked(accountFailures: failures.account - 1, addressFailures: failures.address - 1) {
            let locked = LoginPage(
                username: username, error: req.t("login.locked", String(throttle.lockMinutes)),
                next: next, notice: nil)
            return try await refuse(req, locked, status: .unauthorized)
        }
        guard let user = try await verifiedUser(req, username: username, password: form.password) else {
            try await recordFailure(req, actor: actor, failures: failures, throttle: throttle)
            return try await refuse(req, failed, status: .unauthorized)
        }
        attempt.succeeded = true
        try await attempt.save(on: req.db)
        try await AuditLog.record(
            "login", by: Actor(id: user.id, name: username, address: address, source: "ui"),
            subjectType: "user", subjectID: username, at: req.now, on: req.db)
        try await req.startSession(for: user, now: req.now)
        return req.redirect(to: next)
    }

    private func refuse(_ req: Request, _ page: LoginPage, status: HTTPResponseStatus) async throws -> Response {
        let response = try await req.renderPage("login", titleKey: "login.title", page)
        response.status = status
        return response
    }

    /// Failures in the window, this attempt included, for the account and for the address.
    private func countFailures(
        _ req: Request, username: String, address: String,
        throttle: LoginThrottlePolicy
    ) async throws -> (account: Int, address: Int) {
        let since = req.now.addingTimeInterval(-throttle.window)
        let account = try await LoginAttempt.query(on: req.db)
            .filter(\.$username == username).filter(\.$succeeded == false).filter(\.$at > since).count()
        let byAddress = try await LoginAttempt.query(on: req.db)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$at > since).count()
        return (account, byAddress)
    }

    /// The active user with this name and password. A disabled account, an unknown name and a wrong
    /// password are told apart by nobody, and cost the same work.
    private func verifiedUser(_ req: Request, username: String, password: String) async throws -> User? {
        guard let user = try await User.query(on: req.db).filter(\.$username == username).first() else {
            _ = try? await req.password.async.hash(password)
            return nil
        }
        let matches = try await req.password.async.verify(password, created: user.passwordHash)
        return matches && user.isActive ? user : nil
    }

    private func recordFailure(
        _ req: Request, actor: Actor, failures: (account: Int, address: Int),
        throttle: LoginThrottlePolicy
    ) async throws {
        try await AuditLog.record(
            "login.failed", by: actor, subjectType: "user", subjectID: actor.name, at: req.now, on: req.db)
        guard throttle.failureLocks(accountFailures: failures.account, addressFailures: failures.address) else {
            return
        }
        let detail = failures.account >= throttle.maxFailuresPerAccount ? "account" : "address"
        try await AuditLog.record(
            "login.lockout", by: actor, subjectType: "user", subjectID: actor.name,
            detail: detail, at: req.now, on: req.db)
    }

    @Sendable func logout(req: Request) async throws -> Response {
        try await req.domain.audit("logout", subjectType: "user", subjectID: req.auth.get(User.self)?.username)
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: "/login?signedOut=1")
    }
}
