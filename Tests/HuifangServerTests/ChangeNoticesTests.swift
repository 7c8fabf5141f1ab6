import Fluent
import FluentPostgresDriver
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// On PostgreSQL an instance keeps who a bearer token signs in, and what a ticket's clock is computed with, while
/// change notices vouch for them (`ChangeNotices`): a change made anywhere — plain SQL as the command line or
/// another instance writes it — reaches the next requests once its notice comes, this process's own at once, and
/// while nothing listens nothing is kept. On SQLite nothing is kept.
@Suite struct ChangeNoticesTests {
    struct Agent {
        let app: Application
        let user: User
        let token: String

        var digest: String { APIToken.digest(token) }
        var kept: Bool { app.keptAccess.tokens.value(for: digest) != nil }

        func mine() async throws -> HTTPStatus {
            try await send(app, .GET, "/api/v1/tasks/mine", token: token).status
        }
    }

    func agent(_ app: Application, _ username: String = "wangfang") async throws -> Agent {
        let user = try await makeUser(app, .agent, username: username).user
        return Agent(app: app, user: user, token: try await makeToken(app, user))
    }

    func onPostgres(_ app: Application) -> Bool { app.db.sql.dialect.name == "postgresql" }

    /// Boots the application as `huifang serve` does, which starts the listening connection, and waits for it.
    func listening(_ app: Application) async throws {
        try await app.asyncBoot()
        try await eventually("the listening connection is up") { app.changeNotices.isListening }
    }

