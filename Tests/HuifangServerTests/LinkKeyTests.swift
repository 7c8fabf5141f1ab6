import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Survey links are signed with a key derived from `HUIFANG_SECRET` and the stored key, and keys rotate
/// with a grace period.
@Suite struct LinkKeyTests {
    static let secret = ["HUIFANG_SECRET": String(repeating: "k", count: 40)]

    func token(_ url: String) -> String { String(url.split(separator: "/").last!) }

    func state(_ app: Application, _ token: String, at now: Date = Date()) async throws -> String {
        switch try await SurveyLinks(db: app.db, config: app.huifang, now: now).resolve(token) {
        case .valid: "valid"
        case .invalid: "invalid"
        case .expired: "expired"
        case .used: "used"
        }
    }

    func sentLink(_ app: Application) async throws -> String {
        let desk = try await FollowUpTests().desk(app)
        let links = SurveyLinks(db: app.db, config: app.huifang, now: Date())
        return try await links.send(task: desk.task, channel: "sms", by: .commandLine()).url
    }

    @Test func aLinkSignedWithOnlyTheStoredKeyDoesNotVerify() async throws {
        try await withHuifang(Self.secret) { app in
            // setup: a genuine link, and the same link signed as a copy of the database alone could
            let genuine = token(try await sentLink(app))
            struct Row: Decodable { let secret: String }
            let row = try await app.db.sql.raw("SELECT secret FROM link_keys WHERE id = 1")
                .first(decoding: Row.self)
            let text = try #require(row).secret
            let stored = SymmetricKey(data: try #require(Data(base64Encoded: text)))
            let payload = genuine.split(separator: "-").prefix(2).joined(separator: "-")
            let forged = payload + "-" + SurveyLinks.signature(payload, key: stored)
            // MUT, validation
            #expect(try await state(app, genuine) == "valid")
            #expect(forged != genuine)
            #expect(try await state(app, forged) == "invalid")
        }
    }

    @Test func anotherSecretDoesNotVerifyTheLink() async throws {
        try await withHuifang(Self.secret) { app in
            // setup
            let link = token(try await sentLink(app))
            var other = app.huifang
            other.secret = String(repeating: "x", count: 40)
            // MUT
            let state = try await SurveyLinks(db: app.db, config: other, now: Date()).resolve(link)
            // validation
            guard case .invalid = state else {
                Issue.record("a link verified under another secret")
                return
            }
        }
    }

    @Test func afterRotationAnOldLinkWorksWithinTheGraceAndNotAfterAndNewLinksUseTheNewKey() async throws {
        try await withHuifang(Self.secret) { app in
            // setup
            let old = token(try await sentLink(app))
            // MUT
            let output = try await Operations.rotateLinkKey(on: app, graceDays: 2)
            // validation
            #expect(output.hasPrefix("survey link key 2 is current"))
            let day: TimeInterval = 86_400
            #expect(try await state(app, old, at: Date().addingTimeInterval(day)) == "valid")
            #expect(try await state(app, old, at: Date().addingTimeInterval(3 * day)) == "invalid")
            let desk = try await FollowUpTask.query(on: app.db).first()!
            let new = token(
                try await SurveyLinks(db: app.db, config: app.huifang, now: Date())
                    .send(task: desk, channel: "sms", by: .commandLine()).url)
            let payload = new.split(separator: "-").prefix(2).joined(separator: "-")
            let keys = LinkKeys(db: app.db, secret: app.huifang.secret)
            #expect(new == payload + "-" + SurveyLinks.signature(payload, key: try await keys.current()))
            #expect(try await state(app, new, at: Date().addingTimeInterval(3 * day)) == "valid")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "secret.rotate").count() == 1)
        }
    }

    @Test func theGraceDefaultsToTheSurveyLinkLifetime() async throws {
        try await withHuifang(Self.secret.merging(["HUIFANG_SURVEY_LINK_DAYS": "5"]) { $1 }) { app in
            // setup
            let old = token(try await sentLink(app))
            // MUT
            _ = try await Operations.rotateLinkKey(on: app, graceDays: nil)
            // validation
            let day: TimeInterval = 86_400
            #expect(try await state(app, old, at: Date().addingTimeInterval(4.9 * day)) == "valid")
            #expect(try await state(app, old, at: Date().addingTimeInterval(5.1 * day)) != "valid")
        }
    }

    @Test func withoutAConfiguredSecretASQLiteInstallationKeepsOneBesideTheDatabase() throws {
        // setup
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "sqlite:" + directory.appendingPathComponent("huifang.sqlite").path
        // MUT
        let first = try HuifangConfig.load(environment: ["HUIFANG_DATABASE_URL": url]).withStoredSecret()
        let second = try HuifangConfig.load(environment: ["HUIFANG_DATABASE_URL": url]).withStoredSecret()
        // validation
        #expect(first.secret == second.secret && !first.isSecretGenerated)
        let path = try #require(first.secretFile)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let configured = try HuifangConfig.load(environment: ["HUIFANG_DATABASE_URL": url].merging(Self.secret) { $1 })
        #expect(try configured.withStoredSecret().secret == String(repeating: "k", count: 40))
    }
}
