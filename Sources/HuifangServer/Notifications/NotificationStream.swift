import Fluent
import Foundation
import HuifangCore
import Vapor

/// `GET /notifications/stream`: the signed-in user's new notifications as Server-Sent Events, for the navigation's
/// count and a banner (`/js/live.js`). Only the user's own notifications; `after` (or the browser's
/// `Last-Event-ID` when it reconnects) sends what came since first. Not audited: a count of one's own messages.
struct NotificationStreamController: RouteCollection {
    /// Paths that sign in with `ReadOnlySessionAuthenticator` (the global sessions middleware skips them).
    static let paths: Set<String> = ["/notifications/stream"]

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("notifications").guarded(.signedIn, .api).get("stream", use: stream)
    }

    @Sendable func stream(_ req: Request) async throws -> Response {
        let user = try req.auth.require(User.self).requireID()
        let after =
            ServerSentEvent.lastEventID(req.headers.first(name: "Last-Event-ID"))
            ?? ServerSentEvent.lastEventID(req.query[String.self, at: "after"])
        let subscription: NotificationHub.Subscription
        do {
            subscription = try await req.application.notificationHub.subscribe(user: user)
        } catch NotificationHub.Refusal.tooManyStreams {
            throw AppError(.tooManyRequests, "live.tooManyStreams")
        } catch NotificationHub.Refusal.closed {
            throw AppError(.serviceUnavailable, "live.closing")
        }
        let stream = NotificationStream(
            request: req, user: user, language: req.language, after: after, subscription: subscription)
        let response = Response(status: .ok)
        response.headers.replaceOrAdd(name: .contentType, value: "text/event-stream; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache, no-store")
        response.headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")  // a proxy passes each event on at once
        response.body = .init(asyncStream: { writer in await stream.run(writer) })
        return response
    }
}

/// One open stream: what came since `after`, then each notification the hub hands on, each with the unread count.
struct NotificationStream: Sendable {
    /// The payload of a `notification` event.
    struct Payload: Encodable {
        let id: Int
        let kind: String
        let title: String
        let text: String
        let link: String
        let linkLabel: String
        let urgent: Bool
        let unread: Int
    }

    /// A browser that lost the stream tries again after this.
    static let reconnectMilliseconds = 3000
    /// At most this many missed notifications are sent on (re)connecting; the count tells the rest.
    static let catchUpLimit = 20

    let request: Request
    let user: UUID
    let language: Language
    let after: Int?
    let subscription: NotificationHub.Subscription

    /// Writes until the hub ends the stream or the browser leaves; always ends the response.
    func run(_ writer: any AsyncBodyStreamWriter) async {
        var sent = Set<Int>()
        var last = after ?? 0
        do {
            try await write(ServerSentEvent.retry(milliseconds: Self.reconnectMilliseconds), to: writer)
            try await write(
                ServerSentEvent(event: "unread", data: "{\"unread\":\(try await unread())}").encoded, to: writer)
            if let after {
                for note in try await missed(after: after) {
                    try await send(note, last: &last, to: writer)
                    sent.insert(note.id)
                }
            }
            messages: for await message in subscription.messages {
                switch message {
                case .heartbeat:
                    try await write(ServerSentEvent.comment("keep-alive"), to: writer)
                case .notification(let note, let late):
                    // Sent in the catch-up already, or older than what the page showed when it opened.
                    if sent.contains(note.id) || (!late && note.id <= (after ?? 0)) { continue }
                    guard try await isStillSignedIn() else { break messages }
                    try await send(note, last: &last, to: writer)
                }
            }
        } catch {
            // The browser left or the database failed: the stream ends, and a browser still there reconnects.
            request.logger.debug("Notification stream ended: \(String(reflecting: error))")
        }
        await request.application.notificationHub.end(subscription.id)
        try? await writer.write(.end)
    }

    private func send(_ note: LiveNote, last: inout Int, to writer: any AsyncBodyStreamWriter) async throws {
        last = max(last, note.id)
        let kind =
            ["new", "assigned", "urgent", "escalation", "survey", "call"].contains(note.kind) ? note.kind : "other"
        let firstLine = note.text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let payload = Payload(
            id: note.id, kind: note.kind, title: Catalogue.text("live.kind.\(kind)", language),
            text: String(firstLine.prefix(200)), link: Self.link(note),
            linkLabel: Catalogue.text(note.phoneCallID == nil ? "live.open" : "live.openCall", language),
            urgent: note.kind == "urgent" || note.kind == "escalation",
            unread: try await unread())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = String(decoding: try encoder.encode(payload), as: UTF8.self)
        // The id is the highest sent, so a browser that reconnects is not sent again what it has.
        try await write(ServerSentEvent(event: "notification", id: String(last), data: data).encoded, to: writer)
    }

    /// Where a notification's banner leads: a ringing call's form, its ticket, or the list of notifications.
    static func link(_ note: LiveNote) -> String {
        if let call = note.phoneCallID { return "/calls/new?call=\(call)" }
        return note.ticketID.map { "/tickets/\($0)" } ?? "/notifications"
    }

    private func write(_ text: String, to writer: any AsyncBodyStreamWriter) async throws {
        try await writer.write(.buffer(ByteBuffer(string: text)))
    }

    private func unread() async throws -> Int {
        try await Notification.query(on: request.db).filter(\.$user.$id == user).filter(\.$readAt == nil).count()
    }

    /// The user's notifications above `after`, oldest first (the newest `catchUpLimit` of them).
    private func missed(after: Int) async throws -> [LiveNote] {
        try await Notification.query(on: request.db).filter(\.$user.$id == user).filter(\.$id > after)
            .sort(\.$id, .descending).limit(Self.catchUpLimit).all().map(LiveNote.init).reversed()
    }

    /// Whether the stream's session still signs in its user (alive, the user active): a page left open after
    /// signing out elsewhere gets nothing more.
    private func isStillSignedIn() async throws -> Bool {
        try await ReadOnlySessionAuthenticator.isStillSignedIn(request, as: user, now: request.application.clock.now())
    }
}
