import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// Someone a ticket notification goes to.
struct Recipient: Hashable, Sendable {
    let id: UUID
    let name: String
    let email: String?
}

/// Writes in-app notifications and queues their emails, in the caller's transaction.
enum Notifier {
    struct Item {
        let recipient: Recipient
        let ticketID: Int?
        let kind: String
        let text: String
        let subject: String
    }

    /// Writes the notifications and queues their email. Several for one person at once become one
    /// digest (a head whose department misses fifty deadlines at the close of day gets one message, not fifty).
    static func send(_ items: [Item], config: HuifangConfig, now: Date, on db: any Database) async throws {
        guard !items.isEmpty else { return }
        let language = config.defaultLanguage
        var order: [UUID] = []
        var byRecipient: [UUID: [Item]] = [:]
        for item in items {
            if byRecipient[item.recipient.id] == nil { order.append(item.recipient.id) }
            byRecipient[item.recipient.id, default: []].append(item)
        }
        let messages: [Item] = order.map { id in
            let mine = byRecipient[id]!
            guard mine.count > 1 else { return mine[0] }
            let shown = mine.prefix(50).map(\.text).joined(separator: "\n")
            let more =
                mine.count > 50 ? "\n" + Catalogue.text("notifications.more", language, ["\(mine.count - 50)"]) : ""
            return Item(
                recipient: mine[0].recipient, ticketID: nil, kind: mine[0].kind,
                text: Catalogue.text("notifications.digest", language, ["\(mine.count)"]) + "\n" + shown + more,
                subject: Catalogue.text("notifications.digestSubject", language, ["\(mine.count)"]))
        }
        let sql = db.sql
        let at = now.timeIntervalSince1970
        for chunk in messages.chunked(500) {
            let insert = sql.insert(into: Notification.schema).columns("user_id", "ticket_id", "kind", "text", "at")
            for item in chunk {
                insert.values([
                    SQLBind(item.recipient.id), SQLBind(item.ticketID), SQLBind(item.kind), SQLBind(item.text),
                    SQLBind(at),
                ])
            }
            try await insert.run()
        }
        let mails = messages.compactMap { item -> (String, String, String)? in
            guard let email = item.recipient.email else { return nil }
            let link =
                "\n\n"
                + (item.ticketID.map { "\(config.publicURL)/tickets/\($0)" } ?? "\(config.publicURL)/notifications")
            return (email, item.subject, item.text + link)
        }
        try await Outbox.enqueue(mails.map { (to: $0.0, subject: $0.1, body: $0.2) }, config: config, now: now, on: db)
    }

    /// Active supervisors, who hear of urgent complaints and the ladder's top levels.
    static func supervisors(on db: any Database) async throws -> [Recipient] {
        try await User.query(on: db).filter(\.$role == .supervisor).filter(\.$isActive == true).sort(\.$username).all()
            .map { Recipient(id: $0.id!, name: $0.displayName, email: $0.email) }
    }
}
