import FluentSQLiteDriver
import SQLKit

/// SQLite's dialect as SQLiteKit defines it, except that identifiers are quoted without searching them for quotes
/// to double. SQLKit doubles a quote inside an identifier when the dialect's quote is raw text, with a generic string
/// replacement that cost a tenth of the server's CPU time on every request (issue 13's profile); every identifier
/// here is a table or column name written in the program (never a caller's input), and none contains a quote.
struct StatementDialect: SQLDialect {
    private let base = SQLiteDialect()

    /// Writes `"`: not `SQLRaw`, so SQLKit writes the identifier between two of these as it is.
    private struct IdentifierQuote: SQLExpression {
        func serialize(to serializer: inout SQLSerializer) { serializer.write("\"") }
    }

    var name: String { base.name }
    var identifierQuote: any SQLExpression { IdentifierQuote() }
    var literalStringQuote: any SQLExpression { base.literalStringQuote }
    func bindPlaceholder(at position: Int) -> any SQLExpression { base.bindPlaceholder(at: position) }
    func literalBoolean(_ value: Bool) -> any SQLExpression { base.literalBoolean(value) }
    var literalDefault: any SQLExpression { base.literalDefault }
    var supportsIfExists: Bool { base.supportsIfExists }
    var supportsDropBehavior: Bool { base.supportsDropBehavior }
    var supportsAutoIncrement: Bool { base.supportsAutoIncrement }
    var autoIncrementClause: any SQLExpression { base.autoIncrementClause }
    var enumSyntax: SQLEnumSyntax { base.enumSyntax }
    var triggerSyntax: SQLTriggerSyntax { base.triggerSyntax }
    var alterTableSyntax: SQLAlterTableSyntax { base.alterTableSyntax }
    var upsertSyntax: SQLUpsertSyntax { base.upsertSyntax }
    var supportsReturning: Bool { base.supportsReturning }
    var unionFeatures: SQLUnionFeatures { base.unionFeatures }
    func customDataType(for dataType: SQLDataType) -> (any SQLExpression)? { base.customDataType(for: dataType) }
    func nestedSubpathExpression(in column: any SQLExpression, for path: [String]) -> (any SQLExpression)? {
        base.nestedSubpathExpression(in: column, for: path)
    }
}
