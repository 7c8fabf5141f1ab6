import Foundation

/// What identifies one person in free text written about them, and how an erasure removes it from text that also
/// speaks of others (a digest naming several customers, a handler's note, a search term in the audit log).
///
/// Text is found by the person's **identifiers** — phone numbers and email addresses they have had — which name
/// one person. A name or a member ID alone does not: erasing one 张伟 must not strike every other 张伟. So their
/// names and member IDs are struck out only in text that also holds one of their identifiers (and in the rows that
/// are theirs, which the erasure clears anyway).
///
/// A phone number is found however it was typed: with or without `+86`/`0086`, with spaces, dashes, dots or
/// slashes between digits, in full-width digits. An email address or a name is found case-insensitively. Names
/// shorter than two characters are not struck: one character would strike out unrelated words.
public struct PersonalRedaction: Sendable, Equatable {
    /// The mark left where personal information was.
    public static let mark = "[已删除]"

    public private(set) var phones: [String] = []
    public private(set) var emails: [String] = []
    public private(set) var names: [String] = []

    public init() {}

    /// Adds a phone number (any format; its digits are what is searched for, the national part for Chinese
    /// numbers).
    public mutating func addPhone(_ raw: String?) {
        guard let raw else { return }
        var digits = String(Self.halfWidth(raw).unicodeScalars.filter(Self.isDigit).map(Character.init))
        if digits.hasPrefix("0086") {
            digits.removeFirst(4)
        } else if digits.hasPrefix("86"), digits.count == 13 {
            digits.removeFirst(2)
        }
        guard digits.count >= 7, !phones.contains(digits) else { return }
        phones.append(digits)
    }

    /// Adds an email address.
    public mutating func addEmail(_ raw: String?) {
        guard let email = raw?.trimmingWhitespace().lowercased(), email.contains("@"), !emails.contains(email) else {
            return
        }
        emails.append(email)
    }

    /// Adds a name or a member ID.
    public mutating func addName(_ raw: String?) {
        guard let name = raw?.trimmingWhitespace(), name.count >= 2, !names.contains(name) else { return }
        names.append(name)
        names.sort { $0.count > $1.count }  // the longest first: "王小芳" before "王小"
    }

    public var isEmpty: Bool { phones.isEmpty && emails.isEmpty }

    /// Substrings a database can look for with `LIKE` to find candidate rows (every text that holds an identifier
    /// contains one of them): an email address, or the last four digits of a phone number (the part separators do
    /// not split), in ASCII and in full-width digits.
    public var searchFragments: [String] {
        let tails = phones.map { String($0.suffix(4)) }
        let fullWidth = tails.map { tail in
            String(String.UnicodeScalarView(tail.unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0)! }))
        }
        return emails + tails + fullWidth
    }

    /// Whether `text` holds one of the person's identifiers (a phone number or an email address).
    public func mentions(_ text: String) -> Bool {
        strikeIdentifiers(in: text) != text
    }

    /// Whether `text` names the person in any way, a name or member ID included (for text written about them).
    public func names(in text: String) -> Bool {
        redacted(text) != text
    }

    /// `text` with every identifier, name and member ID of the person replaced by `mark`.
    public func redacted(_ text: String) -> String {
        var result = strikeIdentifiers(in: text)
        for name in names {
            result = result.replacingOccurrences(of: name, with: Self.mark, options: [.caseInsensitive])
        }
        return result
    }

    private func strikeIdentifiers(in text: String) -> String {
        let plain = Self.halfWidth(text)
        var result = plain
        for phone in phones {
            // With its country code first ("+86 138…", "0086138…"), then on its own.
            for variant in ["+86" + phone, "0086" + phone, "86" + phone, phone] {
                result = Self.strikePhone(variant, in: result)
            }
        }
        for email in emails {
            result = result.replacingOccurrences(of: email, with: Self.mark, options: [.caseInsensitive])
        }
        return result == plain ? text : result
    }

    /// Full-width digits and plus signs (from Chinese input methods) as ASCII; nothing else changes.
    static func halfWidth(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    (0xFF10...0xFF19).contains(scalar.value) || scalar.value == 0xFF0B
                        ? Unicode.Scalar(scalar.value - 0xFEE0)! : scalar
                }))
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
            } else if matched > 0, separators.contains(scalars[index]) {
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

    /// What people put between a number's digits: spaces (also the ideographic one), dashes, dots, slashes, brackets.
    private static let separators = Set(" -.\u{3000}/()\u{2014}\u{2013}".unicodeScalars)
}
