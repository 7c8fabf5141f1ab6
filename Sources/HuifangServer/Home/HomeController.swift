import HuifangCore
import Vapor

/// The home page (工作台): each role's numbers and lists (`DomainServices.dashboard(for:)`).
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.guarded(.signedIn, .page).get(use: home)
    }

    @Sendable func home(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        return try await req.renderPage("home", titleKey: "home.title", try await req.domain.dashboard(for: user))
    }
}
