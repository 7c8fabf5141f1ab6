import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Jobs after a crash and under contention, with the real `huifang` binary as a second process: killed
/// mid-way, its run is found dead once its lease lapses, and the day is planned again with no duplicate.
@Suite(.serialized) struct JobRecoveryTests {
    static let day = LocalDate(year: 2026, month: 3, day: 2)!
    /// The killed run's lease: short enough to wait out. Runs meant to finish take ten minutes, which a
    /// starved machine cannot make them miss (the heartbeat itself is `JobLeaseTests`' subject).
    static let leaseSeconds = 10.0
    let cli = CommandLineTests()

    /// A database the binary opens too: a SQLite file, or a fresh PostgreSQL database in the PostgreSQL pass.
    func withSharedDatabase(_ test: (Application, String) async throws -> Void) async throws {
        let file = cli.directory.appendingPathComponent("jobs.sqlite").path
        try await withHuifang(["HUIFANG_DATABASE_URL": "sqlite:" + file]) { app in
            switch app.huifang.database {
            case .postgres(let url): try await test(app, url)
            case .sqliteFile(let path): try await test(app, "sqlite:" + path)
            case .sqliteMemory: Issue.record("the binary cannot share an in-memory database")
            }
        }
        try? FileManager.default.removeItem(at: cli.directory)
    }

    var environment: [String: String] { ["HUIFANG_JOB_LEASE_SECONDS": String(Int(Self.leaseSeconds))] }
    var patient: [String: String] { ["HUIFANG_JOB_LEASE_SECONDS": "600"] }

