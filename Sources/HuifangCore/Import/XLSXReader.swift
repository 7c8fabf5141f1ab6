import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the rows of an Excel workbook (`.xlsx`) as the CSV reader reads a file: one record per row, numbered as Excel
/// numbers its rows, so that a problem names the row a person sees.
///
/// What Excel and other spreadsheet programs really write is read as the text a person saw: shared and inline strings,
/// numbers without a trailing `.0` (a mobile typed as a number), member IDs kept as text with their leading zeros,
/// dates and times stored as serial numbers with a date format (1900 or 1904 date system) written `2025-03-01` or
/// `2025-03-01 14:30:00`, formula results, booleans as `TRUE`/`FALSE`. The first worksheet that holds a cell is read
/// (hidden sheets skipped); empty rows are left out; title rows above the headings — a single value in cells merged
/// across columns — are skipped.
public enum XLSXReader {
    /// A ZIP archive starts with `PK\u{3}\u{4}`; every workbook is one.
    public static func isWorkbook(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    /// The most one part of a workbook may unpack to (a sheet of some 700,000 rows): a small file that unpacks to
    /// gigabytes (a "ZIP bomb") is refused before it fills the memory.
    public static let partLimit = 512 << 20

    /// The most fields the records of a sheet may hold, empty ones before a row's last value included: 16 million,
    /// some 700,000 rows of 24 columns (the most one part may unpack to holds about as many).
    public static let cellLimit = 1 << 24

    public static func records(
        _ bytes: [UInt8], partLimit: Int = partLimit, cellLimit: Int = cellLimit
    ) throws(ImportFileProblem) -> [CSVRecord] {
        do {
            let archive = try Archive(data: Data(bytes), accessMode: .read)
            let book = try Workbook(archive, limit: partLimit)
            for sheet in book.sheets {
                let read = try SheetReader.read(
                    try book.part(sheet), strings: book.strings, styles: book.styles, cellLimit: cellLimit)
                let records = try read.records(date1904: book.date1904, cellLimit: cellLimit)
                if !records.isEmpty { return records }
            }
            throw ImportFileProblem.empty
        } catch let problem as ImportFileProblem {
            throw problem
        } catch {
            throw .unreadableWorkbook
        }
    }
}

/// The parts of a workbook every sheet needs: its visible sheets in order, shared strings, which styles are dates.
private struct Workbook {
    let archive: Archive
    let sheets: [String]
    let strings: [String]
    let styles: [Bool]
    let date1904: Bool
    let limit: Int

    init(_ archive: Archive, limit: Int) throws {
        (self.archive, self.limit) = (archive, limit)
        let relations = ElementCollector(["Relationship"])
        try relations.parse(Self.extract("xl/_rels/workbook.xml.rels", from: archive, limit: limit))
        var targets: [String: String] = [:]
        for element in relations.elements {
            guard let id = element["Id"], let target = element["Target"] else { continue }
            targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        let book = ElementCollector(["sheet", "workbookPr"])
        try book.parse(Self.extract("xl/workbook.xml", from: archive, limit: limit))
        // Each part once: a sheet listed many times must not be unpacked and read as many times.
        var listed: Set<String> = []
        sheets = book.elements.filter { $0.name == "sheet" && ($0["state"] ?? "visible") == "visible" }
            .compactMap { $0["r:id"].flatMap { targets[$0] } }.filter { listed.insert($0).inserted }
        date1904 = book.elements.contains { $0.name == "workbookPr" && ["1", "true"].contains($0["date1904"] ?? "") }
        // Both parts are optional: a workbook of numbers only has no shared strings.
        let shared =
            archive["xl/sharedStrings.xml"] == nil
            ? nil : try Self.extract("xl/sharedStrings.xml", from: archive, limit: limit)
        strings = try shared.map { try SharedStrings.read($0) } ?? []
        let styleSheet =
            archive["xl/styles.xml"] == nil
            ? nil : try Self.extract("xl/styles.xml", from: archive, limit: limit)
        styles = try styleSheet.map { try DateStyles.read($0) } ?? []
    }

    func part(_ path: String) throws -> Data { try Self.extract(path, from: archive, limit: limit) }

    /// A part unpacked, refused as soon as it passes `limit` bytes (whatever size its header claims).
    static func extract(_ path: String, from archive: Archive, limit: Int) throws -> Data {
        guard let entry = archive[path] else { throw ImportFileProblem.unreadableWorkbook }
        guard entry.uncompressedSize <= limit else { throw ImportFileProblem.workbookTooLarge }
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: false) { chunk in
            guard data.count + chunk.count <= limit else { throw ImportFileProblem.workbookTooLarge }
            data.append(chunk)
        }
        return data
    }
}

/// Foundation's XML parser fed as a stream: given a whole document of more than a few megabytes at once (a sheet of
/// 20,000 rows), libxml2 refuses it at its end; in chunks it reads any size.
private enum XMLStream {
    static func parse(_ data: Data, with delegate: any XMLParserDelegate) throws {
        let parser = XMLParser(stream: InputStream(data: data))
        parser.delegate = delegate
        guard parser.parse() else {
            throw (delegate as? any Bounded)?.refusal ?? ImportFileProblem.unreadableWorkbook
        }
    }

