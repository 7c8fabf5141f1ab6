import Fluent
import HuifangCore
import SQLKit
import Vapor

/// Reads and writes customers, keeping each one's change history and the
/// audit log in the same transaction as the change.
struct CustomerStore {
    let db: any Database
    /// The instant of what it does (the request's, or the clock's for the command line).
    let now: Date

    /// A filtered, keyset-paged list: newest first, `after` the last id of the previous page.
    struct Query {
        var text: String?
        var tier: String?
        var tag: String?
        var assignedAgentID: UUID?
        /// Whether part of a phone number finds customers (only for roles that see every number in full;
        /// anyone else must give the whole number, or they could read a masked number digit by digit).
        var partialNumbers = true
        var after: Int?
        var limit = 50
    }

    func list(_ query: Query) async throws -> (customers: [Customer], nextCursor: Int?) {
        let builder = try await filtered(query)
        // With a tag, page on the tag index's customer_id: it orders like customers.id, and the
        // database then reads the page straight off the index instead of sorting every tagged row.
        if query.tag != nil {
            if let after = query.after { builder.filter(CustomerTag.self, \.$customerID < after) }
            builder.sort(CustomerTag.self, \.$customerID, .descending)
        } else {
            if let after = query.after { builder.filter(\.$id < after) }
            builder.sort(\.$id, .descending)
        }
        let rows = try await builder.limit(query.limit + 1).all()
        let page = Array(rows.prefix(query.limit))
        return (page, rows.count > query.limit ? page.last?.id : nil)
    }

    func count(_ query: Query) async throws -> Int {
        try await filtered(query).count()
    }

    /// The count of a search, which may scan names: up to `ListTotal.cap`, nil beyond.
    func countUpToCap(_ query: Query) async throws -> Int? {
        try await filtered(query).countUpToCap()
    }

    private func filtered(_ query: Query) async throws -> QueryBuilder<Customer> {
        let builder = Customer.query(on: db).filter(\.$erasedAt == nil)
        if let tier = query.tier { builder.filter(\.$tier == tier) }
        if let agent = query.assignedAgentID { builder.filter(\.$assignedAgent.$id == agent) }
        if let tag = query.tag {
            builder.join(CustomerTag.self, on: \CustomerTag.$customerID == \Customer.$id)
                .filter(CustomerTag.self, \.$tag == tag)
        }
        if let text = query.text?.trimmingWhitespace(), !text.isEmpty {
            let digits = text.filter(\.isNumber)
            if try await Customer.query(on: db).filter(\.$externalID == text).count() > 0 {
                builder.filter(\.$externalID == text)  // a member ID names one customer; no need to scan names
            } else if let mobile = try? PhoneNumber(parsing: text) {
                builder.filter(\.$mobile == mobile.e164)  // a whole number: the index finds it
            } else if digits.count >= 4, digits.count == text.filter({ !"+- ".contains($0) }).count {
                if query.partialNumbers {
                    builder.filter(.sql(embed: "customers.mobile LIKE \(bind: Self.likePattern(digits)) ESCAPE '\\'"))
                } else {
                    builder.filter(\.$id == -1)  // digits that are not a whole number find nobody
                }
            } else {
                builder.filter(.sql(embed: "customers.name LIKE \(bind: Self.likePattern(text)) ESCAPE '\\'"))
            }
        }
        return builder
    }

    /// `%text%` with `%`, `_` and the escape character itself taken literally.
    static func likePattern(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return "%" + escaped + "%"
    }

    /// Tags of several customers in one query.
    func tags(of ids: [Int]) async throws -> [Int: [String]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await CustomerTag.query(on: db).filter(\.$customerID ~~ ids).sort(\.$id).all()
        return Dictionary(grouping: rows, by: \.customerID).mapValues { $0.map(\.tag) }
    }

    /// The customer's values with its tags (one statement, prepared on PostgreSQL: every attempt recorded reads it).
    func record(of customer: Customer) async throws -> CustomerRecord {
        let rows = try await db.sql.raw(
            "SELECT tag FROM customer_tags WHERE customer_id = \(bind: customer.id!) ORDER BY id"
        ).all()
        return customer.record(tags: try rows.map { try $0.decode(column: "tag", as: String.self) })
    }

    func history(of customerID: Int, limit: Int = 200) async throws -> [CustomerChange] {
        try await CustomerChange.query(on: db).filter(\.$customerID == customerID)
            .sort(\.$id, .descending).limit(limit).all()
    }

    /// Creates a customer. Refuses a member ID another customer has. The consent history starts with the new
    /// customer's flags, recorded `how` (by default, as the actor's source says).
    func create(_ record: CustomerRecord, by actor: Actor, how: ConsentSource? = nil) async throws -> Customer {
        try await db.transaction { db in
            let store = CustomerStore(db: db, now: now)
            try await store.checkExternalIDIsFree(record.externalID, except: nil)
            let customer = Customer()
            customer.apply(record)
            try await customer.insert(on: db)
            let id = customer.id!
            try await store.addTags(of: id, record.tags)
            try await store.writeHistory(
                of: id, [FieldChange(field: .name, oldValue: nil, newValue: record.name)],
                created: true, by: actor)
            try await ConsentLedger(db: db, now: now).append([
                .init(
                    customerID: id, state: record.consentState, how: how ?? ConsentSource(actorSource: actor.source),
                    by: actor)
            ])
            try await AuditLog.record(
                "customer.create", by: actor, subjectType: "customer", subjectID: String(id),
                detail: record.externalID, at: now, on: db)
            try await Webhooks(db: db).emit(.customerCreated, customerID: id, at: now)
            return customer
        }
    }

