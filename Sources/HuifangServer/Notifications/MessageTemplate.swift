import Fluent
import Foundation
import HuifangCore

/// The text of a message to customers, with placeholders (`{客户姓名}`, `{问卷链接}`, …).
final class MessageTemplate: Model, @unchecked Sendable {
    static let schema = "message_templates"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "key") var key: String
    @Field(key: "name") var name: String
    /// sms or email.
    @Field(key: "channel") var channel: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(key: String, name: String, channel: String, subject: String, body: String) {
        self.key = key
        self.name = name
        self.channel = channel
        self.subject = subject
        self.body = body
    }

    static let surveySMS = "survey.sms"
    static let surveyEmail = "survey.email"

    static var defaults: [MessageTemplate] {
        [
            MessageTemplate(
                key: surveySMS, name: "问卷链接（短信）", channel: "sms", subject: "",
                body: "【{公司}】{称呼}您好，感谢您的支持！请花一分钟评价我们的服务：{问卷链接}（{有效期}前有效）"),
            MessageTemplate(
                key: surveyEmail, name: "问卷链接（邮件）", channel: "email", subject: "{公司}：请评价我们的服务",
                body: "{称呼}您好：\n\n感谢您选择{公司}。请花一分钟告诉我们您对本次服务的评价：\n{问卷链接}\n\n链接在 {有效期} 前有效，只能提交一次。\n\n{公司} 客户服务中心"),
        ]
    }
}
