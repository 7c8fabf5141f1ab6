import Fluent
import FluentPostgresDriver
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// The parameters of a keyset-paged list, the same for every list: `limit` and `after` (the previous
/// page's `nextCursor`).
extension Request {
    /// `limit`, clamped to 1…`maximum`; one that is not a whole number is a `422` naming `limit`.
    func pageLimit(default standard: Int = 50, maximum: Int = 500) throws -> Int {
        min(max(try integerQuery("limit") ?? standard, 1), maximum)
    }

    /// A whole-number query parameter: `nil` when absent or empty, a `422` naming it when it is not a whole number
    /// (rather than quietly read as absent).
    func integerQuery(_ name: String) throws -> Int? {
        guard let text = queryValue(name), !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw NamedFieldError(field: name, key: "problem.wholeNumber") }
        return value
    }

    /// The JSON body, or `nil` when the request has none; a body that is not the expected JSON is refused (`400`)
    /// rather than taken as no body.
    func optionalBody<Body: Decodable>(_ type: Body.Type) throws -> Body? {
        guard let body = self.body.data, body.readableBytes > 0 else { return nil }
        return try content.decode(type)
    }

    /// A yes/no query parameter (`true`/`false`, `1`/`0`): `nil` when absent or empty, a `422` naming it otherwise.
    func flagQuery(_ name: String) throws -> Bool? {
        guard let text = query[String.self, at: name], !text.isEmpty else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw NamedFieldError(field: name, key: "problem.trueOrFalse")
        }
    }

    /// The `after` cursor as the list reads it; a token the list did not give out is a `422` naming `after`.
    func pageCursor(_ read: (String) -> PageCursor?) throws -> PageCursor? {
        guard let token = queryValue("after"), !token.isEmpty else { return nil }
        guard let cursor = read(token) else { throw NamedFieldError(field: "after", key: "problem.cursor") }
        return cursor
    }

    /// An export's audit detail: how many rows, and the filter they were chosen by (the query string).
    func exportDetail(count: Int) -> String {
        "count=\(count)" + (url.query.map { " " + $0 } ?? "")
    }

    /// A list's filter parameter, trimmed; nil when absent or blank.
    func queryText(_ key: String) -> String? {
        queryValue(key).map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A query parameter as sent; without a query string, nil at once (decoding an empty one costs more than a
    /// busy list's own reading).
    private func queryValue(_ key: String) -> String? {
        guard url.query != nil else { return nil }
        return query[String.self, at: key]
    }

    /// A list's date parameter (`2026-03-05`); nil when absent, a `422` naming it when it is not a date.
    func queryDate(_ key: String) throws -> LocalDate? {
        guard let raw = queryText(key) else { return nil }
        guard let day = LocalDate(parsing: raw) else { throw NamedFieldError(field: key, key: "problem.invalidDate") }
        return day
    }

    /// This page's address with `after` set to `cursor`: the next page's link (nil on the last page).
    func nextPageURL(_ cursor: PageCursor?) -> String? {
        guard let cursor, var components = URLComponents(string: url.string) else { return nil }
        components.queryItems =
            (components.queryItems ?? []).filter { $0.name != "after" }
            + [URLQueryItem(name: "after", value: cursor.token)]
        return components.string
    }
}

/// An instant exactly as the database stores it, for a cursor: SQLite keeps seconds as a REAL, PostgreSQL
/// whole microseconds. Going through `Date` would round either, and a cursor that is off by a microsecond
/// repeats or skips the row it stopped at.
struct StoredInstant: Decodable, Sendable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            text = "\(seconds)"
        } else {
            let date = try container.decode(Date.self)
            text = "µ\(Int64((date.timeIntervalSince(Self.postgresEpoch) * 1_000_000).rounded()))"
        }
    }

    /// `text` of a cursor when it is an instant as `db` stores them (`µ` and microseconds since 2000 on PostgreSQL,
    /// seconds since 1970 on SQLite) within 30,000 years: every date of years 1 to 9999 (which a row may hold), and
    /// none the driver cannot bind (PostgreSQL's stops the process beyond about 292,000 years).
    init?(cursor text: String, on db: any Database) {
        if db is any PostgresDatabase {
            guard text.hasPrefix("µ"), let micros = Int64(text.dropFirst()),
                micros.magnitude < 1_000_000_000_000_000_000
            else { return nil }
        } else {
            guard let seconds = Double(text), seconds.isFinite, abs(seconds) < 1_000_000_000_000 else { return nil }
        }
        self.text = text
    }

    /// The value to compare the column with: the same REAL, or a `Date` that PostgreSQL reads as the same microsecond.
    var bind: SQLBind {
        guard text.hasPrefix("µ"), let micros = Int64(text.dropFirst()) else { return SQLBind(Double(text) ?? 0) }
        // Half a microsecond more, because the driver truncates to whole microseconds.
        return SQLBind(Self.postgresEpoch.addingTimeInterval((Double(micros) + 0.5) / 1_000_000))
    }

    private static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)
}

