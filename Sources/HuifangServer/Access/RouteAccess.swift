import HuifangCore
import Vapor

/// The route groups of Huifang and the roles each admits. Every route is
/// registered through `guarded(_:)`, which records its group on the route, so a
/// test can walk every route × role and find any route added without a guard.
enum RouteAccess: String, CaseIterable, Sendable {
    /// Any signed-in user: home, sign-out.
    case signedIn
    /// Reading customers (contact details masked by role).
    case customersRead
    /// Creating and editing customers.
    case customersWrite
    /// Deleting customers.
    case customersDelete
    /// Revealing masked contact details (audited).
    case customersReveal
    /// Exporting everything held about one customer (PIPL access and portability; audited).
    case customersExport
    /// Importing customer files.
    case customersImport
    /// Departments, users, tokens, settings, the audit log.
    case administration
    /// Recording service events (API, import).
    case eventsWrite
    /// Follow-up rules, running the planner, distribution, absences, reassigning.
    case planning
    /// One's own call list (agents; supervisors and admins see theirs too).
    case callList
    /// Opening, reading and handling tickets.
    case tickets
    /// All open tickets, ticket settings (policies, escalation, categories), the knowledge base's editing, the list
    /// of call matters, escalation runs.
    case ticketOversight
    /// Taking inbound calls and the call log.
    case calls
    /// Building surveys and editing the message templates.
    case surveys
    /// Reading reports, scorecards and the archive; exporting figures and the rows behind them.
    case reports
    /// Setting targets, signing off months, running spot checks.
    case reportManagement

    var roles: Set<Role> {
        switch self {
        case .signedIn, .customersRead: Set(Role.allCases)
        case .customersWrite: [.admin, .supervisor, .agent]
        case .customersDelete, .customersExport, .customersImport: [.admin, .supervisor]
        case .customersReveal: [.admin, .supervisor, .agent, .handler]
        case .administration: [.admin]
        case .eventsWrite, .planning: [.admin, .supervisor]
        case .callList: [.admin, .supervisor, .agent]
        case .tickets: [.admin, .supervisor, .agent, .handler]
        case .ticketOversight: [.admin, .supervisor]
        case .calls: [.admin, .supervisor, .agent]
        case .surveys: [.admin, .supervisor]
        case .reports: [.admin, .supervisor, .analyst]
        case .reportManagement: [.admin, .supervisor]
        }
    }

    static let userInfoKey = "huifang.access"
}

/// Pages answer an anonymous visitor with the login page; the API with 401 JSON.
enum Surface: Sendable {
    case page
    case api
}

/// Admits the roles of one route group.
struct AccessGuard: Middleware {
    let access: RouteAccess
    let surface: Surface

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let user = request.auth.get(User.self) else {
            switch surface {
            case .api: return request.eventLoop.makeFailedFuture(AppError.unauthorized)
            case .page:
                let target = request.method == .GET ? request.url.string : "/"
                return request.eventLoop.makeSucceededFuture(
                    request.redirect(
                        to: "/login?next="
                            + (target.addingPercentEncoding(
                                withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "?"])) ?? "/")))
            }
        }
        guard access.roles.contains(user.role) else { return request.eventLoop.makeFailedFuture(AppError.forbidden) }
        return next.respond(to: request)
    }
}

/// Forwards routes to a guarded group and tags each with its access.
struct GuardedRoutes: RoutesBuilder {
    let base: any RoutesBuilder
    let access: RouteAccess

    func add(_ route: Route) {
        route.userInfo[AnySendableHashable(RouteAccess.userInfoKey)] = access.rawValue
        base.add(route)
    }
}

extension RoutesBuilder {
    /// Routes that only the roles of `access` may use.
    func guarded(_ access: RouteAccess, _ surface: Surface) -> any RoutesBuilder {
        GuardedRoutes(base: grouped(AccessGuard(access: access, surface: surface)), access: access)
    }
}

extension Route {
    /// The access group a route was registered in, `nil` for public routes.
    var access: RouteAccess? {
        (userInfo[AnySendableHashable(RouteAccess.userInfoKey)] as? String).flatMap(RouteAccess.init(rawValue:))
    }
}
