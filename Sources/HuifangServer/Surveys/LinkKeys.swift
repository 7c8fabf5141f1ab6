import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// The keys survey links are signed with. Each is a random key kept in the database, stretched with
/// `HUIFANG_SECRET` by HKDF-SHA256, so a copy of the database alone cannot sign a link. The newest key is
/// current; after a rotation the previous ones are accepted until their grace ends.
struct LinkKeys {
    let db: any Database
    let secret: String

    struct Row: Decodable {
        let id: Int
        let secret: String
        let accepted_until: Double?
    }

    /// What a rotation did: the new key's number and until when the older ones are accepted.
    struct Rotation: Codable, Sendable, Equatable {
        let current: Int
        let previousAcceptedUntil: Date
    }

    /// The signing key made from a stored key and the configured secret.
    static func derive(stored: Data, secret: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), salt: stored,
            info: Data("huifang survey link v1".utf8), outputByteCount: 32)
    }

    private func rows() async throws -> [Row] {
        try await db.sql.raw("SELECT id, secret, accepted_until FROM link_keys ORDER BY id DESC")
            .all(decoding: Row.self)
    }

    private func key(_ row: Row) throws -> SymmetricKey {
        guard let stored = Data(base64Encoded: row.secret) else { throw LinkKeyError.unreadable(row.id) }
        return Self.derive(stored: stored, secret: secret)
    }

    /// The key new links are signed with.
    func current() async throws -> SymmetricKey {
        guard let newest = try await rows().first else { throw LinkKeyError.missing }
        return try key(newest)
    }

    /// The keys a link is checked against at `now`: the current one, then those still in their grace.
    func accepted(at now: Date) async throws -> [SymmetricKey] {
        let all = try await rows()
        let kept = all.enumerated().filter { index, row in
            index == 0 || row.accepted_until.map { $0 > now.timeIntervalSince1970 } ?? true
        }
        return try kept.map { try key($0.element) }
    }

    /// Makes a new current key; the keys accepted until now stay accepted for `graceDays` more days.
    func rotate(graceDays: Int, now: Date) async throws -> Rotation {
        let until = now.addingTimeInterval(Double(graceDays) * 86_400)
        let stored = Data([UInt8].random(count: 32)).base64EncodedString()
        let id = try await db.transaction { db in
            let sql = db.sql
            struct Newest: Decodable { let id: Int? }
            let newest = try await sql.raw("SELECT MAX(id) AS id FROM link_keys").first(decoding: Newest.self)
            let id = (newest?.id ?? 0) + 1
            try await sql.raw(
                """
                UPDATE link_keys SET accepted_until = \(bind: until.timeIntervalSince1970) WHERE accepted_until IS NULL
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO link_keys (id, secret, created_at)
                VALUES (\(bind: id), \(bind: stored), \(bind: now.timeIntervalSince1970))
                """
            ).run()
            return id
        }
        return Rotation(current: id, previousAcceptedUntil: until)
    }
}

/// The link keys cannot be used.
enum LinkKeyError: Error, CustomStringConvertible {
    case missing
    case unreadable(Int)

    var description: String {
        switch self {
        case .missing: "no survey link key in link_keys; run huifang migrate"
        case .unreadable(let id): "survey link key \(id) in link_keys is not base64"
        }
    }
}

extension Operations {
    /// `huifang secret rotate`: a new current survey link key; the previous ones are accepted for `graceDays`.
    public static func rotateLinkKey(on app: Application, graceDays: Int?) async throws -> String {
        let days = graceDays ?? app.huifang.surveyLinkDays
        guard (0...365).contains(days) else {
            throw OperationError("--grace-days: must be a whole number from 0 to 365")
        }
        let rotation = try await LinkKeys(db: app.db, secret: app.huifang.secret).rotate(
            graceDays: days, now: app.clock.now())
        let until = app.huifang.formatDateTime(rotation.previousAcceptedUntil)
        try await AuditLog.record(
            "secret.rotate", by: .commandLine(), subjectType: "link_key",
            subjectID: String(rotation.current), detail: "graceDays=\(days)", at: app.clock.now(), on: app.db)
        return "survey link key \(rotation.current) is current; links signed before are accepted until \(until)"
    }
}
