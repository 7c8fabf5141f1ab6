import Foundation

/// One cell of a CSV file Huifang writes: text, or a whole number.
///
/// Text that a spreadsheet would run as a formula is neutralised; a number is written as it is, so a
/// negative figure (an NPS of -20) stays a number a spreadsheet can add up.
public enum CSVCell: Sendable, Equatable, ExpressibleByStringLiteral {
    case text(String)
    case number(Int)

    public init(stringLiteral value: String) { self = .text(value) }

    /// A field as a report writes it: a whole number in its plain form (`42`, `-20`) is a number,
    /// anything else is text. Safe for any field, because such a number can never be a formula.
    public static func inferred(_ field: String) -> CSVCell {
        if let number = Int(field), String(number) == field { return .number(number) }
        return .text(field)
    }
}

/// The one CSV writer of the product: RFC 4180 quoting, CRLF line ends, UTF-8 with a byte-order mark
/// (so spreadsheet programs read the Chinese), and text cells neutralised against formula injection.
public enum CSVWriter {
    /// What a spreadsheet reads as the start of a formula (or, for tab and carriage return, skips to one).
    public static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]
    public static let byteOrderMark = "\u{FEFF}"

    /// Text a spreadsheet would run as a formula, prefixed with `'` so it shows as text.
    public static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, formulaStarts.contains(Character(first)) else { return text }
        return "'" + text
    }

    /// One field as written in the file: neutralised text, quoted when it holds a comma, quote or line break.
    public static func field(_ cell: CSVCell) -> String {
        switch cell {
        case .number(let number):
            return String(number)
        case .text(let text):
            let safe = neutralised(text)
            let needsQuotes = safe.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            guard needsQuotes else { return safe }
            return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// A whole file: one line per row, each ending in CRLF; with a byte-order mark unless told otherwise.
    public static func document(_ rows: [[CSVCell]], byteOrderMark: Bool = true) -> String {
        let body = rows.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
        return (byteOrderMark ? Self.byteOrderMark : "") + body
    }

    /// A whole file of text rows (every cell text).
    public static func document(text rows: [[String]], byteOrderMark: Bool = true) -> String {
        document(rows.map { $0.map(CSVCell.text) }, byteOrderMark: byteOrderMark)
    }
}
