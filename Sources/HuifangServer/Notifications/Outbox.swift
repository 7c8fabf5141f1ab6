import Fluent
import Foundation
import SQLKit
import Vapor

/// The outbox of email, SMS and webhooks (`WebhookDelivering`): messages are queued in the same transaction as what caused them and delivered
/// later by whichever instance claims them, with retries that back off, so a slow or absent mail
/// server never holds up a sweep or a request.
struct Outbox {
    let db: any Database
    let config: HuifangConfig
    var instance = DailyPlanning.instance
    /// For the SMS gateway.
    var client: (any Client)? = nil
    var logger = Logger(label: "huifang.outbox")
    /// Attempts before a message is marked failed.
    static let maxAttempts = 6

    /// Queues one message per address; nothing when no mail server is configured.
    static func enqueue(
        _ messages: [(to: String, subject: String, body: String)], config: HuifangConfig, now: Date, on db: any Database
    ) async throws {
        guard config.smtp != nil, !messages.isEmpty else { return }
        let sql = db.sql
        let at = now.timeIntervalSince1970
        for chunk in messages.chunked(500) {
            let insert = sql.insert(into: MailMessage.schema)
                .columns("to_address", "subject", "body", "status", "attempts", "created_at", "next_attempt_at")
            for message in chunk {
                insert.values([
                    SQLBind(message.to), SQLBind(message.subject), SQLBind(message.body),
                    SQLBind(MailMessage.Status.pending.rawValue),
                    SQLBind(0), SQLBind(at), SQLBind(at),
                ])
            }
            try await insert.run()
        }
    }

    /// Queues one message to a customer (a survey link) and returns its id. The caller checks first
    /// that the channel can be sent (an address, a mail server for email).
    static func enqueue(
        channel: String, to: String, subject: String, body: String, customerID: Int, taskID: Int?, now: Date,
        on db: any Database
    ) async throws -> Int {
        let sql = db.sql
        let at = now.timeIntervalSince1970
        struct ID: Decodable { let id: Int }
        let row = try await sql.insert(into: MailMessage.schema)
            .columns(
                "channel", "to_address", "subject", "body", "status", "attempts", "created_at", "next_attempt_at",
                "customer_id", "task_id"
            )
            .values(
                SQLBind(channel), SQLBind(to), SQLBind(subject), SQLBind(body),
                SQLBind(MailMessage.Status.pending.rawValue), SQLBind(0),
                SQLBind(at), SQLBind(at), SQLBind(customerID), SQLBind(taskID)
            )
            .returning("id").first(decoding: ID.self)
        return row!.id
    }

    /// Stored as the last error of a message not sent because its customer may no longer be contacted.
    static let noContactNote = "not sent: the customer asked not to be disturbed or has not consented"

    struct Delivery: Content {
        var sent = 0
        var failed = 0
        var retrying = 0
        /// Messages to customers who may no longer be contacted (do not disturb, no consent): never sent.
        var cancelled = 0
    }

    private struct Claimed: Decodable {
        let id: Int
        let to_address: String
        let subject: String
        let body: String
        let attempts: Int
        let channel: String
    }

    /// A customer who may not be contacted, as a condition on `customers` aliased `c`.
    private static let noContact = "(c.do_not_disturb OR NOT c.consent)"

    /// Sends one claimed message by its channel; returns the transport that took it.
    private func send(_ message: Claimed, mail: SMTPClient?, sms: SMSClient, now: Date) async throws -> String {
        if message.channel == "sms" {
            return try await sms.send(to: message.to_address, text: message.body, reference: String(message.id))
        }
        guard let mail else { throw SMSClient.GatewayError(description: "no mail server configured") }
        try await mail.send(to: message.to_address, subject: message.subject, body: message.body, now: now)
        return "smtp"
    }

