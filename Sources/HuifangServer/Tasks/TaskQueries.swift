import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A task as lists, the API and the CSV export show it.
struct TaskView: Content {
    let id: Int
    let customerID: Int
    let customerName: String
    /// Full for the task's own agent and for roles that see contact details; masked otherwise.
    let mobile: String?
    /// The number to dial (E.164) when the viewer sees it in full.
    var dial: String? = nil
    /// Its click-to-call link (`HUIFANG_DIAL_URL`), when the viewer sees it in full.
    var dialURL: String? = nil
    let status: String
    let priority: Int
    let channel: String
    let reasons: [String]
    let script: String
    let dueAt: String
    let deadlineAt: String
    let callbackAt: String?
    let agent: String?
    /// "分配给 王芳：专属客服，当时 12 个未完成任务"
    let assignment: String?
}

struct TaskFilter {
    var agentID: UUID?
    /// Only tasks nobody has been given.
    var unassigned = false
    var status: FollowUpTask.Status? = .open
    var dueFrom: LocalDate?
    var dueBy: LocalDate?
    /// Only open tasks whose deadline has passed.
    var overdue = false
    /// The board by deadline, the earliest first (then priority, then number), instead of by priority.
    var byDeadline = false
    /// Call-list order: callbacks now due first, then the rest, then callbacks due later; see `TaskQueries`.
    var callListOrder = false
    /// The page after this cursor; the first page when nil.
    var after: PageCursor?
    var limit = 500
    /// Rows of a page of the API's task lists when the request names no `limit`.
    static let pageSize = 50
}

/// A page of a task list, as the API returns it.
struct TaskPageDTO: Content {
    let items: [TaskView]
    /// Pass as `after` for the next page; absent on the last page.
    let nextCursor: String?

    /// The JSON `JSONEncoder` would write (the same members, nil ones left out), written directly (`JSONText`): an
    /// agent's call list is the API's most frequent read, and the encoder took a fifth of its CPU.
    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(bytes: json.bytes)))
    }

    var json: JSONText {
        var json = JSONText(capacity: 1024 * (items.count + 1))
        json.object { page in
            page.key("items")
            page.array { list in for item in items { item.write(to: &list) } }
            page.member("nextCursor", nextCursor)
        }
        return json
    }
}

extension TaskView {
    /// Its members in the order they are declared, as `JSONEncoder` writes them (absent when nil).
    func write(to json: inout JSONText) {
        json.object { task in
            task.member("id", id)
            task.member("customerID", customerID)
            task.member("customerName", customerName)
            task.member("mobile", mobile)
            task.member("dial", dial)
            task.member("dialURL", dialURL)
            task.member("status", status)
            task.member("priority", priority)
            task.member("channel", channel)
            task.member("reasons", reasons)
            task.member("script", script)
            task.member("dueAt", dueAt)
            task.member("deadlineAt", deadlineAt)
            task.member("callbackAt", callbackAt)
            task.member("agent", agent)
            task.member("assignment", assignment)
        }
    }
}

/// Reads task lists with their customers, reasons and agents, a page at a time by key, in one statement.
/// The board runs by priority, then due time, then id. The call list runs in three parts — callbacks and
/// retries now due (by callback time), tasks with no callback, callbacks due later (by callback time) —
/// each then by priority, due time and id; each is read on the index (agent, status, callback, …).
struct TaskQueries {
    let db: any Database
    let config: HuifangConfig
    let language: Language
    var now: Date
    /// The names its statements are prepared under on PostgreSQL (a list of its own in a test).
    var names = PreparedNames.shared

    /// A task of a list as read. Read column by column (`init(_:)`), not through `Decodable`: a call list of 50 rows
    /// is 900 values, and SQLKit's row decoder spent a fifth of the request on them.
    private struct Row {
        let id: Int
        let customer_id: Int
        let name: String
        let mobile: String?
        let customer_agent: UUID?
        let status: String
        let priority: Int
        let channel: String
        let script: String
        let due_at: Date
        let deadline_at: Date
        let callback_at: Date?
        let assigned_agent_id: UUID?
        let assignment_basis: String?
        let assignment_load: Int?
        /// The assigned agent's display name.
        let agent_name: String?
        /// The names of the task's reasons in the order they were given, `reasonSeparator` between them.
        let reasons: String?
        /// The row as read, for the instants of the page's key: decoded for the last row only.
        let source: any SQLRow

