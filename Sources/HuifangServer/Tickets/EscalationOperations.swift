import Fluent
import Foundation
import HuifangCore
import Vapor

extension Operations {
    /// One escalation sweep now, then the mail outbox; what `huifang escalate` prints.
    public static func escalate(on app: Application, json: Bool) async throws -> String {
        let summary: EscalationSweep.Summary
        do {
            summary = try await EscalationSweep(db: app.db, config: app.huifang).runLeased(
                terms: app.huifang.jobLease, now: app.clock.now())
        } catch let conflict as JobConflict {
            throw OperationError(conflict.message(in: app.huifang.defaultLanguage, app.huifang))
        }
        let delivery = try await Outbox(db: app.db, config: app.huifang, client: app.client, logger: app.logger)
            .deliver(now: app.clock.now())
        if json {
            struct Output: Encodable {
                let sweep: EscalationSweep.Summary
                let mail: Outbox.Delivery
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(Output(sweep: summary, mail: delivery)), as: UTF8.self)
        }
        let language = app.huifang.defaultLanguage
        return [
            Catalogue.text("escalation.ran", language, ["\(summary.escalations)", "\(summary.notifications)"]),
            "mail: \(delivery.sent) sent, \(delivery.retrying) to retry, \(delivery.failed) failed",
        ].joined(separator: "\n")
    }
}
