import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// One erasure in the register (`customer_erasures`, append-only): who erased which customer number when, on
/// whose request and why. It holds no personal data.
final class ErasureRecord: Model, @unchecked Sendable {
    static let schema = "customer_erasures"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "customer_id") var customerID: Int
    @Field(key: "erased_at") var erasedAt: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "source") var source: String
    @Field(key: "requested_by") var requestedBy: String
    @Field(key: "reason") var reason: String
    @Field(key: "automatic") var automatic: Bool

    init() {}
}

/// What an erasure changed, table by table (rows cleared or struck out).
struct ErasureOutcome: Content {
    let customerID: Int
    let erasedAt: Date
    let cleared: [String: Int]
}

/// Erases a customer's personal information everywhere it is held, keeping every row the figures count.
///
/// The customer row stays with its tier, registration day, agent and dates (coverage and the grouped reports count
/// it) and loses name, number, email, gender, birthday, member ID and notes; tags, change history and consent
/// history go. Their events lose their attributes, their contact records their notes, corrections and recording
/// reference, free-text survey answers their text, their tickets the description and plan, their calls the number
/// and summary, their messages address, subject and body. Text elsewhere that names them — another ticket's
/// timeline, a digest to a head, a notification, an audit entry's detail or search term — is found by
/// `PersonalRedaction` and struck out (cleared, in the append-only timeline and audit log). Open tasks end as
/// refused and unused survey links expire, so nobody is contacted again. One transaction: all or nothing.
struct CustomerErasure {
    let context: ServiceContext

    var db: any Database { context.db }

    func erase(_ customer: Customer, request: ErasureRequest, automatic: Bool = false) async throws -> ErasureOutcome {
        let id = customer.id!
        let now = context.now
        let cleared = try await db.transaction { db in
            let step = ErasureSteps(sql: db.sql, customerID: id, now: now)
            let redaction = try await step.redaction()
            try Self.checkRegisterTexts(request, against: redaction)
            guard try await step.claimCustomer() else { throw AppError(.conflict, "customers.erase.already") }
            var cleared = try await step.clearOwnRows(phones: redaction.phones)
            for (table, count) in try await step.strikeMentions(redaction) { cleared[table, default: 0] += count }
            cleared["audit_log", default: 0] += try await step.clearOwnAuditDetails(redaction)
            try await record(id, request: request, automatic: automatic, on: db)
            try await Webhooks(db: db).emit(.customerErased, customerID: id, at: now)
            return cleared.filter { $0.value > 0 }
        }
        await checkpointSQLite()
        return ErasureOutcome(customerID: id, erasedAt: now, cleared: cleared)
    }

    /// The register keeps "on whose request" and "why" for ever: they must not name the member.
    static func checkRegisterTexts(_ request: ErasureRequest, against redaction: PersonalRedaction) throws {
        let errors = [("requestedBy", request.requestedBy), ("reason", request.reason)]
            .filter { redaction.names(in: $0.1) }
            .map { NamedFieldError(field: $0.0, key: "problem.namesCustomer") }
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
    }

    private func record(_ id: Int, request: ErasureRequest, automatic: Bool, on db: any Database) async throws {
        let row = ErasureRecord()
        row.customerID = id
        row.erasedAt = context.now
        row.actorID = context.actor.id
        row.actorName = context.actor.name
        row.source = context.actor.source
        row.requestedBy = request.requestedBy
        row.reason = request.reason
        row.automatic = automatic
        try await row.create(on: db)
        try await AuditLog.record(
            "customer.erase", by: context.actor, subjectType: "customer", subjectID: String(id), at: context.now,
            on: db)
    }

    /// SQLite keeps the pages an erasure replaced in its write-ahead log until a checkpoint; this one copies them
    /// into the file and empties the log (`secure_delete` has zeroed what was freed). A reader still at work can
    /// keep older frames for a moment; the next automatic checkpoint then finishes the job.
    private func checkpointSQLite() async {
        guard db.sql.dialect.name == "sqlite" else { return }
        do {
            _ = try await db.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").all()
        } catch {
            context.logger.warning("checkpoint after an erasure failed: \(error)")
        }
    }
}

