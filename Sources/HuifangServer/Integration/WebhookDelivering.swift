import Fluent
import Foundation
import SQLKit
import Vapor

/// Sends the deliveries that are due, as part of the outbox's run: each is claimed first (a conditional update), so
/// several instances never send one twice; a claim lapses after ten minutes if its holder dies mid-send. A 2xx answer
/// is a delivery; anything else (another status, no answer within ten seconds) is retried after 1, 4, 16, 64 and 256
/// minutes and then marked failed. Every attempt's status and the first kilobyte of the answer stay in the log.
struct WebhookDelivering {
    let db: any Database
    let client: any Client
    var instance = DailyPlanning.instance
    static let maxAttempts = Outbox.maxAttempts

    private struct Claimed: Decodable {
        let id: Int
        let event_id: String
        let event_type: String
        let body: String
        let attempts: Int
        let url: String
        let secret: String
    }

    private struct Answer {
        let status: Int
        let body: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func deliver(now: Date, limit: Int = 200, into result: inout Outbox.Delivery) async throws {
        let at = now.timeIntervalSince1970
        let started = ContinuousClock.now
        func current() -> Double { at + (ContinuousClock.now - started) / .seconds(1) }
        struct Due: Decodable { let id: Int }
        let due = try await db.sql.raw(
            """
            SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: at)
            AND (claimed_until IS NULL OR claimed_until < \(bind: at)) ORDER BY id LIMIT \(literal: limit)
            """
        ).all(decoding: Due.self)
        for candidate in due {
            guard let delivery = try await claim(candidate.id, at: current()) else { continue }
            var answer: Answer?
            do {
                answer = try await send(delivery, at: current())
                guard let answer, (200..<300).contains(answer.status) else {
                    throw Failure(description: "the endpoint answered \(answer?.status ?? 0)")
                }
                try await db.sql.raw(
                    """
                    UPDATE webhook_deliveries SET status = 'sent', sent_at = \(bind: current()),
                    attempts = attempts + 1, claimed_until = NULL, last_error = NULL,
                    response_status = \(bind: answer.status), response_body = \(bind: answer.body)
                    WHERE id = \(bind: delivery.id)
                    """
                ).run()
                result.sent += 1
            } catch {
                if try await retry(delivery, answer: answer, after: error, from: at) {
                    result.failed += 1
                } else {
                    result.retrying += 1
                }
            }
        }
    }

    private func claim(_ id: Int, at claimedAt: Double) async throws -> Claimed? {
        try await db.sql.raw(
            """
            UPDATE webhook_deliveries SET claimed_by = \(bind: instance), claimed_until = \(bind: claimedAt + 600)
            WHERE id = \(bind: id) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < \(bind: claimedAt))
            RETURNING id, event_id, event_type, body, attempts,
              (SELECT url FROM webhook_endpoints e WHERE e.id = webhook_deliveries.endpoint_id) AS url,
              (SELECT secret FROM webhook_endpoints e WHERE e.id = webhook_deliveries.endpoint_id) AS secret
            """
        ).first(decoding: Claimed.self)
    }

    /// Posts the body, signed at the moment of sending.
    private func send(_ delivery: Claimed, at now: Double) async throws -> Answer {
        let seconds = Int(now)
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: "X-Huifang-Event", value: delivery.event_type)
        headers.add(name: "X-Huifang-Delivery", value: String(delivery.id))
        headers.add(name: "X-Huifang-Event-ID", value: delivery.event_id)
        headers.add(
            name: "X-Huifang-Signature",
            value: WebhookSignature.header(body: delivery.body, secret: delivery.secret, at: seconds))
        let response = try await client.post(URI(string: delivery.url), headers: headers) { request in
            request.body = ByteBuffer(string: delivery.body)
            request.timeout = .seconds(10)
        }
        let text = response.body.map { String(buffer: $0) } ?? ""
        return Answer(status: Int(response.status.code), body: String(text.prefix(1000)))
    }

    /// Records a failed attempt; whether the delivery has now failed for good.
    private func retry(_ delivery: Claimed, answer: Answer?, after error: any Error, from at: Double) async throws
        -> Bool
    {
        let attempts = delivery.attempts + 1
        let failed = attempts >= Self.maxAttempts
        let next = Outbox.retryAt(attempts: attempts, from: at)
        try await db.sql.raw(
            """
            UPDATE webhook_deliveries SET status = \(bind: failed ? "failed" : "pending"), attempts = \(bind: attempts),
            last_error = \(bind: String(String(describing: error).prefix(500))), next_attempt_at = \(bind: next),
            claimed_until = NULL, response_status = \(bind: answer?.status), response_body = \(bind: answer?.body)
            WHERE id = \(bind: delivery.id)
            """
        ).run()
        return failed
    }
}