        /// Generic, and called with the concrete type where it is known (`rows(_:)`), so that each column is read
        /// by code made for that type rather than through `any SQLRow` and its generic-metadata look-ups.
        init<V: RowValues>(_ row: V, source: any SQLRow) throws {
            id = try row.value(.id, as: Int.self)
            customer_id = try row.value(.customer_id, as: Int.self)
            name = try row.value(.name, as: String.self)
            mobile = try row.optional(.mobile, as: String.self)
            customer_agent = try row.optional(.customer_agent, as: UUID.self)
            status = try row.value(.status, as: String.self)
            priority = try row.value(.priority, as: Int.self)
            channel = try row.value(.channel, as: String.self)
            script = try row.value(.script, as: String.self)
            due_at = try row.value(.due_at, as: Date.self)
            deadline_at = try row.value(.deadline_at, as: Date.self)
            callback_at = try row.optional(.callback_at, as: Date.self)
            assigned_agent_id = try row.optional(.assigned_agent_id, as: UUID.self)
            assignment_basis = try row.optional(.assignment_basis, as: String.self)
            assignment_load = try row.optional(.assignment_load, as: Int.self)
            agent_name = try row.optional(.agent_name, as: String.self)
            reasons = try row.optional(.reasons, as: String.self)
            self.source = source
        }

        /// Rows by position when the statement's columns begin as `Column` lists them (a page is 50 rows ×
        /// 17 columns: looking each name up cost more than reading the values); any other row by name.
        static func rows(_ rows: [any SQLRow]) throws -> [Row] {
            if let first = rows.first as? InlineSQLiteRow { return try positional(rows, first: first) }
            if let first = rows.first as? PostgresCellRow { return try positional(rows, first: first) }
            return try rows.map { try Row(NamedValues(row: $0), source: $0) }
        }

        private static func positional<R: PositionalRow>(_ rows: [any SQLRow], first: R) throws -> [Row] {
            let inOrder = first.allColumns.starts(with: Column.names)
            assert(inOrder, "`read` selects the columns in the order `Column` lists them")
            return try rows.map { row in
                guard inOrder, let positional = row as? R else { return try Row(NamedValues(row: row), source: row) }
                return try Row(PositionalValues(row: positional), source: row)
            }
        }

        var reasonNames: [String] {
            guard let reasons else { return [] }
            // By byte: splitting by `Character` steps through grapheme clusters, several times slower for Chinese.
            return reasons.utf8.split(separator: TaskQueries.separatorByte, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
        }

        /// The due or deadline instant of the page's key (never NULL), or its callback (NULL when none was agreed).
        func instant(_ column: String) throws -> StoredInstant {
            try source.decode(column: column, as: StoredInstant.self)
        }
        func callback() throws -> StoredInstant? { try source.optional("callback_key", as: StoredInstant.self) }
        /// Its part of the call list.
        func part() throws -> Int { try source.decode(column: "part", as: Int.self) }
    }
    /// The columns of a `Row`, in the order the statement (`read`) selects them.
    private enum Column: Int, CaseIterable {
        case id, customer_id, name, mobile, customer_agent, status, priority, channel, script, due_at, deadline_at
        case callback_at, assigned_agent_id, assignment_basis, assignment_load, agent_name, reasons
        static let names = allCases.map { "\($0)" }
    }
    /// Where a `Row` reads its values from.
    private protocol RowValues {
        func value<D: Decodable>(_ column: Column, as type: D.Type) throws -> D
        func optional<D: Decodable>(_ column: Column, as type: D.Type) throws -> D?
    }
    /// Any row, by column name.
    private struct NamedValues: RowValues {
        let row: any SQLRow
        func value<D: Decodable>(_ column: Column, as type: D.Type) throws -> D {
            try row.decode(column: Column.names[column.rawValue], as: D.self)
        }
        func optional<D: Decodable>(_ column: Column, as type: D.Type) throws -> D? {
            try row.optional(Column.names[column.rawValue], as: D.self)
        }
    }
    /// A row whose columns begin as `Column` lists them, by position.
    private struct PositionalValues<R: PositionalRow>: RowValues {
        let row: R
        func value<D: Decodable>(_ column: Column, as type: D.Type) throws -> D {
            try row.decode(at: column.rawValue, as: D.self)
        }
        func optional<D: Decodable>(_ column: Column, as type: D.Type) throws -> D? {
            try row.optional(at: column.rawValue, as: D.self)
        }
    }
    /// The call list's parts, in order.
    private enum Part: Int {
        case callbackDue, noCallback, callbackLater
    }