extension Operations {
    /// `huifang customer erase ID`: erases the customer's personal information as the command line, once the
    /// member ID (or, without one, the customer number) given as `confirm` names them.
    public static func eraseCustomer(
        on app: Application, id: Int, requestedBy: String, reason: String, confirm: String
    ) async throws -> String {
        let language = app.huifang.defaultLanguage
        guard let customer = try await Customer.find(id, on: app.db), customer.erasedAt == nil else {
            throw OperationError(Catalogue.text("export.unknownCustomer", language, [String(id)]))
        }
        guard ErasureRequest.confirms(confirm, customerID: id, memberID: customer.externalID) else {
            let key = customer.externalID == nil ? "customers.eraseConfirmNumber" : "customers.eraseConfirmMember"
            throw OperationError(Catalogue.text(key, language, [customer.externalID ?? String(id)]))
        }
        let request: ErasureRequest
        do {
            request = try ErasureRequest(requestedBy: requestedBy, reason: reason)
        } catch {
            let problems = error.errors.map {
                Catalogue.text("field." + $0.field, language) + " " + $0.message(in: language)
            }
            throw OperationError(problems.joined(separator: "; "))
        }
        let outcome = try await app.domain(as: .commandLine(), language: language).customerErasure.erase(
            customer, request: request)
        return Catalogue.text("customers.erased", language, [String(outcome.customerID)])
    }
}

/// The statements of one erasure, inside its transaction.
private struct ErasureSteps {
    let sql: any SQLDatabase
    let customerID: Int
    let now: Date

    static let erasedName = ""

    /// Everything that identifies the customer in text: the current and every former name, number, email and
    /// member ID (from the change history), and the numbers they called from — except numbers another customer
    /// holds now (a family's shared line, a recycled number). On PostgreSQL the row is locked first, so nothing
    /// changes it between this read and the erasure (SQLite's writer holds the write lock already).
    func redaction() async throws -> PersonalRedaction {
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let row = try await sql.raw(
            "SELECT name, mobile, email, external_id FROM customers WHERE id = \(bind: customerID)\(unsafeRaw: lock)"
        ).first()
        guard let row else { throw AppError.notFound }
        var names = [try row.decode(column: "name", as: String.self)]
        var phones = [try row.decode(column: "mobile", as: String?.self)].compactMap { $0 }
        var emails = [try row.decode(column: "email", as: String?.self)].compactMap { $0 }
        names += [try row.decode(column: "external_id", as: String?.self)].compactMap { $0 }
        let fields = [CustomerField.name, .mobile, .email, .externalID].map(\.rawValue)
        for change in try await sql.raw(
            """
            SELECT field, old_value, new_value FROM customer_changes WHERE customer_id = \(bind: customerID)
            AND field IN (\(binds: fields + [CustomerChange.createdField]))
            """
        ).all() {
            let field = try change.decode(column: "field", as: String.self)
            let values = try ["old_value", "new_value"].compactMap { try change.decode(column: $0, as: String?.self) }
            // The "created" entry holds the name the customer was created with.
            switch field {
            case CustomerField.mobile.rawValue: phones += values
            case CustomerField.email.rawValue: emails += values
            default: names += values
            }
        }
        for call in try await sql.raw("SELECT phone FROM calls WHERE customer_id = \(bind: customerID)").all() {
            phones.append(try call.decode(column: "phone", as: String.self))
        }
        var redaction = PersonalRedaction()
        for phone in try await notHeldByOthers(phones) { redaction.addPhone(phone) }
        for email in emails { redaction.addEmail(email) }
        for name in names { redaction.addName(name) }
        return redaction
    }

