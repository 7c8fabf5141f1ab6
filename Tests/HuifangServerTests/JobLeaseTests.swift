import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Leases that name runs: one run of a job at a time, renewed while it works, found dead when it stops.
@Suite struct JobLeaseTests {
    static let day = LocalDate(year: 2026, month: 3, day: 2)!

    /// A planner request in `language`, as the API client sends it.
    func askToPlan(_ app: Application, token: String, language: String) async throws -> TestingHTTPResponse {
        var headers = bearer(token)
        headers.replaceOrAdd(name: .acceptLanguage, value: language)
        let (jsonHeaders, body) = try json(["asOf": Self.day.iso], headers: headers)
        return try await app.testing().performTest(
            request: .init(method: .POST, url: .init(path: "/api/v1/planner/run"), headers: jsonHeaders, body: body))
    }

    func errorMessage(_ response: TestingHTTPResponse) throws -> String {
        try response.content.decode(APIErrorBody.self).error.message
    }

    @Test func aLeaseNamesItsRunAndIsTakenOverOnlyAfterItLapses() async throws {
        try await withHuifang { app in
            // setup
            let now = Date()
            let terms = LeaseTerms(length: 60)
            let first = JobLease(db: app.db, job: "planner", run: "run-1")
            let second = JobLease(db: app.db, job: "planner", run: "run-2")
            // MUT, validation
            let held = try #require(try await first.acquire(terms, now: now))
            #expect(try await second.acquire(terms, now: now.addingTimeInterval(59)) == nil)
            func at(_ seconds: Double) -> Date { now.addingTimeInterval(seconds) }
            let renewed = try #require(try await first.renew(terms, held: held, now: at(30)), "its run renews it")
            #expect(try await second.acquire(terms, now: at(89)) == nil, "renewed until 90 s")
            #expect(try await first.renew(terms, held: renewed, now: at(91)) == nil, "lapsed: lost for good")
            #expect(try await second.acquire(terms, now: at(91)) != nil, "a lease whose run died lapses")
            #expect(try await first.renew(terms, held: renewed, now: at(92)) == nil)
            #expect(try await !first.isHeld(now: at(92)))
            #expect(try await second.isHeld(now: at(92)))
            try await first.release()
            #expect(try await first.acquire(terms, now: at(100)) == nil, "releasing another run's lease does nothing")
            try await second.release()
            #expect(try await first.acquire(terms, now: at(100)) != nil)
            let stored = try #require(try await JobLease.current(of: "planner", on: app.db))
            #expect(stored.holder == "run-1" && stored.instance == JobLease.process)
        }
    }