    // Long: one crash story: a run killed mid-way, refused until its lease lapses, the day planned again.
    @Test func aPlannerRunKilledMidwayIsMarkedDeadAndTheDayIsPlannedAgainWithoutDuplicates() async throws {
        try await withSharedDatabase { app, url in
            // setup: an organisation whose first day writes its tasks in several batches
            try await Operations.makeSyntheticOrganisation(
                on: app, customers: 30_000, events: 30_000, agents: 10,
                asOf: Self.day)
            let plan = ["plan", "run", "--as-of", Self.day.iso, "--database-url", url]
            let child = try Child(CommandLineTests.binary, plan, environment: environment, directory: cli.directory)
            // Mid-way: its run is recorded and holds the lease, and a first batch of tasks is written.
            var found: PlannerRun?
            while child.isRunning, found == nil {
                if let run = try await PlannerRun.query(on: app.db).filter(\.$status == .running).first(),
                    try await FollowUpTask.query(on: app.db).count() > 0
                {
                    found = run
                } else {
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            // MUT
            child.kill()
            let killed = await child.exitStatus()
            let dead = try #require(found, "the run ended before it was killed (exit \(killed)): \(child.output)")
            let partial = try await FollowUpTask.query(on: app.db).count()
            let lease = try #require(try await JobLease.current(of: "planner", on: app.db))
            #expect(lease.holder == dead.runID, "the dead run still holds the lease until it lapses")
            #expect(try await PlannerRun.find(dead.id, on: app.db)?.status == .running)

            // Until it lapses, the job is refused — checked at a moment before the expiry.
            var planning = DailyPlanning(db: app.db, config: app.huifang, logger: app.logger)
            planning.clock = { lease.lease.expiresAt.addingTimeInterval(-0.5) }
            await #expect(throws: JobConflict.self) { _ = try await planning.runNow(day: Self.day, now: Date()) }

            // Once it lapses, a new run of the binary takes the day over.
            try await Task.sleep(for: .seconds(max(0, lease.lease.expiresAt.timeIntervalSinceNow) + 0.2))
            let again = try await cli.run(plan, environment: patient)
            #expect(again.status == 0, "\(again.stderr)")

            // validation: the dead run is marked, the new one finished, every task once
            let marked = try #require(try await PlannerRun.find(dead.id, on: app.db))
            #expect(marked.status == .abandoned && marked.finishedAt != nil)
            #expect(marked.reason?.hasPrefix("lease lapsed") == true)
            let finished = try await PlannerRun.query(on: app.db).filter(\.$status == .finished).all()
            #expect(finished.count == 1 && finished[0].runID != dead.runID)
            let json = try #require(finished.first?.summary)
            let summary = try JSONDecoder().decode(PlanSummary.self, from: Data(json.utf8))
            #expect(again.stdout.contains("新建任务: \(summary.tasksCreated)"))
            #expect(partial > 0 && summary.tasksCreated > 0)
            let tasks = try await FollowUpTask.query(on: app.db).count()
            #expect(tasks == partial + summary.tasksCreated)
            struct Count: Decodable { let count: Int }
            let customers = try await app.db.sql
                .raw("SELECT COUNT(DISTINCT customer_id) AS count FROM follow_up_tasks")
                .first(decoding: Count.self)?.count
            #expect(customers == tasks, "one task per customer: none planned twice")
            planning.clock = { Date() }
            let once = try await planning.runNow(day: Self.day, now: Date())
            #expect(once.tasksCreated == 0, "none missing: planning again adds nothing")
            #expect(try await JobLease.current(of: "planner", on: app.db) == nil)
        }
    }

    @Test func aJobAnotherRunHoldsIsRefusedEverywhereInTheCallersLanguage() async throws {
        try await withSharedDatabase { app, url in
            // setup: another run holds both jobs
            let (supervisor, password) = try await makeUser(app, .supervisor)
            let token = try await makeToken(app, supervisor)
            for job in ["planner", "escalation"] {
                let lease = JobLease(db: app.db, job: job, run: "elsewhere")
                #expect(try await lease.acquire(.standard, now: Date()) != nil)
            }
            var pages = try await PageClient.signedIn(app, supervisor.username, password)

            // MUT, validation: the API answers 409 in the caller's language
            let plan = try await send(app, .POST, "/api/v1/planner/run", token: token)
            #expect(plan.status == .conflict)
            #expect(try plan.content.decode(APIErrorBody.self).error.message.hasPrefix("回访计划正在运行（"))
            var headers = bearer(token)
            headers.replaceOrAdd(name: .acceptLanguage, value: "en")
            let sweep = try await app.testing().performTest(
                request: .init(
                    method: .POST, url: .init(path: "/api/v1/escalation/run"), headers: headers, body: ByteBuffer()))
            #expect(sweep.status == .conflict)
            let english = try sweep.content.decode(APIErrorBody.self).error.message
            #expect(english.hasPrefix("The escalation sweep is already running (since "))

            // the pages say it where the button is
            _ = try await pages.get("/tasks")
            #expect(try await pages.post("/tasks/run", form: [:]).status == .seeOther)
            #expect(try await pages.get("/tasks").body.string.contains("回访计划正在运行"))
            _ = try await pages.get("/tickets")
            #expect(try await pages.post("/tickets/escalate", form: [:]).status == .seeOther)
            #expect(try await pages.get("/tickets").body.string.contains("超时升级检查正在运行"))

            // the command line exits non-zero with the same words
            let cliPlan = try await cli.run(["plan", "run", "--database-url", url], environment: environment)
            #expect(cliPlan.status == 1 && cliPlan.stderr.contains("回访计划正在运行"), "\(cliPlan.stderr)")
            let cliSweep = try await cli.run(["escalate", "--database-url", url], environment: environment)
            #expect(cliSweep.status == 1 && cliSweep.stderr.contains("超时升级检查正在运行"), "\(cliSweep.stderr)")

            // once the other run ends, the job runs
            for job in ["planner", "escalation"] {
                try await JobLease(db: app.db, job: job, run: "elsewhere").release()
            }
            #expect(try await send(app, .POST, "/api/v1/planner/run", token: token).status == .ok)
            #expect(try await send(app, .POST, "/api/v1/escalation/run", token: token).status == .ok)
        }
    }
}

/// The `huifang` binary running as a child process, its output in a file.
final class Child: Sendable {
    private let process: Spawned
    private let log: URL

    init(_ binary: URL, _ arguments: [String], environment: [String: String], directory: URL) throws {
        log = directory.appendingPathComponent("child-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let null = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/null"))
        defer { try? null.close() }
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HUIFANG_") }
            .merging(environment) { $1 }
        process = try Spawned(
            binary, arguments, environment: environment, directory: directory,
            stdin: null.fileDescriptor, stdout: handle.fileDescriptor, stderr: handle.fileDescriptor)
    }

    var isRunning: Bool { process.isRunning }

    /// Kills it at once, as a power cut or `kill -9` would: no clean-up runs.
    func kill() { process.kill() }

    func exitStatus() async -> Int32 { await process.exitStatus() }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
