import FluentKit
import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Tells this process, on PostgreSQL, when a table it keeps copies of has changed, whoever changed it: another
/// instance, the command line, plain SQL. `M044ChangeNotices`'s triggers send a notice (`NOTIFY huifang_changes`,
/// the table's name) with every statement that changes one, delivered when its transaction commits, and a
/// connection of this process's own listens (`ChangeListener`). The instance's own writes of these models count at
/// once besides (`ChangeNoticing`), so that its next request never waits for the notice.
///
/// A copy may be kept only while the connection listens, and serves only while nothing changed since it was read
/// (`Stamp`): while the connection is down, and when it comes back (the notices sent meanwhile are lost), every
/// copy is dropped and reads go to the database. On SQLite nothing listens and nothing is kept.
final class ChangeNotices: Sendable {
    enum Topic: CaseIterable, Sendable {
        /// Who a bearer token signs in: `users`, `api_tokens`.
        case access
        /// What a ticket's clock and its opening read: `ticket_settings`, `calendars`, `calendar_days` and
        /// `webhook_endpoints`.
        case ticketClock

        /// The topic a table's notice is about; nil for a table nothing here keeps.
        static func of(table: String) -> Topic? { tables[table] }

        /// The tables whose changes send notices (`M044ChangeNotices.tables`, which a test keeps in step).
        static let tables: [String: Topic] = [
            "users": .access, "api_tokens": .access, "ticket_settings": .ticketClock, "calendars": .ticketClock,
            "calendar_days": .ticketClock, "webhook_endpoints": .ticketClock,
        ]
    }

    static let channel = "huifang_changes"

    /// What a copy was read under: the changes counted by then.
    struct Stamp: Equatable, Sendable {
        fileprivate let changes: Int
    }

    private struct State {
        var listening = false
        var changes: [Topic: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// The stamp a copy read from now on is kept under; nil while copies may not be kept.
    func stamp(_ topic: Topic) -> Stamp? {
        state.withLockedValue { state in state.listening ? Stamp(changes: state.changes[topic, default: 0]) : nil }
    }

    /// Counts a change to a table of `topic`: this process's own as it writes it (`ChangeNoticing`), or a notice.
    func changed(_ topic: Topic) {
        state.withLockedValue { $0.changes[topic, default: 0] += 1 }
    }

    /// A notice arrived: the table named changed. A payload naming no table known counts for every topic.
    func heard(_ payload: String) {
        for topic in Topic.of(table: payload).map({ [$0] }) ?? Topic.allCases { changed(topic) }
    }

    /// The listening connection came up or went down: either way what was heard before no longer vouches.
    func listening(_ listening: Bool) {
        state.withLockedValue { state in
            state.listening = listening
            for topic in Topic.allCases { state.changes[topic, default: 0] += 1 }
        }
    }

    var isListening: Bool { state.withLockedValue { $0.listening } }
}

/// Values read from tables of one topic, kept while `ChangeNotices` vouches for them: a value serves only under the
/// stamp taken before it was read. At most `capacity` are kept; one more starts the memory over.
final class NoticedCopies<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let topic: ChangeNotices.Topic
    let notices: ChangeNotices
    let capacity: Int

    private struct Kept {
        var stamp: ChangeNotices.Stamp?
        var values: [Key: Value] = [:]
    }

    private let kept = NIOLockedValueBox(Kept())

    init(_ topic: ChangeNotices.Topic, notices: ChangeNotices, capacity: Int) {
        self.topic = topic
        self.notices = notices
        self.capacity = capacity
    }

    /// The copy of `key`'s value, if one is kept and nothing changed since it was read.
    func value(for key: Key) -> Value? {
        guard let stamp = notices.stamp(topic) else { return nil }
        return kept.withLockedValue { $0.stamp == stamp ? $0.values[key] : nil }
    }

    /// Keeps `value` as read after `stamp` was taken, unless something changed since.
    func keep(_ value: Value, for key: Key, readUnder stamp: ChangeNotices.Stamp) {
        guard notices.stamp(topic) == stamp else { return }
        kept.withLockedValue { kept in
            if kept.stamp != stamp || kept.values.count >= capacity { kept = Kept(stamp: stamp) }
            kept.values[key] = value
        }
    }

