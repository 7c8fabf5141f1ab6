import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// One line of a customer's timeline: a service event, a follow-up task or a contact record, newest first.
struct TimelineItem: Encodable {
    let at: String
    let kind: String
    let title: String
    let detail: String
    let sortKey: Date
    /// Where the item opens (a ticket), if anywhere.
    var href: String? = nil

    /// The items the viewer may see: events (their attributes not for analysts), and the follow-up tasks and
    /// records in the viewer's scope (an agent's own; all for supervisors and admins; none for other roles).
    static func of(customerID: Int, on req: Request) async throws -> [TimelineItem] {
        let config = req.application.huifang
        let viewer = try req.viewer
        let attributes = ObjectScope.seesEventAttributes(viewer)
        let names = try await req.domain.names.eventKindNames()
        let attributeNames = try await req.domain.names.eventAttributeNames()
        let events = try await ServiceEvent.query(on: req.db).filter(\.$customer.$id == customerID).sort(
            \.$occurredAt, .descending
        ).limit(100).all()
        var items = events.map { event in
            TimelineItem(
                at: config.formatDateTime(event.occurredAt), kind: "event", title: names[event.kind] ?? event.kind,
                detail: attributes
                    ? attributeNames.line(event.attributeValues, kind: event.kind, language: req.language) : "",
                sortKey: event.occurredAt)
        }
        items += try await contacts(customerID: customerID, on: req)
        guard viewer.seesEverything || viewer.role == .agent else { return items.sorted { $0.sortKey > $1.sortKey } }
        let taskQuery = FollowUpTask.query(on: req.db).filter(\.$customer.$id == customerID)
        let recordQuery = FollowUpRecord.query(on: req.db).filter(\.$customerID == customerID)
        TaskAccess.restrict(taskQuery, to: viewer)
        TaskAccess.restrict(recordQuery, to: viewer)
        let tasks = try await taskQuery.with(\.$reasons).sort(\.$dueAt, .descending).limit(100).all()
        let ruleNames = Dictionary(
            try await RuleRecord.query(on: req.db).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        for task in tasks {
            let reasons = task.reasons.map { ruleNames[$0.ruleID] ?? "#\($0.ruleID)" }.joined(separator: "、")
            items.append(
                TimelineItem(
                    at: config.formatDateTime(task.dueAt), kind: "task", title: req.t("events.task") + "：" + reasons,
                    detail: req.t("status." + task.status.rawValue) + " · " + req.t("tasks.deadline") + " "
                        + config.formatDateTime(task.deadlineAt),
                    sortKey: task.dueAt))
        }
        let records = try await recordQuery.sort(\.$id, .descending).limit(100).all()
        let answers =
            records.isEmpty
            ? []
            : try await SurveyAnswer.query(on: req.db).filter(\.$recordID ~~ records.map { $0.id! }).sort(\.$id).all()
        let answersByRecord = Dictionary(grouping: answers, by: \.recordID)
        let reader = try await AnswerReader.load(for: answers, language: req.language, on: req.db)
        for record in records {
            items.append(
                TimelineItem(
                    at: config.formatDateTime(record.endedAt), kind: "record",
                    title: req.t(
                        "workspace.recordTitle", req.t("channel." + record.channel), req.t("outcome." + record.outcome)),
                    detail: [
                        record.agentName, req.t("result." + record.result), record.notes,
                        reader.line(answersByRecord[record.id!] ?? []),
                    ].filter { !$0.isEmpty }.joined(separator: " · "),
                    sortKey: record.endedAt))
        }
        return items.sorted { $0.sortKey > $1.sortKey }
    }
}