    /// The most a reader keeps of one part: elements, styles or strings (Excel's own limits are far lower), and
    /// the bytes of one text (Excel holds 32,767 characters in a cell). A part beyond them is no workbook a
    /// person wrote, and must not fill the memory (`XLSXReader.cellLimit` bounds a sheet's cells and rows).
    static let elementLimit = 1 << 16
    static let textLimit = 32_767 * 4
}

/// A reader that stops a part it will not hold, and says why.
private protocol Bounded: AnyObject {
    var refusal: ImportFileProblem? { get set }
}

/// An element's name and attributes.
private struct Element {
    let name: String
    let attributes: [String: String]
    subscript(key: String) -> String? { attributes[key] }
}

/// Collects the elements of the given names from a document, in order.
private final class ElementCollector: NSObject, XMLParserDelegate, Bounded {
    let names: Set<String>
    var elements: [Element] = []
    var refusal: ImportFileProblem?

    init(_ names: Set<String>) { self.names = names }

    func parse(_ data: Data) throws {
        try XMLStream.parse(data, with: self)
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard names.contains(name) else { return }
        guard elements.count < XMLStream.elementLimit else { return stop(parser, .unreadableWorkbook) }
        elements.append(Element(name: name, attributes: attributes))
    }
}

/// The shared strings table: the text of each `<si>`, rich-text runs joined, phonetic guides (`<rPh>`) left out.
private final class SharedStrings: NSObject, XMLParserDelegate, Bounded {
    var strings: [String] = []
    var refusal: ImportFileProblem?
    private var current = ""
    private var inText = false
    private var phonetic = 0

    static func read(_ data: Data) throws -> [String] {
        let reader = SharedStrings()
        try XMLStream.parse(data, with: reader)
        return reader.strings
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "si": current = ""
        case "t": inText = phonetic == 0
        case "rPh": phonetic += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard inText else { return }
        current += string
        if current.utf8.count > XMLStream.textLimit { stop(parser, .unreadableWorkbook) }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si":
            guard strings.count < XLSXReader.cellLimit else { return stop(parser, .sheetTooLarge) }
            strings.append(current)
        case "t": inText = false
        case "rPh": phonetic -= 1
        default: break
        }
    }
}

/// Which cell styles (`cellXfs`, by index) show a number as a date or time.
final class DateStyles: NSObject, XMLParserDelegate, Bounded {
    private var formats: [Int: String] = [:]
    private var styles: [Int] = []
    private var inCellStyles = false
    fileprivate var refusal: ImportFileProblem?

