import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Personal information kept no longer than the admin's rules say (PIPL): purged by a daily job on one instance,
/// by hand on the page, the API and the command line.
@Suite struct RetentionTests {
    /// 2026-11-30 10:00 in Shanghai: after the purge's hour (03:00 when planning is off).
    static let now = Date(timeIntervalSince1970: 1_764_468_000)
    static let longAgo = Date(timeIntervalSince1970: 1_448_935_200)  // 2015-12-01
    static let lastMonth = now.addingTimeInterval(-30 * 86_400)

    struct Fixture {
        let idle: Int
        let active: Int
        let admin: String
    }

    /// An idle customer from 2015, an old one who called last month, old and recent messages, notifications and
    /// audit entries.
    func fixture(_ app: Application) async throws -> Fixture {
        let store = CustomerStore(db: app.db, now: Self.longAgo)
        let idle = try await store.create(
            CustomerRecord(name: "钱多多", mobile: try PhoneNumber(parsing: "13511112222"), tier: "普通"), by: .commandLine()
        )
        let active = try await store.create(
            CustomerRecord(name: "孙悟", mobile: try PhoneNumber(parsing: "13533334444"), tier: "普通"), by: .commandLine())
        let sql = app.db.sql
        try await sql.raw("UPDATE customers SET created_at = \(bind: Self.longAgo), updated_at = \(bind: Self.longAgo)")
            .run()
        try await sql.raw(
            """
            INSERT INTO calls (at, agent_name, customer_id, phone, matter, summary, handling, recording_consent)
            VALUES (\(bind: Self.lastMonth), '王芳', \(bind: active.id!), '+8613533334444', 'damage', '问进度', 'answered', \(bind: false))
            """
        ).run()
        for (at, status) in [(Self.longAgo, "sent"), (Self.lastMonth, "sent"), (Self.longAgo, "pending")] {
            try await sql.raw(
                """
                INSERT INTO mail_outbox (to_address, subject, body, status, attempts, created_at, next_attempt_at, channel)
                VALUES ('+8613533334444', '回访', '孙悟您好', \(bind: status), 0, \(bind: at.timeIntervalSince1970),
                \(bind: at.timeIntervalSince1970), 'sms')
                """
            ).run()
        }
        let (user, _) = try await makeUser(app, .admin)
        for at in [Self.longAgo, Self.lastMonth] {
            try await sql.raw(
                """
                INSERT INTO notifications (user_id, kind, text, at)
                VALUES (\(bind: user.id!), 'ticket', '工单', \(bind: at.timeIntervalSince1970))
                """
            ).run()
            try await AuditLog.record(
                "customer.list", by: Actor(id: nil, name: "王芳", address: "10.0.0.9", source: "ui"),
                subjectType: "customer", detail: "q=孙悟 count=1", at: at, on: app.db)
        }
        return Fixture(idle: idle.id!, active: active.id!, admin: try await makeToken(app, user))
    }

    // Long: the purge's every step against its limit, then the same purge again finding nothing.
    @Test func thePurgeErasesIdleCustomersAndDropsWhatIsPastItsLimit() async throws {
        try await withHuifang { app in
            // setup
            let fixture = try await fixture(app)
            let rules = RetentionRulesDTO(
                .init(inactiveCustomerYears: 5, messageBodyDays: 180, notificationDays: 90, auditDetailYears: 3))
            let saved = try await send(app, .PUT, "/api/v1/retention", token: fixture.admin, body: rules)
            #expect(saved.status == .ok, "\(saved.body.string)")
            // MUT
            let report = try await app.domain(as: .job, at: Self.now).retentionJob.runNow()
            let again = try await app.domain(as: .job, at: Self.now).retentionJob.runNow()
            // validation
            #expect(report.erasedCustomers == [fixture.idle], "the customer who called last month stays")
            #expect(report.messageBodies == 1 && report.notifications == 1 && report.auditEntries >= 1)
            #expect(again.erasedCustomers.isEmpty && again.messageBodies == 0 && again.notifications == 0)
            #expect(again.auditEntries == 0)
            #expect(report.compacted && !again.compacted, "indexes rebuilt (or tables vacuumed) after an erasure only")
            #expect(try await Customer.find(fixture.idle, on: app.db)?.erasedAt != nil)
            #expect(try await Customer.find(fixture.active, on: app.db)?.name == "孙悟")
            let register = try #require(try await ErasureRecord.query(on: app.db).first())
            #expect(register.automatic && register.requestedBy == "保留期限规则" && register.reason == "5 年无活动")
            let bodies = try await MailMessage.query(on: app.db).sort(\.$id).all().map(\.body)
            #expect(bodies == ["", "孙悟您好", "孙悟您好"], "only the old sent body goes; a pending one is still owed")
            let notes = try await app.db.sql.raw("SELECT at FROM notifications").all()
            #expect(notes.count == 1)
            let lists = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.list").sort(\.$at).all()
            #expect(lists.map(\.detail) == [nil, "q=孙悟 count=1"] && lists.map(\.address) == [nil, "10.0.0.9"])
            let runs = try await RetentionRun.query(on: app.db).all()
            #expect(runs.count == 2 && runs.allSatisfy { $0.finishedAt != nil && $0.report != nil })
        }
    }

