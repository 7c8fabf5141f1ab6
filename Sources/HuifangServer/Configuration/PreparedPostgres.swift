import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Huifang's own SQL on PostgreSQL, run as named prepared statements: each connection parses and plans a statement
/// once and from then on only binds and executes it. Unnamed statements, which PostgresKit sends, are parsed and
/// planned again on every call, and that was more than half of what PostgreSQL spent on the busiest calls.
///
/// Only statements worth keeping are prepared: a query or change (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `WITH`)
/// that names its columns (no `*`), seen a second time, with at most `PreparedNames.maximumBinds` values, whose
/// every value is a plain PostgreSQL value (text, number, instant, uuid, Boolean, bytes) or nothing, and while
/// fewer than `PreparedNames.capacity` statements have names. Everything else runs exactly as PostgresKit runs it.
struct PreparingPostgresSQL: SQLDatabase {
    let base: any SQLDatabase & PostgresDatabase
    var names = PreparedNames.shared

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        eventLoop.makeFutureWithTask { try await execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        guard let bindings = PreparedNames.bindings(binds),
            let name = names.name(for: sql, types: bindings.types)
        else { return try await base.execute(sql: Serialized(sql: sql, binds: binds), onRow) }
        if let level = base.queryLogLevel {
            logger.log(level: level, "Executing query", metadata: ["sql": .string(sql), "prepared": .string(name)])
        }
        let statement = NamedStatement(bindings: bindings.values)
        let current = NamedStatement.Current(name: name, sql: sql)
        try await base.withConnection { connection in
            // A task of its own: the pool calls this from its event loop, outside the caller's task.
            connection.eventLoop.makeFutureWithTask {
                try await NamedStatement.$current.withValue(current) {
                    for try await row in try await connection.execute(statement, logger: connection.logger) {
                        onRow(PostgresCellRow(row))
                    }
                }
            }
        }.get()
    }

    func withSession<R: Sendable>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    {
        try await base.withSession(closure)
    }
}

/// A statement serialized already, handed on as it is: PostgresKit would otherwise serialize it again, and quoting
/// each column's name (SQLKit escapes it with a string search) was 3 % of the CPU of opening a ticket.
private struct Serialized: SQLExpression {
    let sql: String
    let binds: [any Encodable & Sendable]

    func serialize(to serializer: inout SQLSerializer) {
        precondition(serializer.sql.isEmpty && serializer.binds.isEmpty, "a statement of its own, not a part")
        serializer.write(sql)
        serializer.binds = binds
    }
}

/// The statement `PreparingPostgresSQL` is running. PostgresNIO names and reads a prepared statement through its
/// type (`name`, `sql`); Huifang's statements are only known at run time, so the type reads them from the task
/// that runs it, and PostgresNIO reads them there, before it hands the statement to the connection.
private struct NamedStatement: PostgresPreparedStatement {
    struct Current: Sendable {
        let name: String
        let sql: String
    }

    @TaskLocal static var current = Current(name: "", sql: "")
    static var name: String { current.name }
    static var sql: String { current.sql }
    /// None given: PostgresNIO then takes the types of the first values bound, which `PreparedNames` keys by.
    static var bindingDataTypes: [PostgresDataType] { [] }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// The names given to statements, one process-wide list: a name always means the same text with the same types
/// of values, so any connection may prepare it under that name.
final class PreparedNames: Sendable {
    static let shared = PreparedNames(prefix: "huifang_")
    /// Statements with more values are bulk writes or long lists, different almost every time. The widest that
    /// repeats is opening a ticket (`OpenedTicketInsert`, 46 values).
    static let maximumBinds = 64
    /// Each name costs every connection that uses it a plan's memory in PostgreSQL.
    static let capacity = 512
    /// Statements seen once are remembered up to this many; then the memory starts over.
    static let seenCapacity = 8_192

    /// Begins every name: another list (a test's) must never give a name this one gave to other text.
    let prefix: String

    init(prefix: String) { self.prefix = prefix }

    private struct Key: Hashable {
        let sql: String
        let types: [PostgresDataType]
    }

    private struct State {
        var names: [Key: String] = [:]
        var seen: Set<Key> = []
    }

    private let state = NIOLockedValueBox(State())

    /// The statement's name, or nil while it should run unnamed: the first time it is seen, or when the list is full.
    func name(for sql: String, types: [PostgresDataType]) -> String? {
        let key = Key(sql: sql, types: types)
        return state.withLockedValue { state in
            if let name = state.names[key] { return name }
            guard state.seen.contains(key) else {
                if state.seen.count >= Self.seenCapacity { state.seen.removeAll() }
                state.seen.insert(key)
                return nil
            }
            // Looked at only here: scanning every statement's text on every call cost 5 % of the call list's CPU.
            guard state.names.count < Self.capacity, Self.preparable(sql) else { return nil }
            let name = "\(prefix)\(state.names.count + 1)"
            state.names[key] = name
            return name
        }
    }