    func list(_ filter: TaskFilter, viewer: User) async throws -> [TaskView] {
        try await page(filter, viewer: viewer).rows
    }

    func page(_ filter: TaskFilter, viewer: User) async throws -> KeysetPage<TaskView> {
        let rows = try await filter.callListOrder ? readCallList(filter) : read(filter)
        let page = try KeysetPage(rows, limit: filter.limit) { try cursor($0, filter) }
        return KeysetPage(views(page.rows, viewer: viewer), next: page.next)
    }

    /// The key after `row`: priority, the instant the order runs by (due, or the deadline), number; on the call
    /// list, its part and callback before them — for a task without a callback, the instant the callbacks were
    /// split at into due and later (`split(_:)`).
    private func cursor(_ row: Row, _ filter: TaskFilter) throws -> PageCursor {
        let instant = try row.instant(filter.byDeadline ? "deadline_key" : "due_key")
        let key = ["\(row.priority)", instant.text, "\(row.id)"]
        guard filter.callListOrder else { return PageCursor(key) }
        let part = try row.part()
        let second =
            part == Part.noCallback.rawValue
            ? "\(split(filter).timeIntervalSinceReferenceDate)" : try row.callback()?.text ?? ""
        return PageCursor(["\(part)", second] + key)
    }

    /// The instant the call list's callbacks are split at into due and later: when the last page that read the due
    /// callbacks was read, carried on by the cursor of a page that ended among the tasks without a callback (a cursor
    /// made before 2026-12-03 carried none). Written as `Date` holds it, so it is bound exactly as it was then.
    private func split(_ filter: TaskFilter) -> Date {
        guard let after = filter.after, after.int(0) == Part.noCallback.rawValue,
            let split = Self.split(after.values[1])
        else { return now }
        return split
    }

    /// A split as a cursor holds it, between 1970 and 2100.
    private static func split(_ text: String) -> Date? {
        guard let seconds = Double(text), (-978_307_200...3_124_137_600).contains(seconds) else { return nil }
        return Date(timeIntervalSinceReferenceDate: seconds)
    }

    /// Reads an `after` parameter of the board (`callList` false) or the call list on `db`.
    static func cursor(_ token: String, callList: Bool, on db: any Database) -> PageCursor? {
        guard let cursor = PageCursor(token: token, count: callList ? 5 : 3) else { return nil }
        let key = callList ? 2 : 0
        guard cursor.int(key) != nil, StoredInstant(cursor: cursor.values[key + 1], on: db) != nil,
            cursor.int(key + 2) != nil
        else { return nil }
        guard callList else { return cursor }
        let (part, second) = (cursor.int(0).flatMap(Part.init(rawValue:)), cursor.values[1])
        guard let part else { return nil }
        guard part == .noCallback else { return StoredInstant(cursor: second, on: db) == nil ? nil : cursor }
        return second.isEmpty || split(second) != nil ? cursor : nil
    }

    /// How many tasks the filter finds, up to `ListTotal.cap` (nil beyond).
    func count(_ filter: TaskFilter) async throws -> Int? {
        var query: SQLQueryString = "SELECT 1 FROM follow_up_tasks t"
        let conditions = conditions(filter)
        if let first = conditions.first {
            query = query + " WHERE " + conditions.dropFirst().reduce(first) { $0 + " AND " + $1 }
        }
        query = "SELECT COUNT(*) AS n FROM (" + query + " LIMIT \(unsafeRaw: String(ListTotal.cap + 1))) capped"
        struct Count: Decodable { let n: Int }
        let found = try await db.sql(names: names).raw(query).first(decoding: Count.self)?.n ?? 0
        return found > ListTotal.cap ? nil : found
    }

    /// The board: one statement, its order read on the index the filter suits.
    private func read(_ filter: TaskFilter) async throws -> [Row] {
        let order: SQLQueryString = filter.byDeadline ? "t.deadline_at, t.priority, t.id" : "t.priority, t.due_at, t.id"
        let conditions =
            conditions(filter) + after(filter.after, order: order, byDeadline: filter.byDeadline)
        let query =
            "SELECT " + Self.columns + " FROM follow_up_tasks t " + Self.joins
            + Self.clauses(conditions, order: order, limit: filter.limit + 1)
        return try Row.rows(try await db.sql(names: names).raw(query).all())
    }

