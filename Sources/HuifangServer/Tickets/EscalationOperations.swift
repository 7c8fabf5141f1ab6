import Fluent
import Foundation
import HuifangCore
import Vapor

extension Operations {
    /// One escalation sweep now, then the mail outbox; what `huifang escalate` prints.
    public static func escalate(on app: Application, json: Bool) async throws -> String {
        // The services of the command line: the sweep's lease keeps time by the application's clock.
        let domain = app.domain(as: .commandLine())
        let summary: EscalationSweep.Summary
        do {
            summary = try await domain.escalation.runLeased(terms: app.huifang.jobLease, now: domain.now)
        } catch let conflict as JobConflict {
            throw OperationError(conflict.message(in: app.huifang.defaultLanguage, app.huifang))
        }
        let delivery = try await domain.outbox.deliver(now: app.clock.now())
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
