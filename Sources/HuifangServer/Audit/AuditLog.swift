import Fluent
import Foundation
import SQLKit
import Vapor

/// Who did something: a signed-in user, an API client, or an operator at the command line.
struct Actor: Sendable {
    let id: UUID?
    let name: String
    let address: String?
    /// Where the change came from: ui, api, import, cli, demo.
    let source: String

    /// The server's own scheduled jobs.
    static let job = Actor(id: nil, name: "系统任务", address: nil, source: "job")

    static func commandLine(_ source: String = "cli") -> Actor {
        Actor(
            id: nil, name: ProcessInfo.processInfo.environment["USER"].map { "命令行(\($0))" } ?? "命令行", address: nil,
            source: source)
    }
}

extension Request {
    /// The caller's address: the connection's, or when that is a trusted proxy (`HUIFANG_TRUSTED_PROXIES`),
    /// the right-most address of `X-Forwarded-For` that is not one; entries the client wrote itself are ignored.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        return application.huifang.trustedProxies.clientAddress(peer: peer, forwardedFor: headers[.xForwardedFor])
    }

    /// The signed-in user as an actor; the source says whether through a page or the API.
    var actor: Actor {
        let user = auth.get(User.self)
        return Actor(
            id: user?.id, name: user?.username ?? "anonymous", address: clientAddress, source: isAPI ? "api" : "ui")
    }
}

/// Appends to the audit log. Entries are never changed or removed.
enum AuditLog {
    /// One statement, not a model's save: every audited view and list appends here, and Fluent's save reflects on
    /// the model and builds its statement anew for each entry. On SQLite, entries appended outside a transaction
    /// at the same time share one commit (`SerialSQLiteDatabase.runSharingCommit`); each call still returns only
    /// once its entry is committed.
    static func record(
        _ action: String, by actor: Actor, subjectType: String? = nil, subjectID: String? = nil,
        detail: String? = nil, at instant: Date, on db: any Database
    ) async throws {
        let entry = Entry(
            action, by: actor, subjectType: subjectType, subjectID: subjectID, detail: detail, at: instant)
        try await record(entry, on: db)
    }

    static func record(_ entry: Entry, on db: any Database) async throws {
        let statement: SQLQueryString = """
            INSERT INTO audit_log (\(unsafeRaw: columns)) VALUES (\(bind: entry.at), \(bind: entry.actorID), \
            \(bind: entry.actorName), \(bind: entry.action), \(bind: entry.subjectType), \(bind: entry.subjectID), \
            \(bind: entry.detail), \(bind: entry.address))
            """
        if let sqlite = db as? SerialSQLiteDatabase {
            try await sqlite.runSharingCommit(statement)
        } else {
            try await db.sql.raw(statement).run()
        }
    }

    /// The columns an entry fills.
    static let columns = "at, actor_id, actor_name, action, subject_type, subject_id, detail, address"

    /// An entry as a value, for a statement that writes entries with more (`KeptPageChecks`). In JSON the keys are
    /// the columns'.
    struct Entry: Encodable, Sendable {
        let at: Date
        let actorID: UUID?
        let actorName: String
        let action: String
        let subjectType: String?
        let subjectID: String?
        let detail: String?
        let address: String?

        init(
            _ action: String, by actor: Actor, subjectType: String? = nil, subjectID: String? = nil,
            detail: String? = nil, at instant: Date
        ) {
            (self.at, actorID, actorName, self.action) = (instant, actor.id, actor.name, action)
            (self.subjectType, self.subjectID, self.detail, address) = (subjectType, subjectID, detail, actor.address)
        }

        /// A view of a task list of `count` rows.
        static func taskList(count: Int, by actor: Actor, at instant: Date) -> Entry {
            Entry("task.list", by: actor, subjectType: "task", detail: "count=\(count)", at: instant)
        }

        enum CodingKeys: String, CodingKey {
            case at, action, detail, address
            case actorID = "actor_id"
            case actorName = "actor_name"
            case subjectType = "subject_type"
            case subjectID = "subject_id"
        }
    }
}