    /// The call list in one statement: the first `limit + 1` keys of the callbacks (due, then later: one scan in
    /// callback order, labelled by `now`) and of the tasks without one, from the cursor's on, each read on the
    /// index; the first `limit + 1` of them all in the parts' order, then their rows. No row is chosen by comparing
    /// with `now` on the first page, so PostgreSQL's estimates do not depend on it and it keeps one generic plan for
    /// the statement instead of planning it again on every call.
    private func readCallList(_ filter: TaskFilter) async throws -> [Row] {
        let first = filter.after.flatMap { $0.int(0) }.flatMap(Part.init(rawValue:)) ?? .callbackDue
        let callbackOrder: SQLQueryString = "t.callback_at, t.priority, t.due_at, t.id"
        var callbacks = conditions(filter)
        if first == .noCallback {
            callbacks.append("t.callback_at > \(bind: split(filter))")
        } else {
            callbacks.append("t.callback_at IS NOT NULL")
            callbacks += after(filter.after, order: callbackOrder, byDeadline: false, callback: true)
        }
        // After a cursor among the tasks without a callback or the later callbacks, those later when the due ones
        // were last read stay later: one that fell due since is not skipped, and the part never goes back (to the
        // tasks without a callback, shown already).
        let label: SQLQueryString =
            first == .callbackDue ? "CASE WHEN t.callback_at <= \(bind: now) THEN 0 ELSE 2 END" : "2"
        let limit = filter.limit + 1
        var keys = Self.keys(label, conditions: callbacks, order: callbackOrder, limit: limit)
        if first != .callbackLater {
            let order: SQLQueryString = "t.priority, t.due_at, t.id"
            var plain = conditions(filter) + ["t.callback_at IS NULL"]
            if first == .noCallback { plain += after(filter.after, order: order, byDeadline: false) }
            keys = keys + " UNION ALL " + Self.keys("1", conditions: plain, order: order, limit: limit)
        }
        let query =
            "SELECT " + Self.columns + ", k.part FROM (" + keys
            + " ORDER BY part, callback_at, priority, due_at, id LIMIT \(unsafeRaw: String(limit))) k "
            + "JOIN follow_up_tasks t ON t.id = k.id " + Self.joins
            + " ORDER BY k.part, t.callback_at, t.priority, t.due_at, t.id"
        return try Row.rows(try await db.sql(names: names).raw(query).all())
    }

    /// Keys of the call list: the first `limit` tasks meeting `conditions` in `order`, `label` their part.
    private static func keys(_ label: SQLQueryString, conditions: [SQLQueryString], order: SQLQueryString, limit: Int)
        -> SQLQueryString
    {
        "SELECT id, part, callback_at, priority, due_at FROM (SELECT t.id, " + label + " AS part, "
            + "t.callback_at, t.priority, t.due_at FROM follow_up_tasks t"
            + clauses(conditions, order: order, limit: limit) + ") p"
    }

    /// The columns of a `Row` in `Column`'s order (the reasons' names as one text, in the order given,
    /// `reasonSeparator` between them), then the instants of the page's key.
    private static let columns: SQLQueryString = """
        t.id, t.customer_id, c.name, c.mobile, c.assigned_agent_id AS customer_agent, t.status, t.priority,
        t.channel, t.script, t.due_at, t.deadline_at, t.callback_at, t.assigned_agent_id, t.assignment_basis,
        t.assignment_load, a.display_name AS agent_name,
        (SELECT string_agg(REPLACE(COALESCE(u.name, ''), \(bind: reasonSeparator), ''), \(bind: reasonSeparator)
                ORDER BY r.id)
         FROM follow_up_task_reasons r LEFT JOIN rules u ON u.id = r.rule_id WHERE r.task_id = t.id) AS reasons,
        t.due_at AS due_key, t.deadline_at AS deadline_key, t.callback_at AS callback_key
        """
    private static let joins: SQLQueryString =
        "JOIN customers c ON c.id = t.customer_id LEFT JOIN users a ON a.id = t.assigned_agent_id"

