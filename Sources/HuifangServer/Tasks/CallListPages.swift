import Fluent
import HuifangCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// First pages of agents' call lists as the API answered them, kept while nothing they show has changed
/// (`M042CallListVersions`) and until the first of the agent's callbacks after their reading falls due, `maxAge` at
/// most: an agent's page asked for again costs the token, one small read and its audit entry instead of reading
/// and writing 51 rows.
final class CallListPages: Sendable {
    /// The version moved on by changes that may show in anyone's list.
    static let everyone = "all"
    /// The longest a page is kept, whatever the versions say.
    static let maxAge: TimeInterval = 300

    /// Pages of `TaskFilter.pageSize` rows are kept: a page of another size is read each time, so that one user
    /// cannot fill the store with pages of every size.
    struct Key: Hashable, Sendable {
        let agent: UUID
        let role: Role
        let language: Language
    }
    struct Body: Sendable {
        let json: ByteBuffer
        let count: Int
    }

    private let pages = NIOLockedValueBox(KeptPages<Key, Body>(capacity: 512))
    let checks = KeptPageChecks()

    /// The versions of `agent`'s list and of everyone's.
    func versions(of agent: UUID, on db: any Database) async throws -> [Int] {
        let row = try await db.sql.raw(Self.versionsQuery(of: agent, postgres: db.sql.dialect.name == "postgresql"))
            .first()
        guard let row else { throw Abort(.internalServerError, reason: "no call-list versions") }
        return [try row.decode(column: "everyone", as: Int.self), try row.decode(column: "mine", as: Int.self)]
    }

    /// SQLite keeps a number per agent (`M042CallListVersions`), PostgreSQL rows to be summed (`M043CallListChanges`).
    private static func versionsQuery(of agent: UUID, postgres: Bool) -> SQLQueryString {
        guard postgres else {
            let table = M042CallListVersions.table
            return """
                SELECT COALESCE((SELECT n FROM \(unsafeRaw: table) WHERE agent = \(bind: everyone)), 0) AS everyone,
                COALESCE((SELECT n FROM \(unsafeRaw: table) WHERE agent = \(bind: agent)), 0) AS mine
                """
        }
        let everyone = UUID(uuidString: M043CallListChanges.everyone)!
        return """
            SELECT COALESCE(SUM(n) FILTER (WHERE agent = \(bind: everyone)), 0)::bigint AS everyone,
            COALESCE(SUM(n) FILTER (WHERE agent = \(bind: agent)), 0)::bigint AS mine
            FROM \(unsafeRaw: M043CallListChanges.table) WHERE agent IN (\(bind: everyone), \(bind: agent))
            """
    }

    /// On PostgreSQL, the versions read in one statement with the audit entry of an answer by `page`, written only
    /// when they still are the page's (`KeptPageChecks`): a page asked for again costs a share of one round trip.
    /// `db` is made only when this answer starts a statement.
    func versions(
        of agent: UUID, auditing page: KeptPages<Key, Body>.Page, entry: AuditLog.Entry,
        on db: @autoclosure () -> any Database
    ) async throws -> [Int] {
        try await checks.versions(of: agent, auditing: entry, if: page.versions, on: db())
    }

    /// The page kept for `key` that may serve at `now` if the versions are still its own.
    func candidate(_ key: Key, at now: Date) -> KeptPages<Key, Body>.Page? {
        pages.withLockedValue { $0.candidate(key, at: now) }
    }

    func page(_ key: Key, versions: [Int], at now: Date) -> Body? {
        pages.withLockedValue { $0.page(key, versions: versions, at: now) }
    }

    /// Keeps `body`, the page of `key`'s agent read at `now` under `versions`, until the first of her open tasks'
    /// callbacks after `now` falls due (it moves up the list then), `maxAge` at most.
    func keep(_ body: Body, for key: Key, versions: [Int], at now: Date, on db: any Database) async throws {
        let row = try await db.sql.raw(
            """
            SELECT MIN(callback_at) AS next FROM follow_up_tasks
            WHERE assigned_agent_id = \(bind: key.agent) AND status = 'open' AND callback_at > \(bind: now)
            """
        ).first()
        let limit = now.addingTimeInterval(Self.maxAge)
        let until = try row?.decode(column: "next", as: Date?.self).map { min($0, limit) } ?? limit
        pages.withLockedValue { $0.keep(body, for: key, versions: versions, at: now, until: until) }
    }
}

extension Application {
    private struct CallListPagesKey: StorageKey { typealias Value = CallListPages }

    /// This instance's kept call-list pages (`configure` makes them).
    var callListPages: CallListPages {
        get {
            guard let pages = storage[CallListPagesKey.self] else { fatalError("configure(_:_:) was not called") }
            return pages
        }
        set { storage[CallListPagesKey.self] = newValue }
    }
}

extension Request {
    /// The signed-in agent's call list as the API answers it: a first page kept by `CallListPages` when one may
    /// serve, else read (and kept). Audited either way, as every view of the list is.
    func callListResponse(_ filter: TaskFilter, viewer: User) async throws -> Response {
        let pages = application.callListPages
        let key = CallListPages.Key(agent: try viewer.requireID(), role: viewer.role, language: language)
        let keepable = filter.after == nil && filter.limit == TaskFilter.pageSize
        let (versions, kept) = keepable ? try await keptCallList(key) : (nil, nil)
        let body: CallListPages.Body
        if let kept {
            body = kept
        } else {
            let page = try await domain.taskPage(filter, viewer: viewer)
            let dto = TaskPageDTO(items: page.rows, nextCursor: page.next?.token)
            body = CallListPages.Body(json: ByteBuffer(bytes: dto.json.bytes), count: page.rows.count)
            if let versions { try await pages.keep(body, for: key, versions: versions, at: now, on: database) }
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: body.json))
    }

    /// The versions of `key`'s list, read before any page, and the kept page that answers under them, its answer
    /// audited already; no page when none may answer.
    private func keptCallList(_ key: CallListPages.Key) async throws -> ([Int], CallListPages.Body?) {
        let pages = application.callListPages
        if application.huifang.database.isPostgres, let kept = pages.candidate(key, at: now) {
            let entry = AuditLog.Entry.taskList(count: kept.body.count, by: actor, at: now)
            let versions = try await pages.versions(of: key.agent, auditing: kept, entry: entry, on: database)
            return (versions, versions == kept.versions ? kept.body : nil)  // audited by that statement if so
        }
        let versions = try await pages.versions(of: key.agent, on: database)
        guard let body = pages.page(key, versions: versions, at: now) else { return (versions, nil) }
        try await domain.auditTaskList(count: body.count)
        return (versions, body)
    }
}
