import Fluent
import HuifangCore
import SQLKit
import Vapor

/// What an import did, or would do: counts, and every refused value by line and column.
struct ImportReport: Content {
    struct Problem: Content {
        let line: Int
        let column: String?
        let value: String?
        let reason: String
    }
    let fileName: String
    let encoding: String
    let totalRows: Int
    let created: Int
    let updated: Int
    let unchanged: Int
    /// Rows refused (each listed in `problems`, possibly more than once).
    let failed: Int
    let problems: [Problem]
    let ignoredColumns: [String]
    let dryRun: Bool
    let strict: Bool
    /// Whether anything was written.
    let applied: Bool

    /// The catalogue key of one sentence saying what happened to the data.
    var outcomeKey: String {
        if dryRun { return "import.dryRunNote" }
        if strict, failed > 0 { return "import.strictNote" }
        if !applied { return "import.notApplied" }
        return failed > 0 ? "import.applied" : "import.appliedAll"
    }
}

/// Imports a customer file: upserts by member ID, else by mobile; applies all
/// good rows in one transaction, or nothing in a dry run or when strict and any row is bad.
struct CustomerImporter {
    let db: any Database
    let rules: CustomerRules
    let actor: Actor
    let language: Language
    /// The instant of what it does (the request's, or the clock's for the command line).
    let now: Date

    struct Options {
        var fileName: String
        var dryRun = false
        var strict = false
    }

    private enum Plan {
        case create(line: Int, record: CustomerRecord)
        case update(line: Int, id: Int, record: CustomerRecord, changes: [FieldChange])
        case unchanged(line: Int)
    }

    static let batchSize = 500

    func run(_ bytes: [UInt8], _ options: Options) async throws -> ImportReport {
        let rules = rules
        let outcome = try await offTheEventLoop { () -> Result<ParsedImport, ImportFileProblem> in
            Result { () throws(ImportFileProblem) in try CustomerImportParser(rules: rules).parse(bytes) }
        }
        let parsed: ParsedImport
        switch outcome {
        case .success(let file): parsed = file
        case .failure(let error):
            throw AppError(.unprocessableEntity, error.catalogueEntry.key, error.catalogueEntry.arguments)
        }
        var problems = parsed.problems
        let agents = try await resolveAgents(parsed, problems: &problems)
        let plans = try await plan(parsed, agents: agents, problems: &problems)

        let failedLines = Set(problems.map(\.line))
        let write = !options.dryRun && !(options.strict && !failedLines.isEmpty)
        if write {
            try await apply(plans, options: options, failed: failedLines.count)
        }
        var created = 0
        var updated = 0
        var unchanged = 0
        for plan in plans {
            switch plan {
            case .create: created += 1
            case .update: updated += 1
            case .unchanged: unchanged += 1
            }
        }
        return ImportReport(
            fileName: options.fileName, encoding: parsed.encoding.rawValue, totalRows: parsed.totalRows,
            created: created, updated: updated, unchanged: unchanged, failed: failedLines.count,
            // By line; within a line in the order found, which is the file's column order.
            problems: problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map {
                .init(
                    line: $0.element.line, column: $0.element.column, value: $0.element.value,
                    reason: $0.element.problem.message(in: language))
            },
            ignoredColumns: parsed.ignoredColumns, dryRun: options.dryRun, strict: options.strict,
            applied: write && !plans.isEmpty
        )
    }

