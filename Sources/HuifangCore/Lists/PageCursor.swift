import Foundation

/// Where a keyset-paged list stopped: the sort key of the last row shown, as an opaque token
/// (`nextCursor` in a page, `after` in the next request). A list reads the next page by key
/// (`WHERE key < cursor ORDER BY key LIMIT n`), never by offset, so a page costs the same at any depth.
public struct PageCursor: Equatable, Sendable {
    /// The sort key's parts, in order; each list decides what they mean.
    public let values: [String]

    public init(_ values: [String]) {
        self.values = values
    }

    /// The token: the parts joined by `|`, base64url without padding.
    /// Its characters swapped byte by byte: Foundation's `replacingOccurrences` cost a busy list more than its
    /// reading of the key.
    public var token: String {
        let base64 = Data(values.joined(separator: "|").utf8).base64EncodedString().utf8
        return String(
            decoding: base64.compactMap { byte -> UInt8? in
                switch byte {
                case UInt8(ascii: "+"): UInt8(ascii: "-")
                case UInt8(ascii: "/"): UInt8(ascii: "_")
                case UInt8(ascii: "="): nil
                default: byte
                }
            }, as: UTF8.self)
    }

    /// Reads a token; nil when it is not one this list wrote (wrong shape, or not `count` parts).
    public init?(token: String, count: Int) {
        guard token.count <= 512 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count else { return nil }
        values = parts
    }

    public func int(_ index: Int) -> Int? { Int(values[index]) }
    public func double(_ index: Int) -> Double? { Double(values[index]).flatMap { $0.isFinite ? $0 : nil } }
}

/// A page of a keyset-paged list: the rows, and the cursor of the next page (nil on the last).
public struct KeysetPage<Row> {
    public let rows: [Row]
    public let next: PageCursor?

    public init(_ rows: [Row], next: PageCursor?) {
        self.rows = rows
        self.next = next
    }

    /// Takes the first `limit` of `rows` (read with `limit + 1` to learn whether more follow).
    public init(_ rows: [Row], limit: Int, key: (Row) throws -> PageCursor) rethrows {
        self.rows = Array(rows.prefix(limit))
        next = rows.count > limit ? try self.rows.last.map(key) : nil
    }
}

extension KeysetPage: Sendable where Row: Sendable {}
