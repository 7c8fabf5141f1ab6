import Fluent
import Foundation
import HuifangCore
import SQLKit

/// One day of an agent's weekly roster (`agent_shifts`): seven rows for an agent with a roster, none without.
final class AgentShift: Model, @unchecked Sendable {
    static let schema = "agent_shifts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    /// ISO weekday, Monday 1 … Sunday 7.
    @Field(key: "weekday") var weekday: Int
    /// A `ShiftKind`.
    @Field(key: "kind") var kind: String
    /// Seconds since local midnight; empty when off.
    @OptionalField(key: "start_second") var startSecond: Int?
    @OptionalField(key: "end_second") var endSecond: Int?

    init() {}
}

/// Reads and saves agents' rosters; every change is audited as a settings change is.
struct RosterStore {
    let db: any Database

    private struct Row: Decodable {
        let user_id: UUID
        let weekday: Int
        let kind: String
        let start_second: Int?
        let end_second: Int?
    }

    /// The rosters of these agents (of every agent with one when `nil`); an agent without a roster is absent.
    func rosters(of agents: [UUID]? = nil) async throws -> [UUID: WeeklyRoster] {
        if let agents, agents.isEmpty { return [:] }
        var query: SQLQueryString = "SELECT user_id, weekday, kind, start_second, end_second FROM agent_shifts"
        if let agents { query = query + " WHERE user_id IN (\(binds: agents))" }
        let rows = try await db.sql.raw(query).all(decoding: Row.self)
        return Dictionary(grouping: rows, by: \.user_id).compactMapValues { rows in
            var days = [Shift](repeating: .off, count: 7)
            for row in rows where (1...7).contains(row.weekday) {
                days[row.weekday - 1] = Self.shift(row.kind, row.start_second, row.end_second)
            }
            return rows.count == 7 ? WeeklyRoster(days: days) : nil
        }
    }

    /// A stored day as a shift; an unreadable one reads as off rather than giving work at hours nobody set.
    private static func shift(_ kind: String, _ start: Int?, _ end: Int?) -> Shift {
        switch ShiftKind(rawValue: kind) {
        case .early: .early
        case .late: .late
        case .custom:
            start.flatMap { start in end.flatMap { TimeRange(start: start, end: $0) } }.map(Shift.custom) ?? .off
        case .off, nil: .off
        }
    }

    /// Replaces the agent's roster with `roster` (nil removes it: the agent works every day again).
    func save(_ roster: WeeklyRoster?, for agent: User, by actor: Actor, at now: Date) async throws {
        let agentID = try agent.requireID()
        try await db.transaction { db in
            try await AgentShift.query(on: db).filter(\.$user.$id == agentID).delete()
            if let roster {
                for (index, shift) in roster.days.enumerated() {
                    let row = AgentShift()
                    row.$user.id = agentID
                    row.weekday = index + 1
                    row.kind = shift.kind.rawValue
                    row.startSecond = shift.hours?.start
                    row.endSecond = shift.hours?.end
                    try await row.create(on: db)
                }
            }
            try await AuditLog.record(
                roster == nil ? "agent.roster.clear" : "agent.roster", by: actor, subjectType: "user",
                subjectID: agent.username, detail: roster.map(Self.detail), at: now, on: db)
        }
    }

    /// `mon=early tue=custom(08:30-12:00) … sun=off`, as the audit log keeps it.
    static func detail(_ roster: WeeklyRoster) -> String {
        zip(WeeklyRoster.dayCodes, roster.days).map { code, shift in
            code + "=" + shift.kind.rawValue + (shift.kind == .custom ? "(\(shift.hours!.description))" : "")
        }.joined(separator: " ")
    }
}