    /// Agents named in the file, by username; unknown names and non-agents become problems.
    private func resolveAgents(_ parsed: ParsedImport, problems: inout [RowProblem]) async throws -> [String: UUID] {
        let names = Set(parsed.rows.compactMap { $0.agentUsername?.lowercased() })
        guard !names.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$username ~~ names).all()
        var found: [String: UUID] = [:]
        var refused: [String: FieldProblem] = [:]
        for name in names {
            guard let user = users.first(where: { $0.username == name }), user.isActive else {
                refused[name] = .unknownAgent
                continue
            }
            if user.role == .agent { found[name] = user.id! } else { refused[name] = .notAnAgent }
        }
        for row in parsed.rows {
            if let name = row.agentUsername, let problem = refused[name.lowercased()] {
                problems.append(
                    RowProblem(line: row.line, column: parsed.headings[.assignedAgent], value: name, problem: problem))
            }
        }
        return found
    }

    /// Matches each good row to an existing customer and works out what it changes.
    private func plan(_ parsed: ParsedImport, agents: [String: UUID], problems: inout [RowProblem]) async throws
        -> [Plan]
    {
        let refusedLines = Set(problems.map(\.line))
        let rows = parsed.rows.filter { !refusedLines.contains($0.line) }
        let matches = try await match(rows, headings: parsed.headings, problems: &problems)
        let existingIDs = matches.compactMap { $0.customer?.id }
        var tags: [Int: [String]] = [:]
        for chunk in existingIDs.chunked(Self.batchSize) {
            tags.merge(try await CustomerStore(db: db, now: now).tags(of: Array(chunk))) { a, _ in a }
        }
        return matches.map { row, customer in
            let agent = row.agentUsername.flatMap { agents[$0.lowercased()] }
            guard let customer else {
                var record = row.patch.makeRecord(defaultTier: rules.defaultTier)!
                if let agent { record.assignedAgentID = agent }
                return .create(line: row.line, record: record)
            }
            let current = CustomerRecord(stored: customer.stored, tags: tags[customer.id] ?? [])
            var record = row.patch.applied(to: current)
            if let agent { record.assignedAgentID = agent }
            let changes = record.changes(from: current)
            return changes.isEmpty
                ? .unchanged(line: row.line)
                : .update(line: row.line, id: customer.id, record: record, changes: changes)
        }
    }

    /// Finds each row's existing customer, if any: by member id, else by mobile (among customers without a
    /// member id when the row has one). A mobile that several customers share is a problem of the row.
    private func match(_ rows: [ImportRow], headings: [CustomerField: String], problems: inout [RowProblem])
        async throws -> [(row: ImportRow, customer: KeyedStoredCustomer?)]
    {
        let sql = db.sql
        func existing(where column: String, in values: [String]) async throws -> [KeyedStoredCustomer] {
            try await sql.select().column("id").columns(StoredCustomer.columns).from(Customer.schema)
                .where(SQLIdentifier(column), .in, values).all(decoding: KeyedStoredCustomer.self)
        }
        var byExternalID: [String: KeyedStoredCustomer] = [:]
        for chunk in rows.compactMap({ $0.patch.externalID ?? nil }).chunked(Self.batchSize) {
            for customer in try await existing(where: "external_id", in: Array(chunk)) {
                byExternalID[customer.stored.external_id!] = customer
            }
        }
        let unmatched = rows.filter { row in (row.patch.externalID ?? nil).map { byExternalID[$0] == nil } ?? true }
        var byMobile: [String: [KeyedStoredCustomer]] = [:]
        for chunk in unmatched.compactMap({ $0.patch.mobile??.e164 }).chunked(Self.batchSize) {
            for customer in try await existing(where: "mobile", in: Array(chunk)) {
                byMobile[customer.stored.mobile!, default: []].append(customer)
            }
        }

        var matches: [(row: ImportRow, customer: KeyedStoredCustomer?)] = []
        for row in rows {
            if let id = row.patch.externalID ?? nil, let customer = byExternalID[id] {
                matches.append((row, customer))
                continue
            }
            var candidates = (row.patch.mobile ?? nil).flatMap { byMobile[$0.e164] } ?? []
            if (row.patch.externalID ?? nil) != nil { candidates = candidates.filter { $0.stored.external_id == nil } }
            if candidates.count > 1 {
                problems.append(
                    RowProblem(
                        line: row.line, column: headings[.mobile], value: row.patch.mobile??.display,
                        problem: .mobileMatchesSeveral))
                continue
            }
            matches.append((row, candidates.first))
        }
        return matches
    }

    private func apply(_ plans: [Plan], options: Options, failed: Int) async throws {
        let creations = plans.compactMap { plan -> CustomerRecord? in
            if case .create(_, let record) = plan { return record } else { return nil }
        }
        let updates = plans.compactMap { plan -> (Int, CustomerRecord, [FieldChange])? in
            if case .update(_, let id, let record, let changes) = plan {
                return (id, record, changes)
            } else {
                return nil
            }
        }
        let consentFields: Set<CustomerField> = [.consent, .doNotDisturb]
        let changedConsent = updates.filter { _, _, changes in changes.contains { consentFields.contains($0.field) } }
            .map {
                ConsentLedger.Entry(customerID: $0.0, state: $0.1.consentState, how: .importFile, by: actor)
            }
        try await db.bulkTransaction { db in
            let sql = db.sql
            var consent = changedConsent
            var history: [(Int, FieldChange, Bool)] = []
            var newTags: [(Int, String)] = []
            var created: [Int] = []
            for chunk in creations.chunked(Self.batchSize) {
                let ids = try await insert(Array(chunk), now: now, on: sql)
                created += ids
                for (record, id) in zip(chunk, ids) {
                    history.append((id, FieldChange(field: .name, oldValue: nil, newValue: record.name), true))
                    newTags += record.tags.map { (id, $0) }
                    consent.append(.init(customerID: id, state: record.consentState, how: .importFile, by: actor))
                }
            }
            let store = CustomerStore(db: db, now: now)
            for (id, record, changes) in updates {
                let update = sql.update(Customer.schema).set("updated_at", to: SQLBind(now)).where(
                    "id", .equal, SQLBind(id))
                for (column, value) in zip(StoredCustomer.columns, StoredCustomer(record).binds) {
                    update.set(SQLIdentifier(column), to: value)
                }
                try await update.run()
                if changes.contains(where: { $0.field == .tags }) {
                    try await store.replaceTags(of: id, with: record.tags)
                }
                history += changes.map { (id, $0, false) }
            }
            for chunk in newTags.chunked(Self.batchSize * 2) {
                let insert = sql.insert(into: CustomerTag.schema).columns("customer_id", "tag")
                for (id, tag) in chunk { insert.values(SQLBind(id), SQLBind(tag)) }
                try await insert.run()
            }
            try await insertHistory(history, on: sql)
            // New customers and changed flags: the consent history, and nothing more sent to who opted out.
            try await ConsentLedger(db: db, now: now).append(consent)
            try await announce(created: created, updates: updates, on: db)
            try await AuditLog.record(
                "customer.import", by: actor, subjectType: "import", subjectID: options.fileName,
                detail: "created=\(creations.count) updated=\(updates.count) failed=\(failed)", at: now, on: db
            )
        }
    }

    /// `customer.created` and `customer.changed` for the rows written, as the API sends them.
    private func announce(created: [Int], updates: [(Int, CustomerRecord, [FieldChange])], on db: any Database)
        async throws
    {
        let webhooks = Webhooks(db: db)
        try await webhooks.emit(.customerCreated, at: now, created.map { .init(customerID: $0, data: .init()) })
        let changed = updates.map { id, _, changes in
            Webhooks.Occurrence(
                customerID: id, data: .init(changedFields: Array(Set(changes.map(\.field.rawValue))).sorted()))
        }
        try await webhooks.emit(.customerChanged, at: now, changed)
    }

    /// The change history of an import: each new customer's creation and each changed field.
    private func insertHistory(_ history: [(Int, FieldChange, Bool)], on sql: any SQLDatabase) async throws {
        for chunk in history.chunked(Self.batchSize) {
            let insert = sql.insert(into: CustomerChange.schema)
                .columns("customer_id", "at", "actor_id", "actor_name", "source", "field", "old_value", "new_value")
            for (id, change, created) in chunk {
                insert.values(
                    SQLBind(id), SQLBind(now), SQLBind(actor.id), SQLBind(actor.name), SQLBind(actor.source),
                    SQLBind(created ? CustomerChange.createdField : change.field.rawValue),
                    SQLBind(change.oldValue), SQLBind(change.newValue))
            }
            try await insert.run()
        }
    }

    /// Inserts one batch of new customers and returns their ids in the batch's order.
    private func insert(_ records: [CustomerRecord], now: Date, on sql: any SQLDatabase) async throws -> [Int] {
        let insert = sql.insert(into: Customer.schema).columns(StoredCustomer.columns + ["created_at", "updated_at"])
        for record in records {
            insert.values(StoredCustomer(record).binds + [SQLBind(now), SQLBind(now)])
        }
        try await insert.run()

        // Every new row has a member ID, or a mobile no other customer without a member ID has.
        struct Key: Decodable {
            let id: Int
            let external_id: String?
            let mobile: String?
        }
        var byExternalID: [String: Int] = [:]
        var byMobile: [String: Int] = [:]
        let externalIDs = records.compactMap(\.externalID)
        if !externalIDs.isEmpty {
            for key in try await sql.select().columns("id", "external_id", "mobile").from(Customer.schema)
                .where("external_id", .in, externalIDs).all(decoding: Key.self)
            {
                byExternalID[key.external_id!] = key.id
            }
        }
        let mobiles = records.filter { $0.externalID == nil }.compactMap { $0.mobile?.e164 }
        if !mobiles.isEmpty {
            for key in try await sql.select().columns("id", "external_id", "mobile").from(Customer.schema)
                .where("mobile", .in, mobiles).where("external_id", .is, SQLLiteral.null).all(decoding: Key.self)
            {
                byMobile[key.mobile!] = key.id
            }
        }
        return try records.map { record in
            guard
                let id = record.externalID.flatMap({ byExternalID[$0] }) ?? record.mobile.flatMap({ byMobile[$0.e164] })
            else {
                throw Abort(.internalServerError, reason: "imported customer \(record.name) could not be found again")
            }
            return id
        }
    }
}

extension Array {
    package func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
