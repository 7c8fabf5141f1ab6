import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// The escalation sweep (超时升级): finds tickets whose running deadline has passed, marks the breach,
/// and escalates up the ladder — department head, then supervisors — notifying in the app and by email.
///
/// It reads only tickets whose next moment (`ticket_clocks`) has come (an index range), so a million open tickets
/// cost what their breaches cost. Each escalation is claimed by inserting (ticket, breach, level) under a
/// unique key in the same transaction as its notifications: several instances sweeping at once still
/// escalate each breach to each level exactly once.
package struct EscalationSweep {
    let db: any Database
    let config: HuifangConfig
    var instance = DailyPlanning.instance
    var batchSize = 5000
    /// Keeps time for the lease of a run (`runLeased`): the application's clock.
    var clock: @Sendable () -> Date = { Date() }
    /// Runs between reading a batch and writing it: lets a test change a ticket in that window.
    var betweenReadAndWrite: (@Sendable () async throws -> Void)?

    package init(db: any Database, config: HuifangConfig) {
        self.db = db
        self.config = config
    }

    package struct Summary: Content, Equatable {
        package var examined = 0
        package var escalations = 0
        package var notifications = 0
        package var seconds = 0.0
        /// Seconds per phase: read, plan, claim, notify, update.
        package var timings: [String: Double] = [:]
    }

    private struct Row: Decodable {
        let id: Int
        let department_id: UUID?
        let escalation_key: String?
        let escalation_level: Int
        let next_escalation_at: Double
    }

    /// A ticket the sweep reads: its clock columns and its place in the sweep, from one row in one pass.
    private struct Due: Decodable {
        let row: Row
        let stored: TicketClockColumns

        init(from decoder: any Decoder) throws {
            row = try Row(from: decoder)
            stored = try TicketClockColumns(from: decoder)
        }
    }

    private typealias Plan = (row: Row, due: [DueEscalation], key: String?, level: Int, next: Double?)

    private struct Current: Decodable {
        let id: Int
        let escalation_key: String?
        let escalation_level: Int
        let next_escalation_at: Double?
    }

    private struct Claim: Decodable {
        let ticket_id: Int
        let level: Int
    }

    /// What a sweep knows before it reads a ticket: the ladder, the calendar, who is notified, in which language.
    private struct Setting: Sendable {
        let settings: TicketSettings
        let calendar: BusinessCalendar
        let language: Language
        let supervisors: [Recipient]
        let headOf: [UUID: Recipient]
        let now: Date
        var cutoff: Double { now.timeIntervalSince1970 }
    }

    /// Seconds per phase of a sweep, as the benchmark reports them.
    private struct Laps {
        var timings: [String: Double] = [:]
        private var started = Date()

        mutating func lap(_ phase: String) {
            timings[phase, default: 0] += Date().timeIntervalSince(started)
            started = Date()
        }

        mutating func restart() { started = Date() }
    }

    /// One sweep: every escalation due by `now`, once.
    package func run(now: Date) async throws -> Summary {
        let started = Date()
        let setting = try await load(at: now)
        var summary = Summary()
        // Each pass moves every ticket it reads past `now` (or to NULL), so the loop ends.
        var seen = Set<Int>()
        var laps = Laps()
        while true {
            laps.lap("other")
            let rows = try await readDue(by: setting.cutoff).filter { seen.insert($0.row.id).inserted }
            laps.lap("read")
            if rows.isEmpty { break }
            summary.examined += rows.count
            let plans = try rows.map { try plan($0.row, $0.stored, setting) }
            laps.lap("plan")
            try await betweenReadAndWrite?()
            let written = try await db.bulkTransaction { db in try await write(plans, setting, on: db) }
            laps.timings.merge(written.laps.timings, uniquingKeysWith: +)
            laps.restart()
            summary.escalations += written.escalated
            summary.notifications += written.notified
        }
        summary.timings = laps.timings
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    private func load(at now: Date) async throws -> Setting {
        let departments = try await Department.query(on: db).all()
        let headIDs = departments.compactMap(\.headUserID)
        let heads =
            headIDs.isEmpty
            ? [] : try await User.query(on: db).filter(\.$id ~~ headIDs).filter(\.$isActive == true).all()
        let headOf: [UUID: Recipient] = Dictionary(
            uniqueKeysWithValues: departments.compactMap { department in
                heads.first { $0.id == department.headUserID }.map {
                    (department.id!, Recipient(id: $0.id!, name: $0.displayName, email: $0.email))
                }
            })
        return Setting(
            settings: try await TicketSettingsRecord.load(on: db).settings,
            calendar: try await CalendarStore(db: db).defaultBusiness(), language: config.defaultLanguage,
            supervisors: try await Notifier.supervisors(on: db), headOf: headOf, now: now)
    }

    /// The next tickets whose moment has come, with their lifecycles.
    private func readDue(by cutoff: Double) async throws -> [Due] {
        try await db.sql.raw(
            """
            SELECT t.id, t.department_id, \(unsafeRaw: TicketClockColumns.columns("t")),
              c.escalation_key, c.escalation_level, c.next_escalation_at
            FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id
            WHERE c.next_escalation_at <= \(bind: cutoff) ORDER BY c.next_escalation_at, c.ticket_id
            LIMIT \(literal: batchSize)
            """
        ).all(decoding: Due.self)
    }

    /// What is due for one ticket now, by the ladder (`HuifangCore`), and where its clock moves next.
    private func plan(_ row: Row, _ stored: TicketClockColumns, _ setting: Setting) throws -> Plan {
        let running = stored.clock.running
        let reached = RunningDeadline.levelReached(
            by: running, storedKey: row.escalation_key, storedLevel: row.escalation_level)
        let (due, next) = try setting.settings.ladder.due(
            running, reached: reached, now: setting.now, calendar: setting.calendar)
        return (row, due, running?.key ?? row.escalation_key, due.last?.level ?? reached, next?.timeIntervalSince1970)
    }

    /// One batch in one transaction: the tickets move on first — to their next escalation moment, or out of the
    /// sweep's sight — but only those whose clock nobody changed since they were read (a handler may have just
    /// answered or extended one): those are looked at again from their new state. Then the escalations due on
    /// the moved tickets are claimed, marked on the timelines and notified. PostgreSQL locks the rows checked
    /// until the batch commits; SQLite has one writer at a time.
    private func write(_ batch: [Plan], _ setting: Setting, on db: any Database) async throws
        -> (escalated: Int, notified: Int, laps: Laps)
    {
        let sql = db.sql
        var laps = Laps()
        let moving: [Plan]
        if sql.dialect.name == "postgresql" {
            // One compare-and-set per batch, its rows passed as arrays: the update locks what it moves.
            let unchanged = try await moveUnchanged(batch, on: sql)
            moving = batch.filter { unchanged.contains($0.row.id) }
        } else {
            let unchanged = try await unchangedSinceRead(batch, on: sql)
            moving = batch.filter { unchanged.contains($0.row.id) }
            for chunk in moving.chunked(500) { try await moveOn(chunk, on: sql) }
        }
        laps.lap("update")
        let wanted = moving.flatMap { plan in plan.due.map { (plan.row, $0) } }
        let claimed = try await claim(wanted.map { ($0.0.id, $0.1) }, cutoff: setting.cutoff, on: sql)
        laps.lap("claim")
        let chosen = wanted.filter { claimed.contains("\($0.0.id)#\($0.1.level)") }
        let (items, entries) = notices(chosen, setting)
        try await mark(entries, at: setting.now, by: Catalogue.text("escalation.actor", setting.language), on: sql)
        try await announce(chosen, at: setting.now, on: db)
        try await Notifier.send(items, config: config, now: setting.now, on: db)
        laps.lap("notify")
        return (chosen.count, items.count, laps)
    }

    /// SQLite: the tickets of the batch whose clock is still as read.
    private func unchangedSinceRead(_ batch: [Plan], on sql: any SQLDatabase) async throws -> Set<Int> {
        var unchanged = Set<Int>()
        for chunk in batch.chunked(500) {
            let current = try await sql.raw(
                """
                SELECT ticket_id AS id, escalation_key, escalation_level, next_escalation_at
                FROM ticket_clocks WHERE ticket_id IN (\(binds: chunk.map(\.row.id)))
                """
            ).all(decoding: Current.self)
            let read = Dictionary(uniqueKeysWithValues: chunk.map { ($0.row.id, $0.row) })
            for row in current {
                guard let before = read[row.id], row.escalation_key == before.escalation_key,
                    row.escalation_level == before.escalation_level,
                    row.next_escalation_at == before.next_escalation_at
                else { continue }
                unchanged.insert(row.id)
            }
        }
        return unchanged
    }

    /// The notifications of the escalations claimed, and the timeline line of each.
    private func notices(_ chosen: [(Row, DueEscalation)], _ setting: Setting)
        -> (items: [Notifier.Item], entries: [(ticket: Int, note: String)])
    {
        var items: [Notifier.Item] = []
        var entries: [(ticket: Int, note: String)] = []
        let language = setting.language
        for (row, step) in chosen {
            let recipients: [Recipient]
            if step.notify == .departmentHead, let department = row.department_id, let head = setting.headOf[department]
            {
                recipients = [head]
            } else {
                recipients = setting.supervisors
            }
            let id = row.id
            let deadlineName = Catalogue.text("ticket.deadline.\(step.deadline.rawValue)", language)
            let names = recipients.map(\.name).joined(separator: "、")
            let text = Catalogue.text(
                "escalation.text", language, ["\(id)", deadlineName, config.formatDateTime(step.due), "\(step.level)"])
            let subject = Catalogue.text("escalation.subject", language, ["\(id)", deadlineName, "\(step.level)"])
            items += recipients.map {
                Notifier.Item(recipient: $0, ticketID: id, kind: "escalation", text: text, subject: subject)
            }
            entries.append((id, text + (names.isEmpty ? "" : " → " + names)))
        }
        return (items, entries)
    }
}

extension EscalationSweep {
    /// SQLite (one writer: nothing changes between the check and this): the tickets' clocks move on.
    private func moveOn(_ chunk: ArraySlice<Plan>, on sql: any SQLDatabase) async throws {
        // Typed, so that NULLs are read as text and numbers.
        let values = SQLList(
            chunk.map { plan -> SQLQueryString in
                "(\(bind: plan.row.id), CAST(\(bind: plan.key) AS TEXT), \(bind: plan.level), "
                    + "CAST(\(bind: plan.next) AS REAL))"
            })
        try await sql.raw(
            """
            WITH v(id, k, l, n) AS (VALUES \(values))
            UPDATE ticket_clocks SET escalation_key = v.k, escalation_level = v.l, next_escalation_at = v.n
            FROM v WHERE ticket_clocks.ticket_id = v.id
            """
        ).run()
    }

    /// PostgreSQL: moves the batch's tickets on in one statement, each only if its clock is still as read (the
    /// update re-reads a clock another transaction changed); returns the tickets moved.
    private func moveUnchanged(_ batch: [Plan], on sql: any SQLDatabase) async throws -> Set<Int> {
        struct Moved: Decodable { let ticket_id: Int }
        // Arrays carry no NULL here: '' stands for no key, −1 for no next moment (neither occurs otherwise).
        let moved = try await sql.raw(
            """
            UPDATE ticket_clocks c SET escalation_key = NULLIF(v.k, ''), escalation_level = v.l,
              next_escalation_at = NULLIF(v.n, -1)
            FROM UNNEST(\(bind: batch.map(\.row.id)), \(bind: batch.map { $0.key ?? "" }), \(bind: batch.map(\.level)),
              \(bind: batch.map { $0.next ?? -1 }), \(bind: batch.map { $0.row.escalation_key ?? "" }),
              \(bind: batch.map(\.row.escalation_level)), \(bind: batch.map(\.row.next_escalation_at)))
              AS v(id, k, l, n, ok, ol, o_n)
            WHERE c.ticket_id = v.id AND c.escalation_key IS NOT DISTINCT FROM NULLIF(v.ok, '')
              AND c.escalation_level = v.ol AND c.next_escalation_at = v.o_n
            RETURNING c.ticket_id
            """
        ).all(decoding: Moved.self)
        return Set(moved.map(\.ticket_id))
    }

    /// Claims the escalations under their unique key; returns `ticket#level` of those claimed now (PostgreSQL: one
    /// statement; SQLite: 500 rows a statement).
    private func claim(
        _ wanted: [(Int, DueEscalation)], cutoff: Double,
        on sql: any SQLDatabase
    ) async throws -> Set<String> {
        guard !wanted.isEmpty else { return [] }
        guard sql.dialect.name == "postgresql" else { return try await claimInChunks(wanted, cutoff: cutoff, on: sql) }
        let rows = try await sql.raw(
            """
            INSERT INTO ticket_escalations
              (ticket_id, breach_key, deadline, level, target, due_at, escalated_at, instance)
            SELECT c.t, c.b, c.d, c.l, c.g, c.a, \(bind: cutoff), \(bind: instance)
            FROM UNNEST(\(bind: wanted.map(\.0)), \(bind: wanted.map(\.1.key)),
              \(bind: wanted.map(\.1.deadline.rawValue)), \(bind: wanted.map(\.1.level)),
              \(bind: wanted.map(\.1.notify.rawValue)),
              \(bind: wanted.map(\.1.at.timeIntervalSince1970))) AS c(t, b, d, l, g, a)
            ON CONFLICT (ticket_id, breach_key, level) DO NOTHING RETURNING ticket_id, level
            """
        ).all(decoding: Claim.self)
        return Set(rows.map { "\($0.ticket_id)#\($0.level)" })
    }

    private func claimInChunks(
        _ wanted: [(Int, DueEscalation)], cutoff: Double, on sql: any SQLDatabase
    ) async throws -> Set<String> {
        var claimed = Set<String>()
        for chunk in wanted.chunked(500) {
            let rows = try await sql.raw(
                """
                INSERT INTO ticket_escalations (ticket_id, breach_key, deadline, level, target, due_at, escalated_at, instance) VALUES \
                \(SQLList(chunk.map { id, step in
                    SQLGroupExpression([SQLBind(id), SQLBind(step.key), SQLBind(step.deadline.rawValue), SQLBind(step.level),
                                        SQLBind(step.notify.rawValue), SQLBind(step.at.timeIntervalSince1970), SQLBind(cutoff),
                                        SQLBind(instance)] as [any SQLExpression])
                }))
                ON CONFLICT (ticket_id, breach_key, level) DO NOTHING RETURNING ticket_id, level
                """
            ).all(decoding: Claim.self)
            for claim in rows { claimed.insert("\(claim.ticket_id)#\(claim.level)") }
        }
        return claimed
    }

    /// The escalations on the tickets' timelines (PostgreSQL: one statement; SQLite: 500 rows a statement).
    /// `ticket.escalated` for each escalation claimed, when an endpoint takes it.
    private func announce(_ chosen: [(Row, DueEscalation)], at now: Date, on db: any Database) async throws {
        let webhooks = Webhooks(db: db)
        guard !chosen.isEmpty, try await webhooks.wants(.ticketEscalated) else { return }
        var tickets: [Int: Ticket] = [:]
        for chunk in Set(chosen.map(\.0.id)).sorted().chunked(500) {
            for ticket in try await Ticket.query(on: db).filter(\.$id ~~ Array(chunk)).all() {
                tickets[ticket.id!] = ticket
            }
        }
        let occurrences = chosen.compactMap { row, step in
            tickets[row.id].map { ticket in
                Webhooks.Occurrence(
                    customerID: ticket.$customer.id,
                    data: WebhookData(
                        ticket: Webhooks.part(ticket, config: config),
                        escalation: .init(level: step.level, deadline: step.deadline.rawValue)))
            }
        }
        try await webhooks.emit(.ticketEscalated, at: now, occurrences)
    }

    private func mark(
        _ entries: [(ticket: Int, note: String)], at now: Date, by actor: String,
        on sql: any SQLDatabase
    ) async throws {
        guard !entries.isEmpty else { return }
        if sql.dialect.name == "postgresql" {
            try await sql.raw(
                """
                INSERT INTO ticket_entries (ticket_id, at, actor_name, action, note)
                SELECT e.t, \(bind: now), \(bind: actor), 'escalate', e.n
                FROM UNNEST(\(bind: entries.map(\.ticket)), \(bind: entries.map(\.note))) AS e(t, n)
                """
            ).run()
            return
        }
        for chunk in entries.chunked(500) {
            let insert = sql.insert(into: TicketEntry.schema).columns("ticket_id", "at", "actor_name", "action", "note")
            for entry in chunk {
                insert.values(
                    SQLBind(entry.ticket), SQLBind(now), SQLBind(actor), SQLBind("escalate"),
                    SQLBind(entry.note))
            }
            try await insert.run()
        }
    }
}