/// Lists newest first by instant and id (`at DESC, id DESC`): the call log and the audit log. Both tables
/// have an index ending in (at, id) for each filter, so a page is read off the index from the cursor on.
enum NewestFirst {
    /// The page of `query` (sorted by at and id, both descending) after the cursor.
    static func page<M: Model>(
        _ query: QueryBuilder<M>, table: String, after: PageCursor?,
        limit: Int, on db: any Database
    ) async throws -> KeysetPage<M> where M.IDValue == Int {
        if let after, let at = StoredInstant(cursor: after.values[0], on: db), let id = after.int(1) {
            query.filter(.sql(embed: "(\(ident: table).at, \(ident: table).id) < (\(at.bind), \(bind: id))"))
        }
        let found = try await query.limit(limit + 1).all()
        let rows = Array(found.prefix(limit))
        guard found.count > limit, let last = rows.last?.id else { return KeysetPage(rows, next: nil) }
        return KeysetPage(rows, next: try await cursor(table: table, id: last, on: db))
    }

    /// The cursor after row `id`: its instant exactly as stored, and its id.
    private static func cursor(table: String, id: Int, on db: any Database) async throws -> PageCursor? {
        struct Key: Decodable { let at: StoredInstant }
        let key = try await db.sql.raw("SELECT at FROM \(ident: table) WHERE id = \(bind: id)")
            .first(decoding: Key.self)
        return key.map { PageCursor([$0.at.text, "\(id)"]) }
    }

    /// Reads an `after` parameter of a list on `db`.
    static func cursor(_ token: String, on db: any Database) -> PageCursor? {
        guard let cursor = PageCursor(token: token, count: 2), StoredInstant(cursor: cursor.values[0], on: db) != nil,
            cursor.int(1) != nil
        else { return nil }
        return cursor
    }
}

/// A list's total above its rows: exact up to `cap`, "more than `cap`" beyond, so counting stops at the
/// `cap + 1`-th row the filter finds (on a filter's index, that many entries) and a list never stops without saying
/// so.
enum ListTotal {
    static let cap = 1000
}

extension QueryBuilder {
    /// The number of rows this query finds, or nil when there are more than `ListTotal.cap`.
    func countUpToCap() async throws -> Int? {
        let found = try await copy().limit(ListTotal.cap + 1).all(\._$id).count
        return found > ListTotal.cap ? nil : found
    }
}

extension Request {
    /// "共 12 条", or "超过 1000 条，请用筛选缩小范围" when the count stopped at the cap.
    func listTotal(_ count: Int?) -> String {
        count.map { t("list.total", "\($0)") } ?? t("list.moreThan", "\(ListTotal.cap)")
    }
}

extension SQLRow {
    /// A column that may be NULL, read as SQLKit's row decoder reads an optional property.
    func optional<D: Decodable>(_ column: String, as type: D.Type = D.self) throws -> D? {
        try decodeNil(column: column) ? nil : decode(column: column, as: D.self)
    }
}
