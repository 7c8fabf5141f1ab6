#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The text encodings Chinese offices' spreadsheets are saved in.
public enum TextEncoding: String, Sendable, Codable {
    case utf8 = "UTF-8"
    case utf8BOM = "UTF-8 (BOM)"
    case utf16 = "UTF-16"
    case gb18030 = "GBK/GB18030"
    /// An Excel workbook (`XLSXReader`): its text is Unicode whatever the office's code page.
    case xlsx = "XLSX"
}

/// A file of rows as offices send them: CSV (or tab- or semicolon-separated) in any encoding `TextDecoding` knows,
/// or an Excel workbook.
public enum TabularFile {
    public static func records(_ bytes: [UInt8]) throws(ImportFileProblem) -> ([CSVRecord], TextEncoding) {
        if XLSXReader.isWorkbook(bytes) { return (try XLSXReader.records(bytes), .xlsx) }
        guard let (utf8, encoding) = TextDecoding.decode(bytes) else { throw .unreadableEncoding }
        return (CSVReader(delimiter: CSVReader.detectDelimiter(utf8)).records(utf8), encoding)
    }
}

/// Detects a file's encoding and decodes it to UTF-8 bytes.
///
/// A byte-order mark decides; otherwise valid UTF-8 is taken as UTF-8, and
/// anything else is decoded as GB18030 (a superset of GBK and GB2312, which
/// Excel uses on Chinese Windows) with the C library's iconv.
public enum TextDecoding {
    public static func decode(_ bytes: [UInt8]) -> (utf8: [UInt8], encoding: TextEncoding)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (Array(bytes.dropFirst(3)), .utf8BOM) }
        if bytes.starts(with: [0xFF, 0xFE]) {
            return convert(Array(bytes.dropFirst(2)), from: "UTF-16LE").map { ($0, .utf16) }
        }
        if bytes.starts(with: [0xFE, 0xFF]) {
            return convert(Array(bytes.dropFirst(2)), from: "UTF-16BE").map { ($0, .utf16) }
        }
        if isValidUTF8(bytes) { return (bytes, .utf8) }
        return convert(bytes, from: "GB18030").map { ($0, .gb18030) }
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Encodes text as GB18030 (what a Chinese Excel saves), e.g. to make test files.
    public static func encodeGB18030(_ text: String) -> [UInt8]? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
    }

    /// Converts with iconv; `nil` when the bytes are not valid in `encoding`.
    static func convert(_ bytes: [UInt8], from encoding: String, to target: String = "UTF-8") -> [UInt8]? {
        let descriptor = iconv_open(target, encoding)
        guard let descriptor, Int(bitPattern: descriptor) != -1 else { return nil }
        defer { iconv_close(descriptor) }
        if bytes.isEmpty { return [] }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        let produced: Int? = input.withUnsafeMutableBytes { inBuffer in
            output.withUnsafeMutableBytes { outBuffer in
                var inPointer = inBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                guard result != -1, inLeft == 0 else { return nil }
                return outBuffer.count - outLeft
            }
        }
        guard let produced else { return nil }
        output.removeSubrange(produced...)
        return output
    }
}
