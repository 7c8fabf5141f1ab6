import Foundation
import HuifangCore
import Vapor

extension EscalationSweep {
    /// One sweep under the `escalation` lease, so that sweeps asked for at once (the scheduler, the button,
    /// the API, `huifang escalate`, other instances) make one run; the others get `JobConflict` (409).
    /// A sweep that loses its lease is reported so; its escalations stay exactly-once through their claims.
    func runLeased(terms: LeaseTerms, now: Date) async throws -> Summary {
        try await LeasedRun(db: db, job: "escalation", terms: terms, clock: clock).perform { _ in
            try await run(now: now)
        }
    }
}

extension Request {
    /// A job conflict in the user's language, for a page's flash message.
    func message(for conflict: JobConflict) -> String {
        conflict.message(in: language, application.huifang)
    }
}
