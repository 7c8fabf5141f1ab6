import Fluent
import FluentSQL
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A survey as the API and the builder submit it and as the API returns it.
struct SurveyInput: Content {
    struct Question: Content {
        /// Kept from the version edited; empty for a new question.
        var key: String?
        var text: String
        var type: String
        var indicator: String?
        var required: Bool?
        var options: [String]?
    }
    var id: Int?
    var familyID: Int?
    var version: Int?
    var name: String
    var intro: String?
    var threshold: String?
    var ticketAction: String?
    var questions: [Question]

    init(_ record: SurveyRecord, _ definition: SurveyDefinition) {
        id = record.id
        familyID = record.familyID
        version = record.version
        name = definition.name
        intro = definition.intro
        threshold = definition.threshold.rawValue
        ticketAction = definition.ticketAction.rawValue
        questions = definition.questions.map {
            Question(
                key: $0.key, text: $0.text, type: $0.type.rawValue, indicator: $0.indicator, required: $0.required,
                options: $0.options)
        }
    }

    /// The definition, or every refused field. New questions get the next free key of the family.
    func definition(usedKeys: Set<String>) throws(NamedFieldErrors) -> SurveyDefinition {
        var errors: [NamedFieldError] = []
        let threshold = TicketThreshold(rawValue: self.threshold ?? "lowest")
        if threshold == nil { errors.append(.init(field: "threshold", key: "survey.problem.threshold")) }
        let action = LowAnswerAction(rawValue: ticketAction ?? "propose")
        if action == nil { errors.append(.init(field: "ticketAction", key: "survey.problem.ticketAction")) }
        var taken = usedKeys.union(questions.compactMap { $0.key?.trimmingWhitespace() }.filter { !$0.isEmpty })
        var next = 1
        var built: [SurveyQuestion] = []
        for (index, question) in questions.enumerated() {
            let type = QuestionType(rawValue: question.type)
            if type == nil { errors.append(.init(field: "questions[\(index)].type", key: "survey.problem.type")) }
            var key = question.key?.trimmingWhitespace() ?? ""
            if key.isEmpty {
                while taken.contains("q\(next)") { next += 1 }
                key = "q\(next)"
                taken.insert(key)
            }
            built.append(
                SurveyQuestion(
                    key: key, text: question.text.trimmingWhitespace(), type: type ?? .text,
                    indicator: (question.indicator ?? "").trimmingWhitespace(), required: question.required ?? true,
                    options: (question.options ?? []).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }))
        }
        let definition = SurveyDefinition(
            name: name.trimmingWhitespace(), intro: (intro ?? "").trimmingWhitespace(), questions: built,
            threshold: threshold ?? .lowest, ticketAction: action ?? .propose)
        let known = Set(errors.map(\.field))
        errors += definition.problems().filter { !known.contains($0.field) }
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        return definition
    }
}

/// Surveys and their versions.
struct SurveyStore {
    let db: any Database

    /// The current version of every survey, by name.
    func current() async throws -> [SurveyRecord] {
        try await SurveyRecord.query(on: db).filter(\.$isCurrent == true).sort(\.$name).all()
    }

    func find(_ id: Int) async throws -> SurveyRecord {
        guard let survey = try await SurveyRecord.find(id, on: db) else { throw AppError(.notFound, "error.notFound") }
        return survey
    }

    /// The version a rule's survey (a family id) is asked in now (one statement, prepared on PostgreSQL: every
    /// attempt recorded reads it).
    func current(family: Int) async throws -> SurveyRecord? {
        try await db.sql.raw(
            """
            SELECT \(SurveyRecord.columns()) FROM surveys
            WHERE family_id = \(bind: family) AND is_current = \(bind: true) LIMIT 1
            """
        ).first()?.decode(fluentModel: SurveyRecord.self)
    }

    func answerCount(_ id: Int) async throws -> Int {
        try await SurveyAnswer.query(on: db).filter(\.$surveyID == id).count()
    }

    /// Every question key a family has used, so a new question never takes an old one's key.
    func keys(family: Int) async throws -> Set<String> {
        var keys = Set<String>()
        for version in try await SurveyRecord.query(on: db).filter(\.$familyID == family).all() {
            keys.formUnion(try version.definition.questions.map(\.key))
        }
        return keys
    }

    func create(_ input: SurveyInput, by actor: Actor, at now: Date) async throws -> SurveyRecord {
        let definition = try input.definition(usedKeys: [])
        return try await db.transaction { db in
            let survey = SurveyRecord()
            try survey.set(definition)
            survey.version = 1
            survey.isCurrent = true
            survey.createdBy = actor.name
            try await survey.create(on: db)
            survey.familyID = survey.id
            try await survey.update(on: db)
            try await AuditLog.record(
                "survey.create", by: actor, subjectType: "survey", subjectID: String(survey.id!),
                detail: definition.name, at: now, on: db)
            return survey
        }
    }

    /// Saves an edit of the current version: in place while nobody has answered it, else as the next
    /// version (the old one keeps its answers and stops being asked).
    func update(_ survey: SurveyRecord, with input: SurveyInput, by actor: Actor, at now: Date) async throws
        -> SurveyRecord
    {
        guard survey.isCurrent, let family = survey.familyID else {
            throw AppError(.conflict, "survey.refuse.notCurrent")
        }
        let definition = try input.definition(usedKeys: try await keys(family: family))
        let answered = try await answerCount(survey.id!) > 0
        return try await db.transaction { db in
            if !answered {
                try survey.set(definition)
                try await survey.update(on: db)
                try await AuditLog.record(
                    "survey.update", by: actor, subjectType: "survey", subjectID: String(survey.id!),
                    detail: "v\(survey.version)", at: now, on: db)
                return survey
            }
            survey.isCurrent = false
            try await survey.update(on: db)
            let next = SurveyRecord()
            try next.set(definition)
            next.familyID = family
            next.version = survey.version + 1
            next.isCurrent = true
            next.createdBy = actor.name
            try await next.create(on: db)
            try await AuditLog.record(
                "survey.version", by: actor, subjectType: "survey", subjectID: String(next.id!),
                detail: "family \(family) v\(next.version)", at: now, on: db)
            return next
        }
    }
}