    static func read(_ data: Data) throws -> [Bool] {
        let reader = DateStyles()
        try XMLStream.parse(data, with: reader)
        return reader.styles.map { id in
            if let code = reader.formats[id] { return Self.isDate(code) }
            return (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
        }
    }

    /// A format code that shows a date or a time: `y`, `m`, `d`, `h` or `s` outside quotes, brackets and escapes.
    static func isDate(_ code: String) -> Bool {
        var quoted = false
        var bracket = false
        var escaped = false
        for character in code.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\"": quoted.toggle()
            case "\\": escaped = true
            case "[" where !quoted: bracket = true
            case "]" where !quoted: bracket = false
            case "y", "m", "d", "h", "s": if !quoted && !bracket { return true }
            default: break
            }
        }
        return false
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "numFmt":
            guard formats.count < XMLStream.elementLimit else { return stop(parser, .unreadableWorkbook) }
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] {
                formats[id] = code
            }
        case "cellXfs": inCellStyles = true
        case "xf" where inCellStyles:
            guard styles.count < XMLStream.elementLimit else { return stop(parser, .unreadableWorkbook) }
            styles.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "cellXfs" { inCellStyles = false }
    }
}

/// One worksheet read as it streams by: the text of each cell by row, and the merged ranges.
private final class SheetReader: NSObject, XMLParserDelegate, Bounded {
    private struct Cell {
        var column = 0
        var type = "n"
        var style = 0
        var text = ""
    }
    let strings: [String]
    let styles: [Bool]
    private(set) var rows: [(number: Int, cells: [(column: Int, value: Value)])] = []
    /// Merged ranges as (first row, first column, last column).
    private(set) var merges: [(row: Int, first: Int, last: Int)] = []
    /// The cells and merges kept so far, bounded by `cellLimit`; rows by Excel's 1,048,576.
    private var kept = 0
    let cellLimit: Int
    var refusal: ImportFileProblem?
    private var cell: Cell?
    private var rowNumber = 0
    private var collecting = false
    private var phonetic = 0

    enum Value {
        case text(String)
        case number(String, date: Bool)
    }

    init(strings: [String], styles: [Bool], cellLimit: Int) {
        (self.strings, self.styles, self.cellLimit) = (strings, styles, cellLimit)
    }

