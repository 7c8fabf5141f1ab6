import Foundation
import NIOConcurrencyHelpers
import Testing
import VaporTesting

@testable import HuifangServer

/// The one loop the planner, the escalation sweep, delivery and housekeeping run in.
@Suite struct PeriodicJobTests {
    struct Broken: Error {}

    @Test func aJobRunsOnAfterAFailureAtTheClocksInstantAndNotAfterShutdown() async throws {
        try await withHuifang { app in
            app.clock = .fixed(shanghai("2026-03-02 09:00"))
            let runs = NIOLockedValueBox<[Date]>([])
            let job = PeriodicJob("test job", every: .milliseconds(5)) { context in
                let count = runs.withLockedValue {
                    $0.append(context.now)
                    return $0.count
                }
                if count == 1 { throw Broken() }  // logged; the next run comes anyway
                if count == 2 { throw JobConflict(job: "test job", kind: .busy) }  // another instance has it
            }
            try await job.didBootAsync(app)
            for _ in 0..<60_000 where runs.withLockedValue({ $0.count }) < 4 {  // up to five minutes when busy
                try await Task.sleep(for: .milliseconds(5))
            }
            await job.shutdownAsync(app)
            let stopped = runs.withLockedValue { $0.count }
            #expect(stopped >= 4, "runs went on after a failure and a busy lease")
            try await Task.sleep(for: .milliseconds(50))
            #expect(runs.withLockedValue { $0.count } == stopped, "no run after shutdown")
            #expect(
                Set(runs.withLockedValue { $0 }) == [shanghai("2026-03-02 09:00")], "each run at the clock's instant")
        }
    }

    @Test func theConfigurationTurnsTheJobsOn() throws {
        let off = try HuifangConfig.load(environment: [
            "HUIFANG_PLAN_AT": "off", "HUIFANG_ESCALATE_EVERY": "off", "HUIFANG_DELIVER_EVERY": "off",
        ])
        // Housekeeping and the retention purge always run: they are what keeps personal data no longer than needed.
        #expect(PeriodicJob.all(off).map(\.name) == ["housekeeping", "retention"])
        let on = try HuifangConfig.load(environment: [
            "HUIFANG_PLAN_AT": "06:00", "HUIFANG_ESCALATE_EVERY": "60", "HUIFANG_DELIVER_EVERY": "30",
        ])
        #expect(
            PeriodicJob.all(on).map(\.name) == [
                "daily planning", "escalation sweep", "outbox delivery", "housekeeping", "retention",
            ])
        #expect(
            PeriodicJob.all(on).map(\.every) == [
                .seconds(60), .seconds(60), .seconds(30), .seconds(600), .seconds(600),
            ])
    }
}
