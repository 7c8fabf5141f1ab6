import Fluent
import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// On PostgreSQL, what a kept call-list page costs the database: its versions read in one statement with the
/// audit entry of the answer it would give, the entry written only when they still are the page's (nothing is
/// written when they moved on; the page read then audits itself). Pages asked for at once share that statement
/// (`Batches`): an answer that finds a statement free runs one at once, answers that arrive meanwhile go in the
/// next, together. Each request still returns only once its own entry is committed.
final class KeptPageChecks: Sendable {
    /// Statements at a time. One: under load each statement carries more answers, which cost PostgreSQL and the
    /// server less than more statements do; measured against two and four, it answered more pages at both 8 and 32
    /// connections (BENCHMARKS.md).
    static let concurrent = 1
    /// Answers one statement checks at most.
    static let limit = 64

    /// A kept page's check: the agent, the page's versions and the entry its answer would write.
    struct Ask: Sendable {
        let agent: UUID
        let versions: [Int]
        let entry: AuditLog.Entry
    }

    private struct Check: Sendable {
        let ask: Ask
        let done: CheckedContinuation<[Int], any Error>
    }

    /// Statements run so far (each answers a batch).
    var statements: Int { batchesRun.withLockedValue { $0 } }
    private let batchesRun = NIOLockedValueBox(0)

    private let batches = NIOLockedValueBox(Batches<Check>(concurrent: concurrent, limit: limit))

    /// The versions of `agent`'s list and of everyone's now, with `entry` written when they are `versions`. `db`
    /// is made only when this check starts a statement.
    func versions(
        of agent: UUID, auditing entry: AuditLog.Entry, if versions: [Int], on db: @autoclosure () -> any Database
    ) async throws -> [Int] {
        try await withCheckedThrowingContinuation { done in
            let check = Check(ask: Ask(agent: agent, versions: versions, entry: entry), done: done)
            guard let batch = batches.withLockedValue({ $0.add(check) }) else { return }
            let database = db()
            Task { await self.run(batch, on: database) }
        }
    }

    /// Runs `first` and then whatever gathered meanwhile, until nothing waits.
    private func run(_ first: [Check], on db: any Database) async {
        var batch: [Check]? = first
        while let checks = batch {
            do {
                batchesRun.withLockedValue { $0 += 1 }
                let found = try await Self.versions(checks.map(\.ask), on: db)
                for (check, versions) in zip(checks, found) { check.done.resume(returning: versions) }
            } catch {
                for check in checks { check.done.resume(throwing: error) }
            }
            batch = batches.withLockedValue { $0.ended() }
        }
    }

    /// One row per check (`i`, its place), to and from PostgreSQL as JSON: one statement, prepared once, however
    /// many checks it carries.
    private struct Row: Encodable {
        let i: Int
        let agent: UUID
        let everyone: Int
        let mine: Int
        let entry: AuditLog.Entry

        func encode(to encoder: any Encoder) throws {
            try entry.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(i, forKey: .i)
            try container.encode(agent, forKey: .agent)
            try container.encode(everyone, forKey: .everyone)
            try container.encode(mine, forKey: .mine)
        }

        enum Keys: String, CodingKey { case i, agent, everyone, mine }
    }

    private static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    /// An instant goes as whole microseconds since 2000, cut as PostgresNIO cuts a bound `Date`: the entry's
    /// instant is then the one `AuditLog.record` would have written.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64(date.timeIntervalSince(KeptPageChecks.postgresEpoch) * 1_000_000))
        }
        return encoder
    }()

    /// The versions now of each ask's list, in their order; the entries of those whose versions they are, written.
    static func versions(_ asks: [Ask], on db: any Database) async throws -> [[Int]] {
        let rows = asks.enumerated().map { place, ask in
            Row(i: place, agent: ask.agent, everyone: ask.versions[0], mine: ask.versions[1], entry: ask.entry)
        }
        let json = String(decoding: try encoder.encode(rows), as: UTF8.self)
        let everyone = UUID(uuidString: M043CallListChanges.everyone)!
        var found = [[Int]](repeating: [], count: asks.count)
        for row in try await db.sql.raw(statement(json, everyone: everyone)).all() {
            let place = try row.decode(column: "i", as: Int.self)
            found[place] = [
                try row.decode(column: "everyone", as: Int.self), try row.decode(column: "mine", as: Int.self),
            ]
        }
        guard found.allSatisfy({ $0.count == 2 }) else {
            throw Abort(.internalServerError, reason: "a kept page's check came back without its numbers")
        }
        return found
    }

    /// Writes the entries of the rows whose versions are still their page's, in the order of the rows.
    private static func statement(_ json: String, everyone: UUID) -> SQLQueryString {
        let changes = M043CallListChanges.table
        return """
            WITH r AS (
              SELECT i, agent, everyone, mine, at, actor_id, actor_name, action, subject_type, subject_id, detail,
                address
              FROM jsonb_to_recordset(\(bind: json)::jsonb) AS r(i int, agent uuid, everyone bigint, mine bigint,
                at bigint, actor_id uuid, actor_name text, action text, subject_type text, subject_id text,
                detail text, address text)),
            c AS (SELECT agent, SUM(n)::bigint AS n FROM \(unsafeRaw: changes)
                  WHERE agent = ANY (ARRAY(SELECT agent FROM r) || \(bind: everyone)::uuid) GROUP BY agent),
            v AS (SELECT i, everyone, mine, at, actor_id, actor_name, action, subject_type, subject_id, detail, address,
                    COALESCE((SELECT n FROM c WHERE c.agent = \(bind: everyone)::uuid), 0) AS now_everyone,
                    COALESCE((SELECT n FROM c WHERE c.agent = r.agent), 0) AS now_mine FROM r),
            a AS (INSERT INTO audit_log (\(unsafeRaw: AuditLog.columns))
                  SELECT TIMESTAMPTZ '2000-01-01 00:00:00+00' + at * INTERVAL '1 microsecond', actor_id, actor_name,
                    action, subject_type, subject_id, detail, address
                  FROM v WHERE now_everyone = everyone AND now_mine = mine ORDER BY i)
            SELECT i, now_everyone AS everyone, now_mine AS mine FROM v
            """
    }
}
