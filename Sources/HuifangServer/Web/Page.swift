import HuifangCore
import Leaf
import Vapor

/// What every page's layout needs: language, the signed-in user, the
/// navigation their role may use, the CSRF token and a one-time message.
struct Layout: Encodable {
    struct NavItem: Encodable {
        let path: String
        let label: String
        let isCurrent: Bool
    }
    struct Badge: Encodable {
        let displayName: String
        let roleName: String
    }

    let lang: String
    let title: String
    let user: Badge?
    let nav: [NavItem]
    let csrf: String
    let flash: String?
    let otherLanguage: String
    let path: String
    /// Unread notifications, shown beside their navigation item.
    let unread: Int
    /// The route groups the user may use, by name (`layout.can.customersImport`): a page offers only the
    /// actions its reader can take, e.g. in the sentence of an empty list.
    let can: [String: Bool]
}

/// One choice of a `<select>`.
struct SelectOption: Content {
    let value: String
    let label: String
    let selected: Bool
}

/// One page: the layout and the page's own context.
struct Page<Body: Encodable>: Encodable {
    let layout: Layout
    let page: Body
}

extension Request {
    /// The navigation, built from the same access table that guards the routes.
    static let navigation: [(path: String, key: String, access: RouteAccess)] = [
        ("/", "nav.home", .signedIn),
        ("/customers", "nav.customers", .customersRead),
        ("/customers/import", "nav.import", .customersImport),
        ("/events/import", "nav.importEvents", .eventsWrite),
        ("/tasks/mine", "nav.myTasks", .callList),
        ("/spot-checks/mine", "nav.mySpotChecks", .callList),
        ("/calls/new", "nav.takeCall", .calls),
        ("/calls", "nav.calls", .calls),
        ("/tickets/queue", "nav.ticketQueue", .tickets),
        ("/tickets", "nav.tickets", .ticketOversight),
        ("/kb", "nav.kb", .calls),
        ("/notifications", "nav.notifications", .signedIn),
        ("/tasks", "nav.tasks", .planning),
        ("/rosters", "nav.rosters", .planning),
        ("/rules", "nav.rules", .planning),
        ("/surveys", "nav.surveys", .surveys),
        ("/reports", "nav.reports", .reports),
        ("/spot-checks", "nav.spotChecks", .reportManagement),
        ("/messages", "nav.messages", .administration),
        ("/departments", "nav.departments", .administration),
        ("/users", "nav.users", .administration),
        ("/audit", "nav.audit", .administration),
        ("/calendar", "nav.calendar", .administration),
        ("/settings", "nav.settings", .administration),
    ]

    /// Renders `template` inside the layout.
    func renderPage(_ template: String, titleKey: String, titleArguments: [String] = [], _ body: some Encodable)
        async throws -> Response
    {
        let user = auth.get(User.self)
        let current = url.path
        let nav: [Layout.NavItem] =
            user.map { user in
                Self.navigation.filter { $0.access.roles.contains(user.role) }.map { item in
                    let isCurrent =
                        item.path == "/"
                        ? current == "/"
                        : current == item.path
                            || (current.hasPrefix(item.path + "/")
                                && !Self.navigation.contains {
                                    $0.path != item.path && $0.path.hasPrefix(item.path) && current.hasPrefix($0.path)
                                })
                    return .init(path: item.path, label: t(item.key), isCurrent: isCurrent)
                }
            } ?? []
        var flash: String? = nil
        if hasSession, let message = session.data["flash"] {
            flash = message
            session.data["flash"] = nil
        }
        let layout = Layout(
            lang: language.htmlTag,
            title: Catalogue.text(titleKey, language, titleArguments),
            user: user.map { .init(displayName: $0.displayName, roleName: t($0.role.catalogueKey)) },
            nav: nav,
            csrf: csrfToken,
            flash: flash,
            otherLanguage: language == .zh ? "en" : "zh",
            // An address too long to serve (414) is not echoed back.
            path: url.string.utf8.count > RequestHeadLimits.maxTarget
                ? "/"
                : url.string.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-", "_", "."]))
                    ?? "/",
            unread: try await domain.unreadNotifications(of: auth.get(User.self)),
            can: Dictionary(
                uniqueKeysWithValues: RouteAccess.allCases.map { access in
                    (access.rawValue, user.map { access.roles.contains($0.role) } ?? false)
                })
        )
        let view = try await view.render(template, Page(layout: layout, page: body))
        return try await view.encodeResponse(for: self)
    }

    /// Shows `message` on the next page rendered in this session.
    func flash(_ key: String, _ arguments: String...) {
        session.data["flash"] = Catalogue.text(key, language, arguments)
    }
}