    @Test func runsTakingOneJobAtTheSameMomentLeaveExactlyOneHolder() async throws {
        try await withHuifang { app in
            // setup
            let now = Date()
            // MUT: sixteen runs at once, twice — once for a free job, once for a lapsed lease.
            for round in 0..<2 {
                let at = now.addingTimeInterval(Double(round) * 120)
                let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                    for index in 0..<16 {
                        group.addTask {
                            let lease = JobLease(db: app.db, job: "escalation", run: "round\(round)-run\(index)")
                            return try await lease.acquire(.standard, now: at) == nil ? nil : lease.run
                        }
                    }
                    return try await group.reduce(into: [String]()) { if let run = $1 { $0.append(run) } }
                }
                // validation
                #expect(winners.count == 1, "round \(round): \(winners)")
                #expect(try await JobLease.current(of: "escalation", on: app.db)?.holder == winners.first)
            }
        }
    }

    @Test func plannerRunsAskedForAtOnceMakeOneRunAndTheOthersAre409InTheirLanguage() async throws {
        try await withHuifang { app in
            // setup: an organisation big enough that a run lasts while the other requests arrive
            try await Operations.makeSyntheticOrganisation(
                on: app, customers: 4000, events: 4000, agents: 5,
                asOf: Self.day)
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            // MUT: eight requests at once in one process, half of them in English
            let responses = try await withThrowingTaskGroup(of: (String, TestingHTTPResponse).self) { group in
                for index in 0..<8 {
                    let language = index % 2 == 0 ? "zh-CN" : "en"
                    group.addTask { (language, try await askToPlan(app, token: token, language: language)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // validation
            let ran = responses.filter { $0.1.status == .ok }
            let refused = responses.filter { $0.1.status == .conflict }
            #expect(ran.count == 1 && refused.count == 7, "\(responses.map { ($0.1.status, $0.1.body.string) })")
            for (language, response) in refused {
                let message = try errorMessage(response)
                let expected = language == "en" ? "The planner is already running (since " : "回访计划正在运行（"
                #expect(message.hasPrefix(expected), "\(message)")
            }
            let summary = try #require(try ran.first?.1.content.decode(PlanSummary.self))
            #expect(summary.tasksCreated > 0)
            #expect(try await FollowUpTask.query(on: app.db).count() == summary.tasksCreated)
            let runs = try await PlannerRun.query(on: app.db).all()
            #expect(runs.count == 1 && runs[0].status == .finished, "a refused request records no run")
            #expect(try await JobLease.current(of: "planner", on: app.db) == nil, "the run gave its lease up")
        }
    }

    @Test func aLongRunKeepsItsLeaseThroughItsHeartbeat() async throws {
        try await withHuifang { app in
            // setup: a lease renewed every beat, on a clock that moves one beat each time the run reads it — so the
            // run is never late for a beat, however starved the machine (a loaded CI run once left a real-time
            // heartbeat unscheduled past its lease)
            let terms = LeaseTerms(length: 0.4)
            let time = ManualTime(Date())
            var job = LeasedRun(db: app.db, job: "escalation", terms: terms)
            job.clock = {
                defer { time.advance(by: terms.heartbeat) }
                return time.now
            }
            // MUT: the work lasts until its lease was renewed five times, i.e. past the lease's length
            let giveUp = ContinuousClock.now.advanced(by: .seconds(600))
            let expiries = try await job.perform { lease in
                var seen: [Double] = []
                while seen.count < 6, ContinuousClock.now < giveUp {
                    let stored = try await JobLease.current(of: "escalation", on: app.db)
                    if let stored, stored.holder == lease.run, stored.expires_at != seen.last {
                        seen.append(stored.expires_at)
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
                let other = JobLease(db: app.db, job: "escalation", run: "another")
                let takenMeanwhile = try await other.acquire(terms, now: time.now) != nil
                return (seen, takenMeanwhile)
            }
            // validation
            let (seen, takenMeanwhile) = expiries
            #expect(seen.count == 6 && seen == seen.sorted() && Set(seen).count == 6, "each beat moves the expiry on")
            #expect((seen.last ?? 0) - (seen.first ?? 0) > terms.length, "kept for longer than one lease lasts")
            #expect(!takenMeanwhile, "nobody takes a renewed lease")
            #expect(try await JobLease.current(of: "escalation", on: app.db) == nil, "released at the end")
        }
    }

    @Test func aRunWhoseLeaseIsTakenIsCancelledAndSaysSo() async throws {
        try await withHuifang { app in
            // setup
            let job = LeasedRun(db: app.db, job: "planner", terms: LeaseTerms(length: 2))
            // MUT: while the work runs, its lease passes to another run (as after a long stall past its expiry)
            var lost: JobConflict?
            do {
                _ = try await job.perform { _ -> Int in
                    let sql = app.db.sql
                    try await sql.raw("UPDATE job_leases SET holder = 'another' WHERE name = 'planner'").run()
                    // Works on until stopped; only the heartbeat can stop it.
                    while true { try await Task.sleep(for: .milliseconds(20)) }
                }
            } catch let error as JobConflict {
                lost = error
            }
            // validation
            #expect(lost?.kind == .lost)
            let holder = try await JobLease.current(of: "planner", on: app.db)?.holder
            #expect(holder == "another", "the new holder keeps it")
        }
    }

    @Test func aScheduledRunFoundDeadIsMarkedAndTheDayIsPlannedAtOnceWithoutDuplicates() async throws {
        try await withHuifang(["HUIFANG_PLAN_AT": "06:00"]) { app in
            // setup: the day's scheduled run died mid-way — its record running, its lease lapsed a moment ago
            try await Operations.makeSyntheticOrganisation(
                on: app, customers: 300, events: 300, agents: 2,
                asOf: Self.day)
            let died = Date().addingTimeInterval(-61)
            let lease = JobLease(db: app.db, job: "planner", run: "dead-run")
            #expect(try await lease.acquire(.standard, now: died) != nil)
            let record = try await PlannerRuns(db: app.db, logger: app.logger)
                .start(day: Self.day, trigger: "schedule", run: "dead-run", instance: "crashed", at: died)
            let nine = app.huifang.instant(of: Self.day).addingTimeInterval(9 * 3600)
            let planning = DailyPlanning(db: app.db, config: app.huifang, logger: app.logger)
            // MUT
            let outcome = try await planning.tick(now: nine)
            // validation
            guard case .ran(let summary) = outcome else {
                Issue.record("\(outcome)")
                return
            }
            let found = try #require(try await PlannerRun.find(record.id, on: app.db))
            #expect(found.status == .abandoned && found.finishedAt != nil && found.reason?.contains("lease") == true)
            let scheduled = try await PlannerRun.query(on: app.db).filter(\.$trigger == "schedule")
                .filter(\.$status == .finished).all()
            #expect(scheduled.count == 1 && scheduled[0].runID != "dead-run")
            #expect(try await planning.tick(now: nine.addingTimeInterval(60)) == .alreadyDone)
            #expect(try await FollowUpTask.query(on: app.db).count() == summary.tasksCreated)
            let again = try await planning.runNow(day: Self.day, now: Date())
            #expect(again.tasksCreated == 0, "planned once: running it again adds nothing")
        }
    }

    @Test func aRunThatFindsItselfAbandonedDoesNotCallItselfFinished() async throws {
        try await withHuifang { app in
            // setup: a run record whose run holds no lease (it lost it while it worked)
            let runs = PlannerRuns(db: app.db, logger: app.logger)
            let record = try await runs.start(
                day: Self.day, trigger: "manual", run: "stalled", instance: "here",
                at: Date())
            // MUT
            #expect(try await runs.reapDead(now: Date()) == 1)
            // validation
            await #expect(throws: JobConflict.self) {
                try await runs.finish(record, summary: PlanSummary(day: Self.day.iso), at: Date())
            }
            let found = try #require(try await PlannerRun.find(record.id, on: app.db))
            #expect(found.status == .abandoned && found.summary == nil)
            #expect(try await runs.reapDead(now: Date()) == 0, "marked once")
        }
    }
}