    /// `phones` without the numbers another customer (not erased) has now.
    private func notHeldByOthers(_ phones: [String]) async throws -> [String] {
        let numbers = phones.map { (raw: $0, e164: (try? PhoneNumber(parsing: $0).e164) ?? $0) }
        guard !numbers.isEmpty else { return [] }
        let held = Set(
            try await sql.raw(
                """
                SELECT mobile FROM customers WHERE mobile IN (\(binds: numbers.map(\.e164)))
                AND id <> \(bind: customerID) AND erased_at IS NULL
                """
            ).all().map { try $0.decode(column: "mobile", as: String.self) })
        return numbers.filter { !held.contains($0.e164) }.map(\.raw)
    }

    /// Clears the customer row's personal fields; false when another erasure got there first.
    func claimCustomer() async throws -> Bool {
        let rows = try await sql.raw(
            """
            UPDATE customers SET name = \(bind: Self.erasedName), mobile = NULL, email = NULL, gender = NULL,
            birthday = NULL, external_id = NULL, notes = NULL, consent = \(bind: false), do_not_disturb = \(bind: true),
            erased_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: customerID) AND erased_at IS NULL RETURNING id
            """
        ).all()
        return rows.count == 1
    }

    /// The rows that belong to the customer: emptied of personal text (or deleted where nothing counts them).
    func clearOwnRows(phones: [String]) async throws -> [String: Int] {
        let id = customerID
        var cleared: [String: Int] = [:]
        func run(_ table: String, _ statement: SQLQueryString) async throws {
            cleared[table, default: 0] += try await sql.raw(statement + " RETURNING 1 AS n").all().count
        }
        // Tasks first: a contact being saved for an open task holds it, so it commits before the records are
        // cleared below (and one that comes later finds the task refused).
        try await run(
            "follow_up_tasks",
            "UPDATE follow_up_tasks SET status = 'refused', callback_at = NULL WHERE customer_id = \(bind: id) AND status = 'open'"
        )
        try await run("customer_tags", "DELETE FROM customer_tags WHERE customer_id = \(bind: id)")
        try await run("customer_changes", "DELETE FROM customer_changes WHERE customer_id = \(bind: id)")
        try await run("customer_consents", "DELETE FROM customer_consents WHERE customer_id = \(bind: id)")
        try await run(
            "events", "UPDATE events SET attributes = '{}', external_id = NULL WHERE customer_id = \(bind: id)")
        try await run(
            "follow_up_records",
            "UPDATE follow_up_records SET notes = '', corrections = '', recording_ref = '' WHERE customer_id = \(bind: id)"
        )
        try await run(
            "survey_answers", "UPDATE survey_answers SET value = '' WHERE customer_id = \(bind: id) AND type = 'text'")
        try await run(
            "survey_links",
            """
            UPDATE survey_links SET expires_at = \(bind: now.timeIntervalSince1970) WHERE customer_id = \(bind: id)
            AND used_at IS NULL AND expires_at > \(bind: now.timeIntervalSince1970)
            """)
        try await clearTicketsAndCalls(phones: phones, into: &cleared)
        try await run(
            "mail_outbox",
            """
            UPDATE mail_outbox SET to_address = '', subject = '', body = '',
            last_error = CASE WHEN status = 'pending' THEN 'erased' ELSE NULL END,
            status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END WHERE customer_id = \(bind: id)
            """)
        return cleared
    }

    private func clearTicketsAndCalls(phones: [String], into cleared: inout [String: Int]) async throws {
        let id = customerID
        cleared["tickets"] = try await sql.raw(
            """
            UPDATE tickets SET description = '', measures = '', compensation = '' WHERE customer_id = \(bind: id)
            RETURNING 1 AS n
            """
        ).all().count
        cleared["ticket_entries"] = try await sql.raw(
            """
            UPDATE ticket_entries SET note = '' WHERE note <> ''
            AND ticket_id IN (SELECT id FROM tickets WHERE customer_id = \(bind: id)) RETURNING 1 AS n
            """
        ).all().count
        // Calls from the customer's numbers that were never linked to anyone are theirs too.
        let numbers = phones.compactMap { try? PhoneNumber(parsing: $0).e164 }
        let linked: SQLQueryString =
            numbers.isEmpty
            ? "customer_id = \(bind: id)"
            : "customer_id = \(bind: id) OR (customer_id IS NULL AND phone IN (\(binds: numbers)))"
        cleared["calls"] = try await sql.raw(
            "UPDATE calls SET phone = '', summary = '' WHERE \(linked) RETURNING 1 AS n"
        ).all().count
        // The phone system's record of their calls keeps its times, not their number or recording.
        let theirs: SQLQueryString =
            numbers.isEmpty
            ? "customer_id = \(bind: id)"
            : "customer_id = \(bind: id) OR caller IN (\(binds: numbers)) OR called IN (\(binds: numbers))"
        cleared["phone_calls"] = try await sql.raw(
            """
            UPDATE phone_calls SET caller = CASE WHEN direction = 'inbound' THEN '' ELSE caller END,
            called = CASE WHEN direction = 'outbound' THEN '' ELSE called END, recording_ref = NULL
            WHERE \(theirs) RETURNING 1 AS n
            """
        ).all().count
    }

