import Fluent
import Foundation
import HuifangCore
import Synchronization
import Testing
import VaporTesting

@testable import HuifangServer

/// `huifang backup` while the server writes, and `huifang restore` into a new database, as an operator runs them.
@Suite(.serialized) struct BackupTests {
    static let secret = "backup-test-secret-0123456789abcdef0123"
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-backup-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    final class Stop: Sendable {
        let flag = Atomic<Bool>(false)
    }

    // Long: one operator's story — write, back up meanwhile, restore, refuse the wrong targets — each step on the last.
    @Test func aBackupTakenWhileClientsWriteRestoresWholeAndTheWrongTargetsAreRefused() async throws {
        let file = directory.appendingPathComponent("live.sqlite").path
        let backup = directory.appendingPathComponent("copy.sqlite").path
        let environment = ["HUIFANG_DATABASE_URL": "sqlite:" + file, "HUIFANG_SECRET": Self.secret]
        try await withHuifang(environment, embedded: true) { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let client = app.client
            let stop = Stop()
            let writers = (0..<4).map { number in
                Task {
                    try await ConcurrentWriteTests.write(as: number, port: port, token: token, client: client) {
                        !stop.flag.load(ordering: .sequentiallyConsistent)
                    }
                }
            }
            // Some rows are surely written before the copy starts, and the clients go on during it.
            let before = try await Self.committedCustomers(app, atLeast: 20)
            let copied = try await CommandLineTests().run(
                ["backup", backup, "--database-url", "sqlite:" + file], environment: environment)
            stop.flag.store(true, ordering: .sequentiallyConsistent)
            var failures: [String] = []
            for writer in writers { failures += try await writer.value.failures }
            await app.server.shutdown()
            let after = try await Customer.query(on: app.db).count()

            #expect(copied.status == 0, "\(copied.stdout) \(copied.stderr)")
            #expect(copied.stdout.contains("integrity ok"), "\(copied.stdout)")
            let mode = try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int
            #expect(mode == 0o600, "a backup holds every member's data: readable by its owner only")
            #expect(failures.isEmpty, "no client failed while the copy was taken: \(failures.prefix(3))")

            let restored = directory.appendingPathComponent("restored.sqlite").path
            let target = ["HUIFANG_DATABASE_URL": "sqlite:" + restored, "HUIFANG_SECRET": Self.secret]
            let restoring = try await CommandLineTests().run(["restore", backup], environment: target)
            #expect(restoring.status == 0, "\(restoring.stdout) \(restoring.stderr)")
            try await withHuifang(target, embedded: true) { copy in
                let integrity = try await copy.db.sql.raw("PRAGMA integrity_check").first()?
                    .decode(column: "integrity_check", as: String.self)
                #expect(integrity == "ok")
                let ids = Set(try await Customer.query(on: copy.db).all().compactMap(\.id))
                #expect(before.isSubset(of: ids), "every customer committed before the copy began is in it")
                #expect(ids.count >= before.count && ids.count <= after, "the copy is one moment between the two")
            }

            let again = try await CommandLineTests().run(["restore", backup], environment: target)
            #expect(again.status != 0)
            #expect(again.stderr.contains("is not empty"), "\(again.stderr)")
            let overwrite = try await CommandLineTests().run(
                ["backup", backup, "--database-url", "sqlite:" + file], environment: environment)
            #expect(overwrite.status != 0)
            #expect(overwrite.stderr.contains("exists"), "\(overwrite.stderr)")
        }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aDamagedOrForeignFileIsNotRestoredAndPostgreSQLIsSentToItsOwnTools() async throws {
        let foreign = directory.appendingPathComponent("foreign.sqlite").path
        let made = try await CommandLineTests().run(
            ["restore", "/nonexistent/backup.sqlite"],
            environment: ["HUIFANG_DATABASE_URL": "sqlite:" + directory.appendingPathComponent("a.sqlite").path])
        #expect(made.status != 0)
        #expect(made.stderr.contains("no such file"), "\(made.stderr)")

        try Data("这不是数据库".utf8).write(to: URL(fileURLWithPath: foreign))
        let target = directory.appendingPathComponent("b.sqlite").path
        let damaged = try await CommandLineTests().run(
            ["restore", foreign], environment: ["HUIFANG_DATABASE_URL": "sqlite:" + target])
        #expect(damaged.status != 0)
        #expect(!FileManager.default.fileExists(atPath: target), "nothing was put in place")

        let postgres = ["HUIFANG_DATABASE_URL": "postgres://huifang@127.0.0.1:1/huifang"]
        let dump = try await CommandLineTests().run(["backup", foreign + ".copy"], environment: postgres)
        #expect(dump.status != 0)
        #expect(dump.stderr.contains("pg_dump"), "\(dump.stderr)")
        let load = try await CommandLineTests().run(["restore", foreign], environment: postgres)
        #expect(load.stderr.contains("pg_restore"), "\(load.stderr)")
        try? FileManager.default.removeItem(at: directory)
    }

    /// The customers committed once at least `count` exist.
    static func committedCustomers(_ app: Application, atLeast count: Int) async throws -> Set<Int> {
        while true {
            let ids = Set(try await Customer.query(on: app.db).all().compactMap(\.id))
            if ids.count >= count { return ids }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
