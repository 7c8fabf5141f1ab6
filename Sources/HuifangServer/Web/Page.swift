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
    /// One place in the navigation bar: a link, or a menu of a job's links (回访, 工单, 来电, 报表, 管理). A job
    /// of which the role uses one page is that page's link.
    struct NavEntry: Encodable {
        let label: String
        /// The link's address; `nil` for a menu.
        let path: String?
        let items: [NavItem]
        let isMenu: Bool
        /// The link or one of the menu's links is the page shown.
        let isCurrent: Bool
        /// The notifications' link, which carries the unread count.
        let isNotifications: Bool
    }
    struct Badge: Encodable {
        let displayName: String
        let roleName: String
    }

    let lang: String
    let title: String
    let user: Badge?
    let nav: [NavEntry]
    let csrf: String
    let flash: String?
    let otherLanguage: String
    let path: String
    /// Unread notifications, shown beside their navigation item.
    let unread: Int
    /// The user's newest notification when the page was made: the live stream sends what comes after it.
    let lastNotification: Int
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

/// The navigation: pages grouped by job, each behind the same access rule that guards its route.
enum Navigation {
    struct Link: Sendable {
        let path: String
        let key: String
        let access: RouteAccess
    }
    struct Group: Sendable {
        /// `nil`: the links stand on their own (home, notifications).
        let key: String?
        let links: [Link]
    }

    static let groups: [Group] = [
        Group(key: nil, links: [Link(path: "/", key: "nav.home", access: .signedIn)]),
        Group(
            key: "nav.group.followUp",
            links: [
                Link(path: "/tasks/mine", key: "nav.myTasks", access: .callList),
                Link(path: "/spot-checks/mine", key: "nav.mySpotChecks", access: .callList),
                Link(path: "/customers", key: "nav.customers", access: .customersRead),
                Link(path: "/tasks", key: "nav.tasks", access: .planning),
                Link(path: "/rosters", key: "nav.rosters", access: .planning),
                Link(path: "/rules", key: "nav.rules", access: .planning),
                Link(path: "/surveys", key: "nav.surveys", access: .surveys),
                Link(path: "/customers/import", key: "nav.import", access: .customersImport),
                Link(path: "/events/import", key: "nav.importEvents", access: .eventsWrite),
            ]),
        Group(
            key: "nav.group.tickets",
            links: [
                Link(path: "/tickets/queue", key: "nav.ticketQueue", access: .tickets),
                Link(path: "/tickets", key: "nav.tickets", access: .ticketOversight),
            ]),
        Group(
            key: "nav.group.calls",
            links: [
                Link(path: "/calls/new", key: "nav.takeCall", access: .calls),
                Link(path: "/calls", key: "nav.calls", access: .calls),
                Link(path: "/kb", key: "nav.kb", access: .calls),
            ]),
        Group(
            key: "nav.group.reports",
            links: [
                Link(path: "/reports", key: "nav.reports", access: .reports),
                Link(path: "/spot-checks", key: "nav.spotChecks", access: .reportManagement),
            ]),
        Group(
            key: "nav.group.admin",
            links: [
                Link(path: "/users", key: "nav.users", access: .administration),
                Link(path: "/departments", key: "nav.departments", access: .administration),
                Link(path: "/settings", key: "nav.settings", access: .administration),
                Link(path: "/calendar", key: "nav.calendar", access: .administration),
                Link(path: "/messages", key: "nav.messages", access: .administration),
                Link(path: "/webhooks", key: "nav.webhooks", access: .administration),
                Link(path: "/audit", key: "nav.audit", access: .administration),
            ]),
        Group(key: nil, links: [Link(path: "/notifications", key: "nav.notifications", access: .signedIn)]),
    ]

    static let links = groups.flatMap(\.links)

    /// The navigation `role` may use, on the page at `current`, in `language`.
    static func entries(for role: Role, at current: String, in language: Language) -> [Layout.NavEntry] {
        groups.flatMap { group -> [Layout.NavEntry] in
            let items = group.links.filter { $0.access.roles.contains(role) }.map {
                Layout.NavItem(
                    path: $0.path, label: Catalogue.text($0.key, language), isCurrent: isCurrent($0.path, at: current))
            }
            guard let key = group.key, items.count > 1 else {
                return items.map {
                    Layout.NavEntry(
                        label: $0.label, path: $0.path, items: [], isMenu: false, isCurrent: $0.isCurrent,
                        isNotifications: $0.path == "/notifications")
                }
            }
            return [
                Layout.NavEntry(
                    label: Catalogue.text(key, language), path: nil, items: items, isMenu: true,
                    isCurrent: items.contains(where: \.isCurrent), isNotifications: false)
            ]
        }
    }

    /// The link of the page shown: the longest link `current` is or lies under (`/tickets/7` is under
    /// 全部工单, `/tickets/queue` is 工单队列).
    static func isCurrent(_ path: String, at current: String) -> Bool {
        guard path != "/" else { return current == "/" }
        guard current == path || current.hasPrefix(path + "/") else { return false }
        return !links.contains {
            $0.path != path && $0.path.hasPrefix(path) && (current == $0.path || current.hasPrefix($0.path + "/"))
        }
    }
}

extension Request {
    /// Renders `template` inside the layout.
    func renderPage(_ template: String, titleKey: String, titleArguments: [String] = [], _ body: some Encodable)
        async throws -> Response
    {
        let user = auth.get(User.self)
        let nav = user.map { Navigation.entries(for: $0.role, at: urlPath, in: language) } ?? []
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
            unread: try await domain.unreadNotifications(of: user),
            lastNotification: try await domain.lastNotification(of: user),
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