    /// The audit entries about the customer lose a detail that names them in any way (a member ID, a name).
    func clearOwnAuditDetails(_ redaction: PersonalRedaction) async throws -> Int {
        var count = 0
        for row in try await sql.raw(
            """
            SELECT id, detail FROM audit_log WHERE subject_type = 'customer' AND subject_id = \(bind: String(customerID))
            AND detail IS NOT NULL
            """
        ).all() {
            guard redaction.names(in: try row.decode(column: "detail", as: String.self)) else { continue }
            try await sql.raw(
                "UPDATE audit_log SET detail = NULL WHERE id = \(bind: try row.decode(column: "id", as: Int.self))"
            )
            .run()
            count += 1
        }
        return count
    }

    /// Free text that names the customer outside their own rows, struck out; cleared where the table is
    /// append-only.
    func strikeMentions(_ redaction: PersonalRedaction) async throws -> [String: Int] {
        guard !redaction.isEmpty else { return [:] }
        let places: [(table: String, column: String, clear: Bool)] = [
            ("tickets", "description", false), ("tickets", "measures", false), ("tickets", "compensation", false),
            ("ticket_entries", "note", true), ("calls", "summary", false), ("follow_up_records", "notes", false),
            ("follow_up_records", "corrections", false), ("follow_up_tasks", "script", false),
            ("notifications", "text", false), ("mail_outbox", "subject", false), ("mail_outbox", "body", false),
            ("mail_outbox", "to_address", false), ("mail_outbox", "last_error", false), ("audit_log", "detail", true),
            ("spot_checks", "comment", false), ("webhook_deliveries", "body", false),
            ("webhook_deliveries", "response_body", false),
            ("spot_checks", "agent_reply", false), ("customers", "notes", false),
        ]
        var struck: [String: Int] = [:]
        for place in places {
            struck[place.table, default: 0] += try await strike(
                redaction, in: place.table, column: place.column, clear: place.clear)
        }
        return struck
    }

    /// Rows of `table` whose `column` contains one of the redaction's fragments are read, and those that really
    /// name the person rewritten.
    private func strike(_ redaction: PersonalRedaction, in table: String, column: String, clear: Bool)
        async throws -> Int
    {
        let conditions = redaction.searchFragments.map {
            SQLQueryString("LOWER(\(ident: column)) LIKE LOWER(\(bind: CustomerStore.likePattern($0))) ESCAPE '\\'")
        }
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""  // SQLite's writer holds the lock
        let rows = try await sql.raw(
            """
            SELECT id, \(ident: column) AS text FROM \(ident: table) WHERE \(conditions.joined(separator: " OR "))\(unsafeRaw: lock)
            """
        ).all()
        var count = 0
        for row in rows {
            guard let text = try row.decode(column: "text", as: String?.self), redaction.mentions(text) else {
                continue
            }
            let id = try row.decode(column: "id", as: Int.self)
            let value: SQLQueryString = clear ? "\(bind: "")" : "\(bind: redaction.redacted(text))"
            try await sql.raw("UPDATE \(ident: table) SET \(ident: column) = \(value) WHERE id = \(bind: id)").run()
            count += 1
        }
        return count
    }
}
