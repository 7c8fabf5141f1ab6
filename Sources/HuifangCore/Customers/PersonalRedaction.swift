import Foundation

/// What identifies one person in free text written about them — names, phone numbers, email addresses and member
/// IDs they have had — and how an erasure removes it from text that also speaks of others (a digest naming several
/// customers, a handler's note, a search term in the audit log).
///
/// A phone number is found however it was typed: with or without `+86`/`0086`, with spaces, dashes or dots between
/// digits. A name or identifier is found as written (case-insensitively for Latin letters). Names shorter than two
/// characters are not searched for: one character would strike out unrelated words.
public struct PersonalRedaction: Sendable, Equatable {
    /// The mark left where personal information was.
    public static let mark = "[已删除]"

    public private(set) var phones: [String] = []
    public private(set) var words: [String] = []

    public init() {}

    /// Adds a phone number (any format; its digits are what is searched for, the national part for Chinese
    /// numbers).
    public mutating func addPhone(_ raw: String?) {
        guard let raw else { return }
        var digits = raw.filter(\.isASCIIDigit)
        if digits.hasPrefix("0086") {
            digits.removeFirst(4)
        } else if digits.hasPrefix("86"), digits.count == 13 {
            digits.removeFirst(2)
        }
        guard digits.count >= 7, !phones.contains(digits) else { return }
        phones.append(digits)
    }

    /// Adds a name, an email address or a member ID.
    public mutating func addWord(_ raw: String?) {
        guard let word = raw?.trimmingWhitespace(), word.count >= 2, !words.contains(word) else { return }
        words.append(word)
        words.sort { $0.count > $1.count }  // the longest first: "王小芳" before "王小"
    }

    public var isEmpty: Bool { phones.isEmpty && words.isEmpty }

    /// Substrings a database can look for with `LIKE` to find candidate rows (every text that names the person
    /// contains one of them): a word, or the last four digits of a phone number (the part no separator splits).
    public var searchFragments: [String] {
        words + phones.map { String($0.suffix(4)) }
    }

    /// Whether `text` names the person.
    public func mentions(_ text: String) -> Bool {
        redacted(text) != text
    }

    /// `text` with every mention of the person replaced by `mark`.
    public func redacted(_ text: String) -> String {
        var result = text
        for phone in phones {
            // With its country code first ("+86 138…", "0086138…"), then on its own.
            for variant in ["+86" + phone, "0086" + phone, "86" + phone, phone] {
                result = Self.strikePhone(variant, in: result)
            }
        }
        for word in words { result = Self.strikeWord(word, in: result) }
        return result
    }

    /// Replaces each run of characters that spells `digits` with at most one separator between digits (and an
    /// optional country prefix before them) by the mark.
    static func strikePhone(_ digits: String, in text: String) -> String {
        let target = Array(digits.unicodeScalars)
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if let end = phoneMatch(target, in: scalars, at: index) {
                output.append(contentsOf: mark.unicodeScalars)
                index = end
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return String(output)
    }

    /// The end of a match of `target` starting at `start` (not inside a longer run of digits), or nil.
    private static func phoneMatch(_ target: [Unicode.Scalar], in scalars: [Unicode.Scalar], at start: Int) -> Int? {
        if start > 0, isDigit(scalars[start - 1]) { return nil }
        var index = start
        var matched = 0
        while matched < target.count, index < scalars.count {
            if scalars[index] == target[matched] {
                matched += 1
                index += 1
            } else if matched > 0, " -.".unicodeScalars.contains(scalars[index]) {
                index += 1
            } else {
                return nil
            }
        }
        guard matched == target.count else { return nil }
        if index < scalars.count, isDigit(scalars[index]) { return nil }
        return index
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func strikeWord(_ word: String, in text: String) -> String {
        text.replacingOccurrences(of: word, with: mark, options: [.caseInsensitive])
    }
}