    /// A query or change that names the columns it returns. A prepared statement keeps the columns `*` stood for
    /// when it was prepared: after a newer version's migration added one, PostgreSQL would refuse it ("cached plan
    /// must not change result type") on every connection of the instances still running.
    static func preparable(_ sql: String) -> Bool {
        let start = sql.prefix(7).uppercased()
        guard ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(where: { start.hasPrefix($0) }) else {
            return false
        }
        return !sql.contains(".*") && !sql.uppercased().contains("SELECT *")
            && !sql.uppercased().contains("RETURNING *")
    }

    /// The values as PostgreSQL values, or nil when one of them needs PostgresKit's `Codable` path.
    static func bindings(_ binds: [any Encodable & Sendable]) -> (values: PostgresBindings, types: [PostgresDataType])?
    {
        guard binds.count <= maximumBinds else { return nil }
        var values = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(binds.count)
        for bind in binds {
            if let optional = bind as? any NullableBind, optional.isNone {
                // A typed NULL, as PostgresKit sends it: `$1 IS NULL` needs to know what $1 is.
                guard let type = optional.wrappedType else { return nil }
                values.append(PostgresData(type: type))
                types.append(type)
            } else if let value = bind as? any PostgresThrowingDynamicTypeEncodable {
                guard (try? values.append(value, context: .default)) != nil else { return nil }
                types.append(value.psqlType)
            } else {
                return nil
            }
        }
        return (values, types)
    }
}

/// An optional value bound to a statement: whether it holds nothing, and the PostgreSQL type it would have.
private protocol NullableBind {
    var isNone: Bool { get }
    var wrappedType: PostgresDataType? { get }
}

extension Optional: NullableBind {
    fileprivate var isNone: Bool { self == nil }
    fileprivate var wrappedType: PostgresDataType? { (Wrapped.self as? any PostgresEncodable.Type)?.psqlType }
}

/// A row whose columns can also be read by their place in the statement's result, for a caller that knows the
/// columns' order and so need not look each name up (SQLite's `InlineSQLiteRow`, PostgreSQL's `PostgresCellRow`).
protocol PositionalRow: SQLRow {
    func decode<D: Decodable>(at offset: Int, as type: D.Type) throws -> D
    func optional<D: Decodable>(at offset: Int, as type: D.Type) throws -> D?
}

extension InlineSQLiteRow: PositionalRow {}

/// A PostgreSQL row as `PreparingPostgresSQL` hands it on: by name exactly as PostgresKit reads it, and by position
/// the common types straight from the cell, without PostgresKit's `Codable` path (a quarter of the call list's time).
struct PostgresCellRow: PositionalRow {
    let cells: PostgresRandomAccessRow
    let named: any SQLRow

    init(_ row: PostgresRow) {
        cells = PostgresRandomAccessRow(row)
        named = row.sql(decodingContext: .default)
    }

    var allColumns: [String] { named.allColumns }
    func contains(column: String) -> Bool { named.contains(column: column) }
    func decodeNil(column: String) throws -> Bool { try named.decodeNil(column: column) }
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        try named.decode(column: column, as: D.self)
    }

    func decode<D: Decodable>(at offset: Int, as type: D.Type) throws -> D {
        let cell = cells[offset]
        return try Self.direct(cell, as: D.self) ?? named.decode(column: cell.columnName, as: D.self)
    }

    func optional<D: Decodable>(at offset: Int, as type: D.Type) throws -> D? {
        cells[offset].bytes == nil ? nil : try decode(at: offset, as: D.self)
    }

    /// The types PostgresKit too decodes straight from the cell; nil for any other, and for a type of the
    /// database's own (an enum), which PostgresKit reads differently.
    private static func direct<D>(_ cell: PostgresCell, as type: D.Type) throws -> D? {
        guard !cell.dataType.isUserDefined else { return nil }
        if D.self == String.self { return try cell.decode(String.self) as? D }
        if D.self == Int.self { return try cell.decode(Int.self) as? D }
        if D.self == UUID.self { return try cell.decode(UUID.self) as? D }
        if D.self == Date.self { return try cell.decode(Date.self) as? D }
        if D.self == Bool.self { return try cell.decode(Bool.self) as? D }
        return nil
    }
}
