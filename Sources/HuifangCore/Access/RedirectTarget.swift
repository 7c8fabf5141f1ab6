import Foundation

/// Where Huifang may send a browser after sign-in or a language switch.
public enum RedirectTarget {
    /// `next` when it is a local path: one leading `/` (not `//` or `/\`), and neither control
    /// characters nor whitespace before or after percent-decoding, and at most 2 KB; otherwise `/`.
    ///
    /// Browsers drop tabs and newlines from URLs and treat `\` as `/`, so `/\t/evil.example`
    /// would otherwise leave the site; a CR or LF would start a new response header.
    public static func local(_ next: String?) -> String {
        guard let next, next.utf8.count <= 2048, isLocal(next),
            let decoded = next.removingPercentEncoding, isLocal(decoded)
        else { return "/" }
        return next
    }

    private static func isLocal(_ path: String) -> Bool {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\") else { return false }
        return !path.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }
}
