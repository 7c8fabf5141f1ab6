import Fluent
import Foundation
import HuifangCore

/// One answer to one question, with what the figures need.
final class SurveyAnswer: Model, @unchecked Sendable {
    static let schema = "survey_answers"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "record_id") var recordID: Int
    /// The survey version answered.
    @Field(key: "survey_id") var surveyID: Int
    @Field(key: "customer_id") var customerID: Int
    @Field(key: "question_key") var questionKey: String
    @Field(key: "indicator") var indicator: String
    @Field(key: "type") var type: String
    @Field(key: "value") var value: String
    @OptionalField(key: "score") var score: Int?
    @OptionalField(key: "is_top_two") var isTopTwo: Bool?
    @Field(key: "meets_threshold") var meetsThreshold: Bool
    @Field(key: "answered_at") var answeredAt: Date

    init() {}
}

/// One version of a survey. Editing a version that has answers makes the next version, so old
/// answers keep the questions they answered; rules name the family and use its current version.
final class SurveyRecord: Model, @unchecked Sendable {
    static let schema = "surveys"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    /// The id of the first version.
    @OptionalField(key: "family_id") var familyID: Int?
    @Field(key: "version") var version: Int
    @Field(key: "name") var name: String
    @Field(key: "definition") var definitionJSON: String
    @Field(key: "is_current") var isCurrent: Bool
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var definition: SurveyDefinition {
        get throws { try JSONDecoder().decode(SurveyDefinition.self, from: Data(definitionJSON.utf8)) }
    }

    func set(_ definition: SurveyDefinition) throws {
        name = definition.name
        definitionJSON = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
    }
}

/// A survey sent to the customer as a signed, expiring, single-use link.
final class SurveyLink: Model, @unchecked Sendable {
    static let schema = "survey_links"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "task_id") var taskID: Int
    @Field(key: "survey_id") var surveyID: Int
    @Field(key: "customer_id") var customerID: Int
    /// sms or email.
    @Field(key: "channel") var channel: String
    @Field(key: "expires_at") var expiresAt: Double
    @OptionalField(key: "used_at") var usedAt: Double?
    @OptionalField(key: "message_id") var messageID: Int?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Double

    init() {}
}