    /// The value of `key`: the kept copy, or `read`'s answer from `db`, kept when it has one and notices may vouch
    /// for it. Not kept when read in a transaction: it may see the transaction's own change, which a rollback undoes
    /// without a notice.
    func value(for key: Key, on db: @autoclosure () -> any Database, read: () async throws -> Value?) async throws
        -> Value?
    {
        if let value = value(for: key) { return value }
        let stamp = notices.stamp(topic)  // before the read: a change committed after it must not be missed
        guard let value = try await read() else { return nil }
        if let stamp, !db().inTransaction { keep(value, for: key, readUnder: stamp) }
        return value
    }
}

/// Counts the instance's own writes of a model whose table `ChangeNotices` reports, before and after the statement:
/// a copy read meanwhile is not kept. Instance saves and deletes: the one bulk write, of a calendar's days,
/// ends by touching the calendar (`CalendarStore`), an instance update.
struct ChangeNoticing<M: Model>: AsyncModelMiddleware {
    let topic: ChangeNotices.Topic
    let notices: ChangeNotices

    func create(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        notices.changed(topic)
        defer { notices.changed(topic) }
        try await next.create(model, on: db)
    }

    func update(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        notices.changed(topic)
        defer { notices.changed(topic) }
        try await next.update(model, on: db)
    }

    func delete(model: M, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        notices.changed(topic)
        defer { notices.changed(topic) }
        try await next.delete(model, force: force, on: db)
    }
}

/// The connection that listens for `ChangeNotices`, from boot to shutdown: connected again `retry` after it fails,
/// is closed, or does not hear back a notice it sent itself (`check`), for as long as the application runs.
final class ChangeListener: LifecycleHandler, Sendable {
    let configuration: PostgresConnection.Configuration
    let notices: ChangeNotices
    let retry: Duration
    /// How the connection shows in `pg_stat_activity`.
    static let applicationName = "huifang change notices"
    /// How often the connection sends itself a notice, and how long it may take to come back.
    let check: Duration
    /// Begins a ping's payload (`keepAsking`), which no table's name does.
    static let pingPrefix = "ping "
    /// Begins this listener's own pings: every instance's reach every listener, and only its own vouch for it.
    private let ownPings = "\(ChangeListener.pingPrefix)\(UUID().uuidString) "
    /// The last of its own pings heard.
    private let pings = NIOLockedValueBox("")
    private let running = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let connection = NIOLockedValueBox<PostgresConnection?>(nil)

    init(
        configuration: PostgresConnection.Configuration, notices: ChangeNotices, retry: Duration = .seconds(1),
        check: Duration = .seconds(2)
    ) {
        var configuration = configuration
        configuration.options.additionalStartupParameters.append(("application_name", Self.applicationName))
        self.configuration = configuration
        self.notices = notices
        self.retry = retry
        self.check = check
    }

    /// Starts listening, on either kind of boot (`huifang serve` boots asynchronously, VaporTesting's tester not).
    func didBoot(_ application: Application) throws {
        let group = application.eventLoopGroup
        let logger = application.logger
        running.withLockedValue { running in
            guard running == nil else { return }
            running = Task { [self] in
                var failures = 0  // in a row: the first is a warning, the rest only every minute or so
                while !Task.isCancelled {
                    do {
                        try await listenOnce(on: group.any(), logger: logger)
                        failures = 0
                    } catch  where !Task.isCancelled {
                        let level: Logger.Level = failures % 60 == 0 ? .warning : .debug
                        logger.log(
                            level: level, "change notices: \(String(reflecting: error)); nothing kept until back")
                        failures += 1
                    } catch {}
                    notices.listening(false)
                    try? await Task.sleep(for: retry)
                }
            }
        }
    }

    func didBootAsync(_ application: Application) async throws { try didBoot(application) }

