import Fluent
import Foundation
import SQLKit
import Vapor

/// The mail outbox: messages are queued in the same transaction as what caused them and delivered
/// later by whichever instance claims them, with retries that back off, so a slow or absent mail
/// server never holds up a sweep or a request.
struct Outbox {
    let db: any Database
    let config: HuifangConfig
    var instance = DailyPlanning.instance
    /// Attempts before a message is marked failed.
    static let maxAttempts = 6

    /// Queues one message per address; nothing when no mail server is configured.
    static func enqueue(_ messages: [(to: String, subject: String, body: String)], config: HuifangConfig, now: Date, on db: any Database) async throws {
        guard config.smtp != nil, !messages.isEmpty else { return }
        let sql = db as! any SQLDatabase
        let at = now.timeIntervalSince1970
        for chunk in messages.chunked(500) {
            let insert = sql.insert(into: MailMessage.schema)
                .columns("to_address", "subject", "body", "status", "attempts", "created_at", "next_attempt_at")
            for message in chunk {
                insert.values([SQLBind(message.to), SQLBind(message.subject), SQLBind(message.body), SQLBind(MailMessage.Status.pending.rawValue),
                               SQLBind(0), SQLBind(at), SQLBind(at)])
            }
            try await insert.run()
        }
    }

    struct Delivery: Content {
        var sent = 0
        var failed = 0
        var retrying = 0
    }

    private struct Claimed: Decodable {
        let id: Int
        let to_address: String
        let subject: String
        let body: String
        let attempts: Int
    }

    /// Sends what is due. Each message is claimed first (a conditional update), so two instances
    /// never send the same one; a claim lapses after ten minutes if its holder dies mid-send.
    func deliver(now: Date = Date(), limit: Int = 200) async throws -> Delivery {
        var result = Delivery()
        guard let smtp = config.smtp else { return result }
        let sql = db as! any SQLDatabase
        let at = now.timeIntervalSince1970
        struct ID: Decodable { let id: Int }
        let due = try await sql.raw("""
            SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= \(bind: at)
            AND (claimed_until IS NULL OR claimed_until < \(bind: at)) ORDER BY id LIMIT \(literal: limit)
            """).all(decoding: ID.self)
        let client = SMTPClient(settings: smtp)
        for candidate in due {
            guard let message = try await sql.raw("""
                UPDATE mail_outbox SET claimed_by = \(bind: instance), claimed_until = \(bind: at + 600)
                WHERE id = \(bind: candidate.id) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < \(bind: at))
                RETURNING id, to_address, subject, body, attempts
                """).first(decoding: Claimed.self) else { continue }
            do {
                try await client.send(to: message.to_address, subject: message.subject, body: message.body, now: now)
                try await sql.raw("""
                    UPDATE mail_outbox SET status = 'sent', sent_at = \(bind: Date().timeIntervalSince1970), attempts = attempts + 1,
                    claimed_until = NULL WHERE id = \(bind: message.id)
                    """).run()
                result.sent += 1
            } catch {
                let attempts = message.attempts + 1
                let failed = attempts >= Self.maxAttempts
                // 1, 4, 16, 64, 256 minutes.
                let next = at + 60 * pow(4, Double(attempts - 1))
                try await sql.raw("""
                    UPDATE mail_outbox SET status = \(bind: failed ? "failed" : "pending"), attempts = \(bind: attempts),
                    last_error = \(bind: String(String(describing: error).prefix(500))), next_attempt_at = \(bind: next), claimed_until = NULL
                    WHERE id = \(bind: message.id)
                    """).run()
                if failed { result.failed += 1 } else { result.retrying += 1 }
            }
        }
        return result
    }
}