    static func read(_ data: Data, strings: [String], styles: [Bool], cellLimit: Int) throws -> SheetReader {
        let reader = SheetReader(strings: strings, styles: styles, cellLimit: cellLimit)
        try XMLStream.parse(data, with: reader)
        return reader
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "row":
            guard rows.count < 1_048_576 else { return stop(parser, .sheetTooLarge) }
            // A row number beyond Excel's last row is taken as none (the row after the one before).
            rowNumber =
                attributes["r"].flatMap(Int.init).flatMap { (1...1_048_576).contains($0) ? $0 : nil }
                ?? min(rowNumber + 1, 1_048_576)
            rows.append((rowNumber, []))
        case "c":
            let column =
                attributes["r"].flatMap(XLSXReader.column) ?? (rows.last?.cells.last.map { $0.column + 1 } ?? 0)
            cell = Cell(
                column: column, type: attributes["t"] ?? "n", style: attributes["s"].flatMap(Int.init) ?? 0)
        case "v", "t": collecting = cell != nil && phonetic == 0
        case "rPh": phonetic += 1
        case "mergeCell":
            guard let range = attributes["ref"], let merge = Self.merge(range) else { return }
            kept += 1
            guard kept <= cellLimit else { return stop(parser, .sheetTooLarge) }
            merges.append(merge)
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard collecting, cell != nil else { return }
        cell?.text += string
        if cell!.text.utf8.count > XMLStream.textLimit { stop(parser, .unreadableWorkbook) }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": collecting = false
        case "rPh": phonetic -= 1
        case "c":
            if let cell, !rows.isEmpty, let value = value(of: cell) {
                kept += 1
                guard kept <= cellLimit else { return stop(parser, .sheetTooLarge) }
                rows[rows.count - 1].cells.append((cell.column, value))
            }
            cell = nil
        default: break
        }
    }

    private func value(of cell: Cell) -> Value? {
        switch cell.type {
        case "s": return Int(cell.text).flatMap { strings.indices.contains($0) ? .text(strings[$0]) : nil }
        case "b": return .text(cell.text == "1" ? "TRUE" : "FALSE")
        case "n":
            guard !cell.text.isEmpty else { return nil }
            return .number(cell.text, date: styles.indices.contains(cell.style) && styles[cell.style])
        default: return .text(cell.text)  // inlineStr, str (a formula's text), e (an error such as #N/A), d (ISO)
        }
    }

    /// The records: empty rows left out, title rows above the headings skipped, every row as wide as the headings
    /// (as a CSV row with empty trailing cells would be; a column without a heading is read by no import), and one
    /// field more when a value lies beyond them. Refused when the rows would hold more than `cellLimit` fields: a
    /// heading in Excel's last column and a value on every row must not fill the memory.
    func records(date1904: Bool, cellLimit: Int) throws(ImportFileProblem) -> [CSVRecord] {
        let filled = rows.compactMap { row -> (line: Int, cells: [(column: Int, text: String)], filled: Int)? in
            let cells = row.cells.map { (column: $0.column, text: Self.text($0.value, date1904: date1904)) }
            let filled = cells.filter { !$0.text.trimmingWhitespace().isEmpty }
            return filled.isEmpty ? nil : (row.number, cells, filled.count)
        }
        let mergedRows = Set(merges.filter { $0.last > $0.first }.map(\.row))
        let titles = filled.prefix { row in row.filled == 1 && mergedRows.contains(row.line) }
        let table = filled.dropFirst(titles.count)
        let headings = table.first.map { $0.cells.filter { !$0.text.trimmingWhitespace().isEmpty } }
        let width = (headings?.map(\.column).max() ?? -1) + 1
        guard table.count * width <= cellLimit else { throw .sheetTooLarge }
        return table.map { row in
            var fields = [String](repeating: "", count: width)
            for (column, text) in row.cells where column < width { fields[column] = text }
            // The first value right of the headings, where a CSV row would carry it: a row filled only there is
            // reported by the import, not skipped as empty.
            if let beyond = row.cells.first(where: { $0.column >= width && !$0.text.trimmingWhitespace().isEmpty }) {
                fields.append(beyond.text)
            }
            return CSVRecord(line: row.line, fields: fields)
        }
    }

    static func text(_ value: Value, date1904: Bool) -> String {
        switch value {
        case .text(let text): return text
        case .number(let raw, let date):
            guard let number = Double(raw) else { return raw }
            if date, let shown = SpreadsheetDate.text(serial: number, date1904: date1904) { return shown }
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            return raw
        }
    }

    /// `A1:F1` → (row 1, columns 0...5).
    static func merge(_ range: String) -> (row: Int, first: Int, last: Int)? {
        let ends = range.split(separator: ":").map(String.init)
        guard ends.count == 2, let first = XLSXReader.column(ends[0]), let last = XLSXReader.column(ends[1]),
            let row = Int(ends[0].drop { $0.isLetter })
        else { return nil }
        return (row, first, last)
    }
}

/// Excel's serial dates: days since 1899-12-30 (the 1900 system, whose phantom 1900-02-29 lies before any date an
/// import meets) or since 1904-01-01, the fraction being the time of day.
public enum SpreadsheetDate {
    public static func text(serial: Double, date1904: Bool) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil }
        let seconds = (serial * 86_400).rounded()
        let base: Double = date1904 ? 24_107 : 25_569  // days from each epoch to 1970-01-01
        let instant = Date(timeIntervalSince1970: seconds - base * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        let date = String(format: "%04d-%02d-%02d", year, month, day)
        let clock = Int(seconds) % 86_400
        if serial < 1 { return String(format: "%02d:%02d:%02d", clock / 3600, clock / 60 % 60, clock % 60) }
        guard clock != 0 else { return date }
        return date + String(format: " %02d:%02d:%02d", clock / 3600, clock / 60 % 60, clock % 60)
    }
}

extension XLSXReader {
    /// `B12` → 1 (zero-based column); nil beyond `XFD`, Excel's last column (a crafted reference must neither
    /// overflow nor make a row millions of cells wide).
    static func column(_ reference: String) -> Int? {
        var column = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard (65...90).contains(scalar.value) else { break }
            guard letters < 3 else { return nil }
            column = column * 26 + Int(scalar.value) - 64
            letters += 1
        }
        return letters > 0 && column <= 16_384 ? column - 1 : nil
    }
}

extension Bounded {
    /// Stops the parser at what it will not hold; `XMLStream.parse` then throws `problem`.
    fileprivate func stop(_ parser: XMLParser, _ problem: ImportFileProblem) {
        refusal = problem
        parser.abortParsing()
    }
}