    /// Connects, listens and hands each notice on until the connection ends, or stops hearing its own: a connection
    /// cut off without a word (a network that drops packets) would otherwise keep copies that nothing vouches for.
    private func listenOnce(on eventLoop: any EventLoop, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(
            on: eventLoop, configuration: configuration, id: 0, logger: logger)
        self.connection.withLockedValue { $0 = connection }
        defer { self.connection.withLockedValue { $0 = nil } }
        do {
            try await connection.listen(on: ChangeNotices.channel) { stream in
                // LISTEN has taken effect; copies are kept once the first ping is back (`handle`).
                self.pings.withLockedValue { $0 = "" }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for try await notice in stream { self.handle(notice.payload) } }
                    group.addTask { try await self.keepAsking(connection) }
                    try await group.next()  // whichever ends first ends the connection
                    group.cancelAll()
                }
            }
        } catch {
            notices.listening(false)
            try? await connection.close()
            throw error
        }
        notices.listening(false)
        try? await connection.close()
    }

    /// Every `interval`, sends a notice of its own through the connection and throws when it was not heard back
    /// by the next: that proves both that the connection answers and that notices reach it. The sending is a task of
    /// its own: a connection that does not answer does not answer cancelling either.
    private func keepAsking(_ connection: PostgresConnection) async throws {
        while true {
            let ping = "\(ownPings)\(UUID().uuidString)"
            let query: PostgresQuery = "SELECT pg_notify(\(ChangeNotices.channel), \(ping))"
            let sent = Task { try await connection.query(query, logger: connection.logger) }
            try await Task.sleep(for: check)
            guard pings.withLockedValue({ $0 == ping }) else {
                sent.cancel()
                throw ListenerSilent()
            }
        }
    }

    /// Hands a notice on to `notices`, or notes it as this listener's ping (`keepAsking`); another's is no change.
    /// The first ping back on a connection starts the keeping: notices are then known to arrive.
    private func handle(_ payload: String) {
        guard payload.hasPrefix(Self.pingPrefix) else { return notices.heard(payload) }
        guard payload.hasPrefix(ownPings) else { return }
        let first = pings.withLockedValue { pings in
            defer { pings = payload }
            return pings.isEmpty
        }
        if first { notices.listening(true) }
    }

    private struct ListenerSilent: Error, CustomStringConvertible {
        var description: String { "the listening connection did not hear its own notice back" }
    }

    func shutdownAsync(_ application: Application) async {
        let task = running.withLockedValue { $0 }
        task?.cancel()
        try? await connection.withLockedValue { $0 }?.close()
        await task?.value
    }

    func shutdown(_ application: Application) {
        running.withLockedValue { $0 }?.cancel()
        _ = connection.withLockedValue { $0 }?.close() as EventLoopFuture<Void>?
    }
}

extension Application {
    private struct ChangeNoticesKey: StorageKey { typealias Value = ChangeNotices }
    private struct ChangeListenerKey: StorageKey { typealias Value = ChangeListener }
    private struct KeptAccessKey: StorageKey { typealias Value = KeptAccess }
    private struct KeptTicketClockKey: StorageKey { typealias Value = NoticedCopies<Int, ClockReads> }

    /// The connection listening for change notices, on PostgreSQL.
    var changeListener: ChangeListener? { storage[ChangeListenerKey.self] }

    /// Bearer tokens' rows kept while notices vouch for them (`BearerUserAuthenticator`).
    var keptAccess: KeptAccess {
        get {
            guard let kept = storage[KeptAccessKey.self] else { fatalError("configure(_:_:) was not called") }
            return kept
        }
        set { storage[KeptAccessKey.self] = newValue }
    }

    /// What a ticket's clock is computed with, kept while notices vouch for it (`TicketService`).
    var keptTicketClock: NoticedCopies<Int, ClockReads>? {
        get { storage[KeptTicketClockKey.self] }
        set { storage[KeptTicketClockKey.self] = newValue }
    }

    /// What this instance hears of changes to the tables it keeps copies of (`configure` makes it; on SQLite it
    /// never listens).
    var changeNotices: ChangeNotices {
        get {
            guard let notices = storage[ChangeNoticesKey.self] else { fatalError("configure(_:_:) was not called") }
            return notices
        }
        set { storage[ChangeNoticesKey.self] = newValue }
    }

    /// Listens for change notices when the database is PostgreSQL at `url`, and counts this process's own writes.
    func useChangeNotices(postgresURL url: String?) throws {
        let notices = ChangeNotices()
        changeNotices = notices
        keptAccess = KeptAccess(notices: notices)
        keptTicketClock = NoticedCopies(.ticketClock, notices: notices, capacity: 1)
        guard let url else { return }
        let listener = ChangeListener(
            configuration: try SQLPostgresConfiguration(url: url).coreConfiguration, notices: notices)
        storage[ChangeListenerKey.self] = listener
        lifecycle.use(listener)
        let noticing: [any AnyModelMiddleware] = [
            ChangeNoticing<User>(topic: .access, notices: notices),
            ChangeNoticing<APIToken>(topic: .access, notices: notices),
            ChangeNoticing<TicketSettingsRecord>(topic: .ticketClock, notices: notices),
            ChangeNoticing<WorkCalendar>(topic: .ticketClock, notices: notices),
            ChangeNoticing<CalendarDay>(topic: .ticketClock, notices: notices),
            ChangeNoticing<WebhookEndpoint>(topic: .ticketClock, notices: notices),
        ]
        for middleware in noticing { databases.middleware.use(middleware, on: .psql) }
    }
}
