/// A customer's mobile number, normalised to E.164 (`+8613812345678`).
///
/// Accepts what office spreadsheets hold: spaces, dashes, brackets, full-width
/// digits, a `+86`/`0086`/`86` prefix, or an international number with `+`/`00`.
public struct PhoneNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The normalised form, stored in the database.
    public let e164: String

    public init(parsing raw: String) throws(FieldProblem) {
        var digits = ""
        var hasPlus = false
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.unicodeScalars.append(scalar)
            case 0xFF10...0xFF19: digits.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            case 0x2B, 0xFF0B:
                guard digits.isEmpty, !hasPlus else { throw .invalidMobile }
                hasPlus = true
            case 0x20, 0x2D, 0x28, 0x29, 0x2E, 0xA0, 0x3000, 0xFF08, 0xFF09, 0xFF0D: continue
            default: throw .invalidMobile
            }
        }
        if !hasPlus, digits.hasPrefix("00") {
            hasPlus = true
            digits.removeFirst(2)
        }
        if !hasPlus, digits.count == 13, digits.hasPrefix("86") {
            hasPlus = true
        }
        if hasPlus {
            if digits.hasPrefix("86") {
                let national = String(digits.dropFirst(2))
                guard Self.isChineseMobile(national) else { throw .invalidMobile }
                e164 = "+86" + national
            } else {
                guard (8...15).contains(digits.count), digits.first != "0" else { throw .invalidMobile }
                e164 = "+" + digits
            }
        } else {
            guard Self.isChineseMobile(digits) else { throw .invalidMobile }
            e164 = "+86" + digits
        }
    }

    /// Rebuilds a number already stored in normalised form.
    public init(normalised: String) { e164 = normalised }

    /// 11 digits starting 13–19: the mainland's mobile ranges.
    static func isChineseMobile(_ digits: String) -> Bool {
        let bytes = Array(digits.utf8)
        return bytes.count == 11 && bytes[0] == UInt8(ascii: "1")
            && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1])
            && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    public var isChineseMobile: Bool { e164.hasPrefix("+86") }

    /// How people write it: `13812345678` for the mainland, E.164 otherwise.
    public var display: String { isChineseMobile ? String(e164.dropFirst(3)) : e164 }

    /// `138****5678`, or `+4479****5678` for other countries.
    public var masked: String { Masking.maskPhone(display) }

    public var description: String { display }
}