    /// Waits for `condition`, which a notice delivered by PostgreSQL makes true (half a minute at most on a busy
    /// machine; a notice that never comes fails the test).
    func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<600 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("never came: \(what)")
    }

    @Test func aTokenRevokedOrAUserDeactivatedWithPlainSQLSignsInNoMoreOnceTheNoticeComes() async throws {
        try await withHuifang { app in
            let (wang, li) = (try await agent(app), try await agent(app, "lina"))
            guard onPostgres(app) else {
                #expect(try await wang.mine() == .ok)
                #expect(!wang.kept && !app.changeNotices.isListening, "SQLite: nothing listens, nothing is kept")
                return
            }
            try await listening(app)
            #expect(try await wang.mine() == .ok)
            #expect(try await li.mine() == .ok)
            #expect(wang.kept && li.kept)

            try await app.db.sql.raw("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = \(bind: wang.digest)")
                .run()
            try await eventually("the revocation's notice") { !wang.kept }
            #expect(try await wang.mine() == .unauthorized)

            #expect(try await li.mine() == .ok)  // read again, and kept again
            #expect(li.kept)
            try await app.db.sql.raw("UPDATE users SET is_active = false WHERE id = \(bind: li.user.id!)").run()
            try await eventually("the deactivation's notice") { !li.kept }
            #expect(try await li.mine() == .unauthorized)

            // The listening connection cut: nothing is kept until it listens again, a second later.
            let zhao = try await agent(app, "zhaolei")
            try await terminateListener(app)
            try await eventually("the listener finds its connection gone") { !app.changeNotices.isListening }
            try await eventually("the listener is back") { app.changeNotices.isListening }
            #expect(try await zhao.mine() == .ok)
            #expect(zhao.kept)
        }
    }

    /// In place of the listener the application boots, one that stays down once its connection is lost.
    func stayingDown(_ app: Application, check: Duration = .seconds(2)) async throws -> ChangeListener {
        guard case .postgres(let url) = app.huifang.database else { throw Abort(.internalServerError) }
        try await app.asyncBoot()
        await app.changeListener?.shutdownAsync(app)
        let listener = ChangeListener(
            configuration: try SQLPostgresConfiguration(url: url).coreConfiguration, notices: app.changeNotices,
            retry: .seconds(3_600), check: check)
        try listener.didBoot(app)
        try await eventually("the listening connection is up") { app.changeNotices.isListening }
        return listener
    }

    func terminateListener(_ app: Application) async throws {
        try await app.db.sql.raw(
            """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = \(bind: ChangeListener.applicationName)
            """
        ).run()
    }

    @Test func aTokensLastUseSendsNoNoticeAndThisProcesssOwnChangesCountAtOnce() async throws {
        try await withHuifang { app in
            let wang = try await agent(app)
            guard onPostgres(app) else { return }
            try await listening(app)
            #expect(try await wang.mine() == .ok)
            #expect(wang.kept)
            // Notices come in the order their transactions committed: once the later one is heard, so is the first.
            let clock = app.changeNotices.stamp(.ticketClock)
            try await app.db.sql.raw(
                "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = \(bind: wang.digest)"
            )
            .run()
            try await app.db.sql.raw("SELECT pg_notify(\(bind: ChangeNotices.channel), 'calendars')").run()
            try await eventually("the later notice") { app.changeNotices.stamp(.ticketClock) != clock }
            #expect(wang.kept, "the last use changes nothing a copy holds")

            // Saved through Fluent: counted as it is written, inside its transaction — before any notice could be
            // sent, which only a commit sends.
            let token = try await APIToken.query(on: app.db).filter(\.$tokenHash == wang.digest).first()!
            try await app.db.transaction { db in
                token.revokedAt = Date()
                try await token.save(on: db)
                #expect(!wang.kept)
            }
            #expect(try await wang.mine() == .unauthorized)
        }
    }

    @Test func whileNothingListensNothingIsKeptAndEveryChangeIsReadAtOnce() async throws {
        try await withHuifang { app in
            let wang = try await agent(app)
            guard onPostgres(app) else { return }
            let listener = try await stayingDown(app)
            #expect(try await wang.mine() == .ok)
            #expect(wang.kept)

            try await terminateListener(app)
            try await eventually("the listener finds its connection gone") { !app.changeNotices.isListening }
            #expect(!wang.kept)
            #expect(try await wang.mine() == .ok)
            #expect(!wang.kept, "read, and not kept")
            try await app.db.sql.raw("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = \(bind: wang.digest)")
                .run()
            #expect(try await wang.mine() == .unauthorized)
            await listener.shutdownAsync(app)
        }
    }

    @Test func aListeningConnectionThatStopsAnsweringIsGivenUp() async throws {
        try await withHuifang { app in
            let wang = try await agent(app)
            guard onPostgres(app) else { return }
            let listener = try await stayingDown(app, check: .seconds(1))
            #expect(try await wang.mine() == .ok)
            #expect(wang.kept)
            // Its server process stopped, as a connection cut off without a word stays: no answer, no error.
            // (The test command's PostgreSQL runs on this machine.)
            let pid = try await app.db.sql.raw(
                """
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = \(bind: ChangeListener.applicationName)
                """
            ).first()?.decode(column: "pid", as: Int32.self)
            let backend = try #require(pid)
            // Only a PostgreSQL server process of this machine is ever stopped: the test command runs one.
            let command = try String(contentsOfFile: "/proc/\(backend)/comm", encoding: .utf8)
            try #require(command.hasPrefix("postgres"), "PostgreSQL must run on this machine for this test")
            #expect(kill(backend, SIGSTOP) == 0)
            defer { kill(backend, SIGCONT) }
            try await eventually("the listener gives the silent connection up") { !app.changeNotices.isListening }
            #expect(!wang.kept)
            kill(backend, SIGCONT)
            await listener.shutdownAsync(app)
        }
    }

    /// Every instance's pings reach every listener: each listener goes by its own.
    @Test func anotherInstancesPingsDoNotSilenceThisOne() async throws {
        try await withHuifang { app in
            guard onPostgres(app), case .postgres(let url) = app.huifang.database else { return }
            let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
            let (mine, other) = (ChangeNotices(), ChangeNotices())
            let listeners = [mine, other].map {
                ChangeListener(configuration: configuration, notices: $0, retry: .seconds(3_600), check: .seconds(1))
            }
            for listener in listeners { try listener.didBoot(app) }
            try await eventually("both listen") { mine.isListening && other.isListening }
            try await Task.sleep(for: .seconds(5))  // five checks each; one given up stays down
            #expect(mine.isListening && other.isListening)
            for listener in listeners { await listener.shutdownAsync(app) }
        }
    }

    @Test func aHolidayEnteredWithPlainSQLMovesTheNextTicketsDeadlineOnceTheNoticeComes() async throws {
        try await withHuifang { app in
            let (clock, _) = HuifangClock.manual(shanghai("2026-03-02 09:00"))  // a Monday
            app.clock = clock
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            struct Opened: Decodable { let firstResponseDue: String }
            func open() async throws -> String {
                try await send(
                    app, .POST, "/api/v1/tickets", token: token,
                    body: TicketInput(kind: "complaint", description: "门店等待时间过长")
                ).content.decode(Opened.self).firstResponseDue
            }
            let kept = app.keptTicketClock!
            guard onPostgres(app) else {
                _ = try await open()
                #expect(kept.value(for: 0) == nil, "SQLite: nothing is kept")
                return
            }
            try await listening(app)
            let before = try await open()
            #expect(kept.value(for: 0) != nil)
            let day = String(before.prefix(10))
            try await app.db.sql.raw(
                """
                INSERT INTO calendar_days (id, calendar_id, date, kind, name, hours)
                SELECT \(bind: UUID()), id, \(bind: day), 'holiday', '临时休息', '' FROM calendars WHERE is_default
                """
            ).run()
            try await app.db.sql.raw("UPDATE calendars SET updated_at = now() WHERE is_default").run()
            try await eventually("the holiday's notice") { kept.value(for: 0) == nil }
            let after = try await open()
            #expect(after > before, "\(after) comes after the new holiday \(day)")
        }
    }

    @Test func aCopiedUserHoldsEveryStoredValue() async throws {
        try await withHuifang { app in
            let department = Department(name: "客服一部")
            try await department.create(on: app.db)
            let made = try await makeUser(app, .supervisor, username: "zhuguan", department: department.id).user
            made.email = "zhuguan@example.com"
            made.phoneExtension = "8001"
            made.skills = "medical,vip"
            try await made.update(on: app.db)
            let stored = try #require(try await User.find(made.id, on: app.db))
            let copy = stored.copy()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            #expect(try encoder.encode(copy) == encoder.encode(stored))
            #expect(copy.$id.exists && copy !== stored)
            #expect(
                Set(User.keys.map(\.description)).count == 12,
                "a new column: copy it in `User.copy`, then count it here")
        }
    }

    @Test func theTablesThatSendNoticesAreTheTablesTopicsNameAndNoticesCountOnlyTheirTopic() async throws {
        #expect(Set(M044ChangeNotices.tables.map(\.table)) == Set(ChangeNotices.Topic.tables.keys))
        let notices = ChangeNotices()
        notices.listening(true)
        let (access, clock) = (notices.stamp(.access), notices.stamp(.ticketClock))
        notices.heard("webhook_endpoints")
        #expect(notices.stamp(.access) == access && notices.stamp(.ticketClock) != clock)
        notices.heard("something else")
        #expect(notices.stamp(.access) != access, "a notice naming no known table counts for every topic")
    }

    @Test func aValueReadInATransactionIsNotKeptAndTheMemoryStartsOverWhenFull() async throws {
        try await withHuifang { app in
            let notices = ChangeNotices()
            let copies = NoticedCopies<Int, String>(.access, notices: notices, capacity: 2)
            _ = try await copies.value(for: 1, on: app.db) { "one" }
            #expect(copies.value(for: 1) == nil, "nothing listens")
            notices.listening(true)
            _ = try await app.db.transaction { db in try await copies.value(for: 1, on: db) { "one" } }
            #expect(copies.value(for: 1) == nil, "a rollback would undo what it saw, without a notice")
            _ = try await copies.value(for: 1, on: app.db) { "one" }
            _ = try await copies.value(for: 2, on: app.db) { "two" }
            #expect(copies.value(for: 1) == "one" && copies.value(for: 2) == "two")
            _ = try await copies.value(for: 3, on: app.db) { "three" }
            #expect(copies.value(for: 1) == nil && copies.value(for: 3) == "three")

            let stamp = notices.stamp(.access)!
            notices.heard("api_tokens")
            copies.keep("late", for: 4, readUnder: stamp)
            #expect(copies.value(for: 4) == nil && copies.value(for: 3) == nil, "read before a change: not kept")
            notices.heard("calendars")
            _ = try await copies.value(for: 5, on: app.db) { "five" }
            #expect(copies.value(for: 5) == "five", "another topic's notice drops nothing of this one")
            notices.changed(.access)
            #expect(copies.value(for: 5) == nil)
        }
    }
}
