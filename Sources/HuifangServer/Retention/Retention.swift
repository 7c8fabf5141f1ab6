import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// One run of the retention job (`retention_runs`).
final class RetentionRun: Model, @unchecked Sendable {
    static let schema = "retention_runs"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "day") var day: String
    @Field(key: "trigger") var trigger: String
    @Field(key: "instance") var instance: String
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @OptionalField(key: "report") var report: String?

    init() {}
}

/// What one retention run purged.
struct RetentionReport: Content, Equatable {
    /// The numbers of the customers whose personal information was erased for inactivity (no personal data).
    var erasedCustomers: [Int] = []
    var messageBodies = 0
    var notifications = 0
    var auditEntries = 0
    var sessions = 0
    var signInAttempts = 0
    /// Whether the database was compacted after erasures since the last run (`RetentionService.compact`).
    var compacted = false
}

/// The admin's retention rules and the purge they drive (README "Retention").
struct RetentionService {
    let context: ServiceContext
    /// Customers erased for inactivity in one batch, and at most in one run (the next day goes on).
    static let batch = 200
    static let perRun = 10_000

    var db: any Database { context.db }

    private struct Row: Codable {
        let inactive_customer_years: Int?
        let message_body_days: Int
        let notification_days: Int
        let audit_detail_years: Int
    }

    /// The rules in force: the stored ones, or the defaults.
    func rules() async throws -> RetentionRules {
        let row = try await db.sql.raw(
            """
            SELECT inactive_customer_years, message_body_days, notification_days, audit_detail_years
            FROM retention_settings WHERE id = 1
            """
        ).first(decoding: Row.self)
        guard let row else { return .defaults }
        return RetentionRules(
            inactiveCustomerYears: row.inactive_customer_years, messageBodyDays: row.message_body_days,
            notificationDays: row.notification_days, auditDetailYears: row.audit_detail_years)
    }

    /// Stores `rules` (checked first: `NamedFieldErrors` naming each value out of range); audited.
    func save(_ rules: RetentionRules) async throws {
        let problems = rules.problems()
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        try await db.bulkTransaction { db in
            try await db.sql.raw("DELETE FROM retention_settings WHERE id = 1").run()
            try await db.sql.raw(
                """
                INSERT INTO retention_settings (id, inactive_customer_years, message_body_days, notification_days,
                audit_detail_years, updated_at, updated_by) VALUES (1, \(bind: rules.inactiveCustomerYears),
                \(bind: rules.messageBodyDays), \(bind: rules.notificationDays), \(bind: rules.auditDetailYears),
                \(bind: context.now), \(bind: context.actor.name))
                """
            ).run()
            let detail = [
                "inactiveCustomerYears=\(rules.inactiveCustomerYears.map(String.init) ?? "off")",
                "messageBodyDays=\(rules.messageBodyDays)", "notificationDays=\(rules.notificationDays)",
                "auditDetailYears=\(rules.auditDetailYears)",
            ]
            try await AuditLog.record(
                "retention.update", by: context.actor, detail: detail.joined(separator: " "), at: context.now, on: db)
        }
    }

    /// Purges everything past its limit now; `since` is when the last finished run started.
    func purge(since: Date? = nil) async throws -> RetentionReport {
        let rules = try await rules()
        let cutoffs = rules.cutoffs(now: context.now, timeZone: context.config.timeZone)
        var report = RetentionReport()
        let sql = db.sql
        report.messageBodies = try await sql.raw(
            """
            UPDATE mail_outbox SET subject = '', body = '' WHERE status <> 'pending'
            AND created_at < \(bind: cutoffs.messageBodies.timeIntervalSince1970) AND (body <> '' OR subject <> '') RETURNING 1 AS n
            """
        ).all().count
        report.messageBodies += try await sql.raw(  // a webhook's body is a message too
            """
            UPDATE webhook_deliveries SET body = '', response_body = NULL WHERE status <> 'pending'
            AND created_at < \(bind: cutoffs.messageBodies.timeIntervalSince1970) AND body <> '' RETURNING 1 AS n
            """
        ).all().count
        report.notifications = try await sql.raw(
            "DELETE FROM notifications WHERE at < \(bind: cutoffs.notifications.timeIntervalSince1970) RETURNING 1 AS n"
        ).all().count
        report.auditEntries = try await sql.raw(
            """
            UPDATE audit_log SET detail = NULL, address = NULL WHERE at < \(bind: cutoffs.auditDetails)
            AND (detail IS NOT NULL OR address IS NOT NULL) RETURNING 1 AS n
            """
        ).all().count
        (report.sessions, report.signInAttempts) = try await Housekeeping(db: db, config: context.config)
            .run(now: context.now)
        if let inactive = cutoffs.inactiveCustomers, let years = rules.inactiveCustomerYears {
            report.erasedCustomers = try await eraseInactive(before: inactive, years: years)
        }
        report.compacted = try await compact(since: since)
        return report
    }

