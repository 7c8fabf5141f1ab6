import Fluent
import Foundation
import HuifangCore
import Vapor

/// A notification as the live stream hands it on: whose it is and what its banner shows.
struct LiveNote: Sendable {
    let id: Int
    let userID: UUID
    let ticketID: Int?
    let kind: String
    let text: String
    /// A ringing call's pop-up: the call whose form it opens.
    let phoneCallID: Int?

    init(_ row: Notification) {
        id = row.id!
        userID = row.$user.id
        ticketID = row.ticketID
        kind = row.kind
        text = row.text
        phoneCallID = row.phoneCallID
    }
}

/// Pushes new notifications to the pages open on this instance (`GET /notifications/stream`).
///
/// One poll per instance, not one per open page: while a stream is open, every `HUIFANG_LIVE_POLL_MS` it reads
/// the notifications above the highest id it has seen (the primary key), whichever instance wrote them, and hands
/// each to the open streams of its recipient — and of nobody else. Ids that commit out of order on PostgreSQL are
/// asked for again (`RisingIDCursor`). Streams per user and per instance are limited; at shutdown every stream
/// ends before the HTTP server waits for its connections.
actor NotificationHub {
    enum Message: Sendable {
        /// `late`: its id is below one already handed on (it committed after a later one).
        case notification(LiveNote, late: Bool)
        /// Nothing new: a comment keeps the connection open through proxies and finds a browser that left.
        case heartbeat
    }

    enum Refusal: Error {
        case tooManyStreams
        case closed
    }

    /// One open stream's messages.
    struct Subscription: Sendable {
        let id: UUID
        let messages: AsyncStream<Message>
    }

    private struct Subscriber {
        let user: UUID
        let continuation: AsyncStream<Message>.Continuation
        let opened: ContinuousClock.Instant
    }

    /// Browsers keep at most six connections to one server over HTTP/1.1; more live tabs would leave none for
    /// loading pages, so a user's fourth stream on an instance is refused (`429`).
    static let streamsPerUser = 3
    static let streamsPerInstance = 5000
    static let heartbeatEvery: Duration = .seconds(20)
    /// A stream ends after this; the browser reconnects at once and is signed in again, so a session that ended
    /// (signed out elsewhere, idle, deactivated) stops getting anything.
    static let streamLifetime: Duration = .seconds(300)
    static let pageSize = 500

    private let database: @Sendable () -> any Database
    private let interval: Duration
    private let logger: Logger
    private let clock = ContinuousClock()
    private var subscribers: [UUID: Subscriber] = [:]
    private var cursor: RisingIDCursor?
    private var poller: Task<Void, Never>?
    private var lastHeartbeat: ContinuousClock.Instant
    private var isClosed = false

    init(database: @escaping @Sendable () -> any Database, interval: Duration, logger: Logger) {
        self.database = database
        self.interval = interval
        self.logger = logger
        lastHeartbeat = clock.now
    }

    /// Streams open on this instance (for tests and `/metrics`).
    var openStreams: Int { subscribers.count }

    /// Opens a stream of `user`'s notifications from now on; starts the poll when it is the first.
    func subscribe(user: UUID) async throws -> Subscription {
        guard !isClosed else { throw Refusal.closed }
        guard subscribers.count < Self.streamsPerInstance,
            subscribers.values.count(where: { $0.user == user }) < Self.streamsPerUser
        else { throw Refusal.tooManyStreams }
        let (messages, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(100))
        let id = UUID()
        subscribers[id] = Subscriber(user: user, continuation: continuation, opened: clock.now)
        if poller == nil { poller = Task { await self.run() } }
        if cursor == nil {
            // From the highest id now: what came before, the stream's catch-up reads (`after`).
            do {
                let top = try await Notification.query(on: database()).max(\.$id) ?? 0
                if cursor == nil { cursor = RisingIDCursor(after: top) }
            } catch {
                end(id)
                throw error
            }
        }
        return Subscription(id: id, messages: messages)
    }

    /// Closes one stream's messages (the stream ended, or its time is up).
    func end(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Ends every stream and the poll; later streams are refused.
    func shutdown() async {
        isClosed = true
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers = [:]
        let task = poller
        task?.cancel()
        await task?.value
        poller = nil
    }

    private func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            if subscribers.isEmpty {
                // Nobody listens: stop, and start from the top again with the next stream.
                cursor = nil
                poller = nil
                return
            }
            await poll()
            tend()
        }
    }

    /// Reads what is new (and what is still awaited) and hands it on, a page at a time.
    private func poll() async {
        let db = database()
        while var cursor {
            do {
                let (after, awaited) = (cursor.last, cursor.awaited)
                let rows = try await Notification.query(on: db)
                    .group(.or) { or in
                        or.filter(\.$id > after)
                        if !awaited.isEmpty { or.filter(\.$id ~~ awaited) }
                    }
                    .sort(\.$id).limit(Self.pageSize).all().map(LiveNote.init)
                let late = cursor.advance(found: rows.map(\.id))
                self.cursor = cursor
                for note in rows {
                    let message = Message.notification(note, late: late.contains(note.id))
                    for subscriber in subscribers.values where subscriber.user == note.userID {
                        subscriber.continuation.yield(message)
                    }
                }
                if rows.count < Self.pageSize { return }
            } catch {
                logger.warning("Live notifications: the poll failed: \(String(reflecting: error))")
                return
            }
        }
    }

    /// Ends streams whose time is up and sends the heartbeat when it is due.
    private func tend() {
        let now = clock.now
        for (id, subscriber) in subscribers where now - subscriber.opened >= Self.streamLifetime { end(id) }
        guard now - lastHeartbeat >= Self.heartbeatEvery else { return }
        lastHeartbeat = now
        for subscriber in subscribers.values { subscriber.continuation.yield(.heartbeat) }
    }
}

extension NotificationHub {
    /// Ends the streams when the application shuts down: registered after the jobs, it runs before the HTTP server
    /// stops, which would otherwise wait for every open stream until its timeout.
    struct Lifecycle: LifecycleHandler {
        let hub: NotificationHub

        func shutdownAsync(_ application: Application) async { await hub.shutdown() }
    }
}

extension Application {
    private struct NotificationHubKey: StorageKey { typealias Value = NotificationHub }

    /// Makes this instance's hub. Registered after the periodic jobs, so that at shutdown (handlers run in reverse)
    /// the open streams end first, before the HTTP server waits for its connections.
    func useNotificationHub(polling interval: Duration) {
        let hub = NotificationHub(database: { [unowned self] in self.db }, interval: interval, logger: logger)
        notificationHub = hub
        lifecycle.use(NotificationHub.Lifecycle(hub: hub))
    }

    /// The live notifications of this instance (`configure` makes it).
    var notificationHub: NotificationHub {
        get {
            guard let hub = storage[NotificationHubKey.self] else { fatalError("configure(_:_:) was not called") }
            return hub
        }
        set { storage[NotificationHubKey.self] = newValue }
    }
}
