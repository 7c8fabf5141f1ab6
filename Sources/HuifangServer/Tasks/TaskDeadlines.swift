import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Due times are stored with each task when it is planned, so a later calendar change does not
/// move them. A supervisor may ask to recompute the open ones with the calendar as it is now.
struct TaskDeadlines {
    let db: any Database
    /// The instant of what it does (the request's, or the clock's for the command line).
    let now: Date

    private struct ReasonRow: Decodable {
        let task_id: Int
        let rule_id: Int
        let due_on: String
        let deadline_on: String
    }

    /// Recomputes every open task's deadline day and due instants. Returns (recomputed, changed).
    func recomputeOpen(by actor: Actor) async throws -> (Int, Int) {
        let context = try await PlanningContext.load(on: db)
        let planner = context.planner
        let rules = Dictionary(context.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var recomputed = 0
        var changed = 0
        var after = 0
        while true {
            let tasks = try await FollowUpTask.query(on: db).filter(\.$status == .open).filter(\.$id > after).sort(
                \.$id
            ).limit(1000).all()
            guard let last = tasks.last else { break }
            after = last.id!
            let reasons = try await reasonRows(of: tasks)
            var changes: [FollowUpTask] = []
            for task in tasks {
                let deadlines = (reasons[task.id!] ?? []).compactMap {
                    deadline(of: $0, rules: rules, planner: planner)
                }
                guard let dueOn = LocalDate(iso: task.dueOn),
                    let deadlineOn = deadlines.min() ?? LocalDate(iso: task.deadlineOn)
                else { continue }
                let times = DueTimes.make(
                    dueOn: dueOn, deadlineOn: deadlineOn,
                    windows: context.windows(TimeRange.list(task.contactWindows) ?? []))
                recomputed += 1
                if task.deadlineOn != deadlineOn.iso || task.dueAt != times.dueAt
                    || task.deadlineAt != times.deadlineAt
                {
                    task.deadlineOn = deadlineOn.iso
                    task.dueAt = times.dueAt
                    task.deadlineAt = times.deadlineAt
                    changes.append(task)
                }
            }
            changed += changes.count
            let updates = changes
            try await db.transaction { db in
                for task in updates { try await task.update(on: db) }
            }
        }
        try await AuditLog.record(
            "tasks.recompute", by: actor, subjectType: "task", detail: "recomputed=\(recomputed) changed=\(changed)",
            at: now, on: db)
        return (recomputed, changed)
    }

    /// The reasons of the tasks, by task.
    private func reasonRows(of tasks: [FollowUpTask]) async throws -> [Int: [ReasonRow]] {
        let sql = db.sql
        var reasons: [Int: [ReasonRow]] = [:]
        for row in try await sql.raw(
            "SELECT task_id, rule_id, due_on, deadline_on FROM follow_up_task_reasons WHERE task_id IN (\(binds: tasks.map { $0.id! }))"
        )
        .all(decoding: ReasonRow.self) {
            reasons[row.task_id, default: []].append(row)
        }
        return reasons
    }

    /// A reason's deadline with the calendar as it is now; the stored one when its rule is gone or the calendar
    /// does not reach it; `nil` when the stored days cannot be read.
    private func deadline(of reason: ReasonRow, rules: [Int: FollowUpRule], planner: Planner) -> LocalDate? {
        guard let due = LocalDate(iso: reason.due_on), let stored = LocalDate(iso: reason.deadline_on)
        else { return nil }
        guard let rule = rules[reason.rule_id],
            var fresh = try? planner.deadline(dueOn: due, windowDays: rule.windowDays)
        else {
            return stored
        }
        // Birthdays and expiries never run past their own date, which the stored deadline already respects.
        if rule.kind == .birthday || rule.kind == .expiryReminder { fresh = min(fresh, stored) }
        return fresh
    }
}