    /// Sends what is due at `now`. Each message is claimed first (a conditional update), so two instances
    /// never send the same one; a claim lapses ten minutes after it was made if its holder dies mid-send.
    /// A batch can take long (a slow mail server), so each claim and each send is timed at `now` plus the time
    /// this delivery has run so far, not at the batch's start: a message claimed late in the batch is held for
    /// its own ten minutes. Retries back off from `now`, the delivery's instant. A message to a customer who may
    /// no longer be contacted (do not disturb, no consent) is cancelled instead, and the claim itself refuses one
    /// whose customer opted out since, so nothing is sent to them.
    func deliver(now: Date, limit: Int = 200) async throws -> Delivery {
        var result = Delivery()
        let sql = db.sql
        let at = now.timeIntervalSince1970
        let started = ContinuousClock.now
        /// `now` moved on by the time this delivery has taken (seconds since 1970).
        func current() -> Double { at + (ContinuousClock.now - started) / .seconds(1) }
        struct Due: Decodable {
            let id: Int
            let unwanted: Int
        }
        let due = try await sql.raw(
            """
            SELECT m.id, CASE WHEN c.id IS NOT NULL AND \(unsafeRaw: Self.noContact) THEN 1 ELSE 0 END AS unwanted
            FROM mail_outbox m LEFT JOIN customers c ON c.id = m.customer_id
            WHERE m.status = 'pending' AND m.next_attempt_at <= \(bind: at)
            AND (m.claimed_until IS NULL OR m.claimed_until < \(bind: at))
            \(unsafeRaw: config.smtp == nil ? "AND m.channel <> 'email'" : "")
            ORDER BY m.id LIMIT \(literal: limit)
            """
        ).all(decoding: Due.self)
        let mail = config.smtp.map { SMTPClient(settings: $0) }
        let sms = SMSClient(gateway: config.sms, client: client, logger: logger)
        for candidate in due {
            if candidate.unwanted != 0 {
                if try await cancel(candidate.id, at: current()) { result.cancelled += 1 }
                continue
            }
            guard let message = try await claim(candidate.id, at: current()) else { continue }
            do {
                let transport = try await send(message, mail: mail, sms: sms, now: now)
                try await sql.raw(
                    """
                    UPDATE mail_outbox SET status = 'sent', sent_at = \(bind: current()), attempts = attempts + 1,
                    claimed_until = NULL, transport = \(bind: transport), last_error = NULL WHERE id = \(bind: message.id)
                    """
                ).run()
                result.sent += 1
            } catch {
                let failed = try await retry(message, after: error, from: at)
                if failed { result.failed += 1 } else { result.retrying += 1 }
            }
        }
        if let client {
            try await WebhookDelivering(db: db, client: client, instance: instance)
                .deliver(now: now, limit: limit, into: &result)
        }
        return result
    }

    /// Claims a pending message for this instance for ten minutes from `claimedAt`, unless another instance holds
    /// it or its customer may no longer be contacted.
    private func claim(_ id: Int, at claimedAt: Double) async throws -> Claimed? {
        try await db.sql.raw(
            """
            UPDATE mail_outbox SET claimed_by = \(bind: instance), claimed_until = \(bind: claimedAt + 600)
            WHERE id = \(bind: id) AND status = 'pending'
            AND (claimed_until IS NULL OR claimed_until < \(bind: claimedAt))
            AND NOT EXISTS (
              SELECT 1 FROM customers c WHERE c.id = mail_outbox.customer_id AND \(unsafeRaw: Self.noContact))
            RETURNING id, to_address, subject, body, attempts, channel
            """
        ).first(decoding: Claimed.self)
    }

    /// Cancels a pending, unclaimed message whose customer may no longer be contacted; whether it did.
    private func cancel(_ id: Int, at instant: Double) async throws -> Bool {
        try await !db.sql.raw(
            """
            UPDATE mail_outbox SET status = 'cancelled', last_error = \(bind: Self.noContactNote)
            WHERE id = \(bind: id) AND status = 'pending'
            AND (claimed_until IS NULL OR claimed_until < \(bind: instant))
            AND EXISTS (SELECT 1 FROM customers c WHERE c.id = mail_outbox.customer_id AND \(unsafeRaw: Self.noContact))
            RETURNING id
            """
        ).all().isEmpty
    }

    /// When a message that failed `attempts` times is tried again: 1, 4, 16, 64 and 256 minutes after `at`.
    static func retryAt(attempts: Int, from at: Double) -> Double { at + 60 * pow(4, Double(attempts - 1)) }

    /// Records a failed send: retried after 1, 4, 16, 64 and 256 minutes from `at`, then failed. Whether it failed.
    private func retry(_ message: Claimed, after error: any Error, from at: Double) async throws -> Bool {
        let attempts = message.attempts + 1
        let failed = attempts >= Self.maxAttempts
        let next = Self.retryAt(attempts: attempts, from: at)
        try await db.sql.raw(
            """
            UPDATE mail_outbox SET status = \(bind: failed ? "failed" : "pending"), attempts = \(bind: attempts),
            last_error = \(bind: String(String(describing: error).prefix(500))), next_attempt_at = \(bind: next),
            claimed_until = NULL
            WHERE id = \(bind: message.id) AND status = 'pending'
            """
        ).run()  // not one cancelled meanwhile (an opt-out, an erasure)
        return failed
    }
}