    /// Tables where an erasure leaves old row versions or index keys behind.
    static let erasedTables = [
        "customers", "customer_changes", "customer_consents", "customer_tags", "events", "calls", "tickets",
        "ticket_entries", "follow_up_records", "survey_answers", "mail_outbox", "notifications", "audit_log",
        "webhook_deliveries", "phone_calls",
    ]

    /// After erasures since `since` (any, when nil), makes the database file forget them: an index's inner pages
    /// can keep a copy of an erased key (a number, a member ID) and PostgreSQL keeps old row versions until a
    /// vacuum. SQLite rebuilds the indexes of the customers and events tables and empties its log; PostgreSQL
    /// vacuums the tables an erasure writes. Once a day at most, and only when something was erased.
    private func compact(since: Date?) async throws -> Bool {
        let erased = try await db.sql.raw(
            since.map { "SELECT COUNT(*) AS n FROM customer_erasures WHERE erased_at >= \(bind: $0)" }
                ?? "SELECT COUNT(*) AS n FROM customer_erasures"
        ).first()?.decode(column: "n", as: Int.self)
        guard (erased ?? 0) > 0 else { return false }
        if db.sql.dialect.name == "sqlite" {
            for table in ["customers", "events", "calls"] { try await db.sql.raw("REINDEX \(ident: table)").run() }
            _ = try await db.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").all()
        } else {
            let tables = Self.erasedTables.map { "\"\($0)\"" }.joined(separator: ", ")
            try await db.sql.raw("VACUUM \(unsafeRaw: tables)").run()
        }
        return true
    }

    /// Erases customers with no activity since `cutoff`: no change to their record, no event, contact, call or
    /// ticket since, no open follow-up and no unfinished ticket.
    private func eraseInactive(before cutoff: Date, years: Int) async throws -> [Int] {
        let day = LocalDate.today(in: context.config.timeZone, now: cutoff).iso
        let request = try ErasureRequest(
            requestedBy: Catalogue.text("retention.requestedBy", context.language),
            reason: Catalogue.text("retention.reason", context.language, [String(years)]))
        var erased: [Int] = []
        while erased.count < Self.perRun {
            let ids = try await db.sql.raw(
                """
                SELECT c.id AS id FROM customers c WHERE c.erased_at IS NULL
                AND (c.updated_at IS NULL OR c.updated_at < \(bind: cutoff))
                AND (c.created_at IS NULL OR c.created_at < \(bind: cutoff))
                AND (c.last_event_on IS NULL OR c.last_event_on < \(bind: day))
                AND NOT EXISTS (SELECT 1 FROM follow_up_records r WHERE r.customer_id = c.id AND r.ended_at >= \(bind: cutoff))
                AND NOT EXISTS (SELECT 1 FROM calls k WHERE k.customer_id = c.id AND k.at >= \(bind: cutoff))
                AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.id
                  AND (t.status NOT IN ('closed', 'adopted', 'declined') OR t.updated_at >= \(bind: cutoff)))
                AND NOT EXISTS (SELECT 1 FROM follow_up_tasks f WHERE f.customer_id = c.id AND f.status = 'open')
                ORDER BY c.id LIMIT \(unsafeRaw: String(Self.batch))
                """
            ).all().map { try $0.decode(column: "id", as: Int.self) }
            if ids.isEmpty { break }
            var failed = 0
            for id in ids {
                guard let customer = try await Customer.find(id, on: db), customer.erasedAt == nil else { continue }
                do {
                    _ = try await CustomerErasure(context: context).erase(customer, request: request, automatic: true)
                    erased.append(id)
                } catch {
                    // One that fails (erased by hand meanwhile, a busy moment) waits for tomorrow; the rest go on.
                    context.logger.warning("retention could not erase customer \(id): \(error)")
                    failed += 1
                }
            }
            if failed == ids.count { break }
        }
        return erased
    }
}
