import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// A model whose new rows are written by `RowInsert` rather than `create(on:)` (`insert(on:)`).
protocol RowInserted: Model where IDValue == Int {
    /// Every field but the id, as the row is written.
    var insertedRow: [RowInsert.Column] { get }
    /// The model's `$id`, marked as existing once the row is written.
    var idProperty: IDProperty<Self, Int> { get }
    /// Sets the timestamps `create(on:)` sets, to the moment of writing.
    func stampCreation(_ moment: Date)
}

extension RowInserted {
    func stampCreation(_ moment: Date) {}

    /// Writes this new model as `create(on:)` would: its creation timestamps set to the moment of writing, and the
    /// model left as `create(on:)` leaves it — holding the id the database gave it, known to exist, nothing pending
    /// (a later `update(on:)` writes only what changes after).
    func insert(on db: any Database) async throws {
        precondition(!idProperty.exists, "\(Self.self) is stored already: update it")
        stampCreation(Date())
        let row = insertedRow
        let id = try await RowInsert(into: Self.schema, row).run(on: db)
        try output(from: InsertedOutput(row + [("id", id)]))
    }
}

/// The values a `RowInsert` wrote, read back into its model as Fluent reads a row (`Fields.output(from:)`), so that
/// the model holds them as stored rather than as set.
struct InsertedOutput: DatabaseOutput {
    private let values: [String: any Encodable & Sendable]

    init(_ columns: [RowInsert.Column]) {
        values = Dictionary(columns.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    var description: String { "\(values.keys.sorted())" }
    func schema(_ schema: String) -> any DatabaseOutput { self }
    func contains(_ key: FieldKey) -> Bool { values[key.description] != nil }

    func decodeNil(_ key: FieldKey) throws -> Bool {
        (values[key.description] as? any OptionalValue)?.isNone ?? false
    }

    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        guard let value = values[key.description] as? T else {
            throw FluentError.missingField(name: "\(key.description) as \(T.self)")
        }
        return value
    }
}

private protocol OptionalValue { var isNone: Bool { get } }
extension Optional: OptionalValue { fileprivate var isNone: Bool { self == nil } }

/// One new row written by one statement, answering the id the database gave it (`RETURNING id`, on SQLite and
/// PostgreSQL alike): for the rows the busiest calls write, instead of Fluent's `create(on:)`, whose query builder
/// makes more model instances and builds the statement anew on every call.
///
/// Each value is bound as Fluent binds it (an optional without a value is `NULL`); a model writing through it lists
/// every field but the id, which `RowInsertTests` checks against the model and against the row `create(on:)` writes.
struct RowInsert {
    typealias Column = (name: String, value: any Encodable & Sendable)

    let table: String
    let columns: [Column]

    init(into table: String, _ columns: [Column]) {
        (self.table, self.columns) = (table, columns)
    }

    private struct Inserted: Decodable { let id: Int }

    func run(on db: any Database) async throws -> Int {
        let names = SQLQueryString(columns.map(\.name).joined(separator: ", "))
        let statement: SQLQueryString =
            "INSERT INTO \(ident: table) (" + names + ") VALUES (\(binds: columns.map(\.value))) RETURNING id"
        guard let row = try await db.sql.raw(statement).first(decoding: Inserted.self) else {
            throw RowInsertError.noID(table: table)
        }
        return row.id
    }
}

enum RowInsertError: Error, CustomStringConvertible {
    case noID(table: String)

    var description: String {
        switch self {
        case .noID(let table): "an insert into \(table) answered no id"
        }
    }
}

/// Lists of column names as SQL (`"kind", "category", …`), quoted once per list and kept: quoting each name anew
/// (SQLKit escapes it with a string search) was 6 % of the CPU of opening a ticket on PostgreSQL. Both databases
/// quote names with double quotes. The lists come from the code, so they are few.
enum QuotedColumns {
    private static let kept = NIOLockedValueBox([[String]: String]())

    static func list(_ names: [String]) -> SQLQueryString {
        if let text = kept.withLockedValue({ $0[names] }) { return "\(unsafeRaw: text)" }
        let text = names.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ", ")
        kept.withLockedValue { kept in
            if kept.count >= 256 { kept.removeAll() }
            kept[names] = text
        }
        return "\(unsafeRaw: text)"
    }
}
