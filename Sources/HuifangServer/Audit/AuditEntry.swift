import Fluent
import Vapor

/// One line of the append-only audit log. The database refuses to update or
/// delete it (see `M008CreateAuditLog`).
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_log"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "action") var action: String
    @OptionalField(key: "subject_type") var subjectType: String?
    @OptionalField(key: "subject_id") var subjectID: String?
    @OptionalField(key: "detail") var detail: String?
    @OptionalField(key: "address") var address: String?

    init() {}
}

/// A failed or successful sign-in, counted to lock out password guessing
/// across every instance sharing the database.
final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "username") var username: String
    @Field(key: "address") var address: String
    @Field(key: "at") var at: Date
    @Field(key: "succeeded") var succeeded: Bool

    init() {}

    init(username: String, address: String, at: Date, succeeded: Bool) {
        self.username = username
        self.address = address
        self.at = at
        self.succeeded = succeeded
    }
}
