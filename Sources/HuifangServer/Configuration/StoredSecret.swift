import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension HuifangConfig {
    /// Where the secret is kept when `HUIFANG_SECRET` is not set and the database is a SQLite file:
    /// beside it, as `<database>.secret`. `nil` for other databases.
    public var storedSecretPath: String? {
        guard case .sqliteFile(let path) = database else { return nil }
        return path + ".secret"
    }

    /// With no `HUIFANG_SECRET`, a SQLite installation keeps one made the first time in a file beside the
    /// database (readable by its owner only), so survey links survive restarts. Elsewhere nothing changes.
    public func withStoredSecret() throws -> HuifangConfig {
        guard isSecretGenerated, let path = storedSecretPath else { return self }
        var config = self
        config.secret = try StoredSecret.readOrCreate(at: path, making: secret)
        config.isSecretGenerated = false
        config.secretFile = path
        return config
    }
}

/// The secret file: made once (exclusively, mode 0600), then read.
enum StoredSecret {
    static func readOrCreate(at path: String, making fresh: String) throws -> String {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor >= 0 {
            defer { close(descriptor) }
            let bytes = Array((fresh + "\n").utf8)
            guard write(descriptor, bytes, bytes.count) == bytes.count else { throw failure(path, "cannot be written") }
            return fresh
        }
        guard errno == EEXIST else { throw failure(path, "cannot be created") }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 32 else { throw failure(path, "holds fewer than 32 characters") }
        return text
    }

    private static func failure(_ path: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(
            variable: "HUIFANG_SECRET", value: "(unset)",
            reason: "is not set and the secret file \(path) \(reason); set HUIFANG_SECRET or fix the file")
    }
}
