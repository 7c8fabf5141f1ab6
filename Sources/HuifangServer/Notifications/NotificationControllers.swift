import Fluent
import Foundation
import Vapor

/// A notification as listed.
struct NotificationView: Content {
    let id: Int
    let at: String
    let kind: String
    let text: String
    let ticketID: Int?
    let read: Bool
}

extension DomainServices {
    func myNotifications(of user: User, limit: Int = 100) async throws -> [NotificationView] {
        return try await Notification.query(on: db).filter(\.$user.$id == user.id!).sort(\.$id, .descending).limit(
            limit
        ).all().map {
            NotificationView(
                id: $0.id!, at: config.formatDateTime(Date(timeIntervalSince1970: $0.at)), kind: $0.kind, text: $0.text,
                ticketID: $0.ticketID, read: $0.readAt != nil)
        }
    }

    func markNotificationsRead(of user: User) async throws -> Int {
        let unread = try await Notification.query(on: db).filter(\.$user.$id == user.id!).filter(\.$readAt == nil)
            .count()
        try await Notification.query(on: db).filter(\.$user.$id == user.id!).filter(\.$readAt == nil)
            .set(\.$readAt, to: now.timeIntervalSince1970).update()
        return unread
    }

    /// Unread notifications of the signed-in user, for the navigation's badge.
    func unreadNotifications(of user: User?) async throws -> Int {
        guard let user else { return 0 }
        return try await Notification.query(on: db).filter(\.$user.$id == user.id!).filter(\.$readAt == nil).count()
    }

    /// The id of the signed-in user's newest notification (0 for none): a page's live stream starts after it.
    func lastNotification(of user: User?) async throws -> Int {
        guard let user else { return 0 }
        return try await Notification.query(on: db).filter(\.$user.$id == user.id!).max(\.$id) ?? 0
    }
}

/// Each user's notifications: escalations and urgent complaints addressed to them.
struct NotificationControllers: RouteCollection {
    let surface: Surface

    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped("notifications").guarded(.signedIn, surface)
        switch surface {
        case .api:
            group.get { req in try await req.domain.myNotifications(of: try req.auth.require(User.self)) }
            group.post("read") { req in
                ["read": try await req.domain.markNotificationsRead(of: try req.auth.require(User.self))]
            }
        case .page:
            group.get { req in
                let items = try await req.domain.myNotifications(of: try req.auth.require(User.self))
                return try await req.renderPage("notifications", titleKey: "notifications.title", items)
            }
            group.post("read") { req in
                _ = try await req.domain.markNotificationsRead(of: try req.auth.require(User.self))
                return req.redirect(to: "/notifications")
            }
        }
    }
}