    /// Saves `record` over the customer, whose stored values are `current`; returns what changed
    /// (nothing is written when nothing did). A change of the consent or do-not-disturb flag adds to the consent
    /// history, recorded `how` (by default, as the actor's source says) with `note`; so does the customer's own
    /// opt-out when the flag was already set.
    @discardableResult
    func update(
        _ customer: Customer, from current: CustomerRecord, to record: CustomerRecord, by actor: Actor,
        how: ConsentSource? = nil, note: String? = nil
    ) async throws -> [FieldChange] {
        let id = customer.id!
        let changes = record.changes(from: current)
        let how = how ?? ConsentSource(actorSource: actor.source)
        let consentChanged = ConsentHistory.needsEntry(from: current.consentState, to: record.consentState, how: how)
        guard !changes.isEmpty || consentChanged else { return [] }
        return try await db.transaction { db in
            let store = CustomerStore(db: db, now: now)
            try await store.lockUnerased(id)
            if changes.contains(where: { $0.field == .externalID }) {
                try await store.checkExternalIDIsFree(record.externalID, except: id)
            }
            if !changes.isEmpty {
                customer.apply(record)
                try await customer.save(on: db)
                if changes.contains(where: { $0.field == .tags }) {
                    try await store.replaceTags(of: id, with: record.tags)
                }
                try await store.writeHistory(of: id, changes, created: false, by: actor)
                try await AuditLog.record(
                    "customer.update", by: actor, subjectType: "customer", subjectID: String(id),
                    detail: changes.map(\.field.rawValue).joined(separator: ","), at: now, on: db)
            }
            if consentChanged {
                try await ConsentLedger(db: db, now: now).append([
                    .init(customerID: id, state: record.consentState, how: how, by: actor, note: note)
                ])
            }
            let fields = changes.map(\.field.rawValue) + (consentChanged ? ["consent"] : [])
            try await Webhooks(db: db).emit(
                .customerChanged, customerID: id, at: now, WebhookData(changedFields: Array(Set(fields)).sorted()))
            return changes
        }
    }

    /// Locks the customer's row for the transaction (PostgreSQL; SQLite's writer holds the write lock already)
    /// and refuses a customer erased meanwhile: an edit or a correction loaded before an erasure must not put
    /// their data back.
    func lockUnerased(_ id: Int) async throws {
        let lock = db.sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let row = try await db.sql.raw(
            "SELECT erased_at FROM customers WHERE id = \(bind: id)\(unsafeRaw: lock)"
        ).first()
        guard let row, try row.decode(column: "erased_at", as: Date?.self) == nil else { throw AppError.notFound }
    }

    func checkExternalIDIsFree(_ externalID: String?, except id: Int?) async throws {
        guard let externalID else { return }
        let query = Customer.query(on: db).filter(\.$externalID == externalID)
        if let id { query.filter(\.$id != id) }
        if try await query.count() > 0 {
            throw AppError.invalid(ValidationFailure([FieldError(.externalID, .externalIDTaken)]))
        }
    }

    func replaceTags(of id: Int, with tags: [String]) async throws {
        try await CustomerTag.query(on: db).filter(\.$customerID == id).delete()
        try await addTags(of: id, tags)
    }

    /// Adds tags, in order, to a customer (a new one has none to replace).
    func addTags(of id: Int, _ tags: [String]) async throws {
        for tag in tags { try await CustomerTag(customerID: id, tag: tag).insert(on: db) }
    }

    func writeHistory(of id: Int, _ changes: [FieldChange], created: Bool, by actor: Actor) async throws {
        for change in changes {
            let row = CustomerChange()
            row.customerID = id
            row.at = now
            row.actorID = actor.id
            row.actorName = actor.name
            row.source = actor.source
            row.field = created ? CustomerChange.createdField : change.field.rawValue
            row.oldValue = change.oldValue
            row.newValue = change.newValue
            try await row.insert(on: db)
        }
    }

    /// The user an assigned-agent value names: an active agent, found by username.
    static func resolveAgent(_ username: String, on db: any Database) async throws(FieldError) -> UUID {
        let user: User?
        do { user = try await User.query(on: db).filter(\.$username == username.lowercased()).first() } catch {
            throw FieldError(.assignedAgent, .unknownAgent)
        }
        guard let user, user.isActive else { throw FieldError(.assignedAgent, .unknownAgent) }
        guard user.role == .agent else { throw FieldError(.assignedAgent, .notAnAgent) }
        return user.id!
    }
}

extension Request {

    /// The customer the route's `:id` names, or 404 (also when their personal information was erased).
    func customer() async throws -> Customer {
        guard let id = parameters.get("id", as: Int.self), let customer = try await Customer.find(id, on: db),
            customer.erasedAt == nil
        else {
            throw AppError.notFound
        }
        return customer
    }
}

extension HuifangConfig {
    /// Today's date in the organisation's time zone.
    func today(now: Date) -> LocalDate {
        LocalDate.today(in: timeZone, now: now)
    }

    /// `2026-11-25 16:05` in the organisation's time zone.
    func formatDateTime(_ date: Date?) -> String {
        guard let date else { return "" }
        // Day arithmetic instead of a Calendar per call: lists and sweeps format thousands of these.
        let local = Int((date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))).rounded(.down))
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let second = local - day * 86_400
        return LocalDate(dayNumber: day).iso(minuteOfDay: second / 60)
    }
}