    @Test func rulesAreAnAdminsAndRefusedOutOfRangeByName() async throws {
        try await withHuifang { app in
            // setup
            let fixture = try await fixture(app)
            let supervisor = try await makeToken(app, try await makeUser(app, .supervisor).user)
            // MUT, validation
            let defaults = try await send(app, .GET, "/api/v1/retention", token: fixture.admin)
            #expect(defaults.status == .ok)
            let read = try defaults.content.decode(RetentionRulesDTO.self)
            #expect(read.inactiveCustomerYears == nil && read.auditDetailYears == 3 && read.messageBodyDays == 180)
            #expect(try await send(app, .GET, "/api/v1/retention", token: supervisor).status == .forbidden)
            #expect(try await send(app, .POST, "/api/v1/retention/run", token: supervisor).status == .forbidden)
            let bad = try await send(
                app, .PUT, "/api/v1/retention", token: fixture.admin,
                body: RetentionRulesDTO(
                    .init(inactiveCustomerYears: 0, messageBodyDays: 180, notificationDays: 90, auditDetailYears: 3)))
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("\"inactiveCustomerYears\""))
            #expect(bad.body.string.contains("应在 1 到 50 之间"))
            #expect(try await RetentionService(context: app.domain(as: .job).context).rules() == .defaults)
            let run = try await send(app, .POST, "/api/v1/retention/run", token: fixture.admin)
            let report = try run.content.decode(RetentionReport.self)
            #expect(run.status == .ok && report.erasedCustomers.isEmpty)
        }
    }

    @Test func theDailyRunHappensOnceAcrossInstancesAndARunningPurgeRefusesAnother() async throws {
        try await withHuifang { app in
            // setup
            _ = try await fixture(app)
            let early = Date(timeIntervalSince1970: 1_764_435_600)  // 01:00 in Shanghai
            // MUT
            let beforeHour = try await app.domain(as: .job, at: early).retentionJob.tick()
            async let first = app.domain(as: .job, at: Self.now).retentionJob.tick()
            async let second = app.domain(as: .job, at: Self.now).retentionJob.tick()
            let outcomes = try await [first, second]
            let later = try await app.domain(as: .job, at: Self.now.addingTimeInterval(3600)).retentionJob.tick()
            // validation
            #expect(beforeHour == .notYet)
            #expect(outcomes.filter { if case .ran = $0 { true } else { false } }.count == 1, "\(outcomes)")
            #expect(later == .alreadyDone)
            let scheduled = try await RetentionRun.query(on: app.db).filter(\.$trigger == "schedule").count()
            #expect(scheduled == 1)
            let lease = LeasedRun(db: app.db, job: "retention", terms: app.huifang.jobLease, clock: app.clock.now)
            try await lease.perform { _ in
                await #expect(throws: JobConflict.self) {
                    _ = try await app.domain(as: .job, at: Self.now).retentionJob.runNow()
                }
                await #expect(throws: OperationError.self) { _ = try await Operations.purge(on: app, json: true) }
            }
        }
    }

    @Test func theSettingsPageSavesTheRulesAndNamesAWrongValue() async throws {
        try await withHuifang { app in
            // setup
            let (admin, password) = try await makeUser(app, .admin)
            var page = try await PageClient.signedIn(app, admin.username, password)
            // MUT
            let shown = try await page.get("/settings/retention")
            let wrong = try await page.post(
                "/settings/retention",
                form: [
                    "inactiveCustomerYears": "abc", "messageBodyDays": "180", "notificationDays": "90",
                    "auditDetailYears": "3",
                ])
            let saved = try await page.post(
                "/settings/retention",
                form: [
                    "inactiveCustomerYears": "8", "messageBodyDays": "365", "notificationDays": "90",
                    "auditDetailYears": "5",
                ])
            // validation
            #expect(shown.status == .ok && shown.body.string.contains("个人信息保留期限"))
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("应为整数"))
            #expect(saved.status == .seeOther || saved.status == .found)
            let rules = try await RetentionService(context: app.domain(as: .job).context).rules()
            #expect(
                rules
                    == .init(inactiveCustomerYears: 8, messageBodyDays: 365, notificationDays: 90, auditDetailYears: 5))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "retention.update").count() == 1)
        }
    }
}
