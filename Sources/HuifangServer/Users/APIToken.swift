import Crypto
import Fluent
import HuifangCore
import Vapor

/// A revocable API token. Only its SHA-256 digest is stored; the token itself
/// is shown once, when it is made.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(userID: UUID, name: String, tokenHash: String) {
        self.$user.id = userID
        self.name = name
        self.tokenHash = tokenHash
    }

    /// A new random token (prefixed so it is recognisable in configuration files) and its digest.
    static func generate() -> (token: String, hash: String) {
        let bytes = [UInt8].random(count: 32)
        let token = "hf_" + bytes.lowercaseHex
        return (token, digest(token))
    }

    /// "Last used" is kept to the minute: a token in steady use is written once a minute, not on every
    /// request (a write per request would put every API read in the writers' queue).
    static func lastUseIsStale(_ lastUsed: Date?, now: Date) -> Bool {
        guard let lastUsed else { return true }
        return now.timeIntervalSince(lastUsed) >= 60 || now < lastUsed
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).lowercaseHex
    }
}