    /// The condition that a row comes after the key `after` ends with: (callback,) priority, due, id; or deadline,
    /// priority, id.
    private func after(_ after: PageCursor?, order: SQLQueryString, byDeadline: Bool, callback: Bool = false)
        -> [SQLQueryString]
    {
        guard let after else { return [] }
        let key = after.values.suffix(3).map { $0 }
        let (priority, instant, id) = (Int(key[0])!, StoredInstant(cursor: key[1], on: db)!, Int(key[2])!)
        var values: SQLQueryString =
            byDeadline
            ? "\(instant.bind), \(bind: priority), \(bind: id)"
            : "\(bind: priority), \(instant.bind), \(bind: id)"
        if callback { values = "\(StoredInstant(cursor: after.values[1], on: db)!.bind), " + values }
        return ["(" + order + ") > (" + values + ")"]
    }

    private static func clauses(_ conditions: [SQLQueryString], order: SQLQueryString, limit: Int) -> SQLQueryString {
        var query: SQLQueryString = ""
        if let first = conditions.first {
            query = " WHERE " + conditions.dropFirst().reduce(first) { $0 + " AND " + $1 }
        }
        return query + " ORDER BY " + order + " LIMIT \(unsafeRaw: String(limit))"
    }

    private func conditions(_ filter: TaskFilter) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        if let status = filter.status { conditions.append("t.status = \(bind: status.rawValue)") }
        if let agent = filter.agentID { conditions.append("t.assigned_agent_id = \(bind: agent)") }
        if filter.unassigned { conditions.append("t.assigned_agent_id IS NULL") }
        if let due = filter.dueFrom { conditions.append("t.due_on >= \(bind: due.iso)") }
        if let due = filter.dueBy { conditions.append("t.due_on <= \(bind: due.iso)") }
        if filter.overdue { conditions.append("t.status = 'open' AND t.deadline_at < \(bind: now)") }
        return conditions
    }

    /// Between the names of a task's reasons as read (`Row.reasons`; U+001F, a control character); a name's own are
    /// left out.
    static let separatorByte: UInt8 = 0x1F
    static let reasonSeparator = String(UnicodeScalar(separatorByte))

    private func views(_ rows: [Row], viewer: User) -> [TaskView] {
        let (role, viewerID) = (viewer.role, viewer.id)  // read once: a model's properties are not plain fields
        var templates: [String: String] = [:]  // of the assignment's sentence, by basis
        return rows.map { row in
            let sees = canSeeContactDetails(
                role: role, isAssignedAgent: row.assigned_agent_id == viewerID || row.customer_agent == viewerID)
            let phone = row.mobile.map(PhoneNumber.init(normalised:))
            let agent = row.agent_name
            var assignment: String?
            if let agent, let basis = row.assignment_basis {
                let template = templates[basis] ?? Catalogue.text("basis." + basis, language)
                templates[basis] = template
                assignment = Catalogue.fill(template, [agent, String(row.assignment_load ?? 0)])
            }
            return TaskView(
                id: row.id, customerID: row.customer_id, customerName: row.name,
                mobile: sees ? phone?.display : phone?.masked, dial: sees ? phone?.e164 : nil,
                dialURL: sees ? phone.map(config.dial.url) : nil, status: row.status, priority: row.priority,
                channel: row.channel, reasons: row.reasonNames, script: row.script,
                dueAt: config.formatDateTime(row.due_at), deadlineAt: config.formatDateTime(row.deadline_at),
                callbackAt: row.callback_at.map { config.formatDateTime($0) }, agent: agent, assignment: assignment)
        }
    }

    /// The list as a CSV file (through `CSVWriter`: UTF-8 with a byte-order mark, formulas neutralised).
    static func csv(_ tasks: [TaskView], language: Language, includeAgent: Bool = false) -> String {
        func t(_ key: String) -> String { Catalogue.text(key, language) }
        var heading = [
            "tasks.customer", "tasks.mobile", "tasks.reasons", "tasks.priority", "tasks.due", "tasks.deadline",
            "tasks.callback", "rules.channel", "rules.script",
        ]
        if includeAgent { heading += ["tasks.agent", "tasks.assignment"] }
        var rows: [[CSVCell]] = [heading.map { .text(t($0)) }]
        for task in tasks {
            var row: [CSVCell] = [
                .text(task.customerName), .text(task.mobile ?? ""), .text(task.reasons.joined(separator: "；")),
                .number(task.priority), .text(task.dueAt), .text(task.deadlineAt), .text(task.callbackAt ?? ""),
                .text(t("channel." + task.channel)), .text(task.script),
            ]
            if includeAgent { row += [.text(task.agent ?? ""), .text(task.assignment ?? "")] }
            rows.append(row)
        }
        return CSVWriter.document(rows)
    }
}
