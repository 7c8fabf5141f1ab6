/// One record of a delimited file, with the line it starts on (1-based) so
/// that problems can be reported where a person will look for them.
public struct CSVRecord: Equatable, Sendable {
    public let line: Int
    public let fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// Reads RFC 4180 CSV (quoted fields, doubled quotes, line breaks inside
/// quotes, CRLF or LF), and tab- or semicolon-separated files the same way.
public struct CSVReader: Sendable {
    public let delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ",")) {
        self.delimiter = delimiter
    }

    /// Picks the delimiter that the header line uses most: comma, tab or semicolon.
    public static func detectDelimiter(_ utf8: [UInt8]) -> UInt8 {
        let headerEnd = utf8.firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
        let header = utf8[..<headerEnd]
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";")]
        return candidates.max { a, b in header.count(where: { $0 == a }) < header.count(where: { $0 == b }) }!
    }

    /// Splits UTF-8 text into records. Blank lines are skipped.
    public func records(_ utf8: [UInt8]) -> [CSVRecord] {
        let quote = UInt8(ascii: "\"")
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var index = 0
        let count = utf8.count

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while index < count {
            let byte = utf8[index]
            if inQuotes {
                if byte == quote {
                    if index + 1 < count, utf8[index + 1] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == lf { line += 1 }
                    field.append(byte)
                }
            } else if byte == quote, field.isEmpty {
                inQuotes = true
            } else if byte == delimiter {
                endField()
            } else if byte == lf || byte == cr {
                if byte == cr, index + 1 < count, utf8[index + 1] == lf { index += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.append(byte)
            }
            index += 1
        }
        if !field.isEmpty || !fields.isEmpty || inQuotes { endRecord() }
        return records
    }
}
