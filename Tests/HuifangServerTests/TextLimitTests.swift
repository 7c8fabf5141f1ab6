import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Every free-text field of the API has a documented maximum: text over it is refused with the field named,
/// and nothing is saved (README "Security — Lengths of free text").
@Suite struct TextLimitTests {
    // Long: every free-text field of the API in turn, each on the objects the previous steps made.
    @Test func everyFreeTextFieldOfTheAPIRefusesTextOverItsLimitAndSavesNothing() async throws {
        try await withHuifang { app in
            let admin = try await makeToken(app, makeUser(app, .admin).user)
            let (supervisor, _) = try await makeUser(app, .supervisor, username: "zhuguan")
            let token = try await makeToken(app, supervisor)
            let long = { (limit: Int) in String(repeating: "长", count: limit + 1) }
            func refused(_ method: HTTPMethod, _ path: String, _ token: String, _ body: some Encodable, _ field: String)
                async throws
            {
                let response = try await send(app, method, path, token: token, body: body)
                #expect(response.status == .unprocessableEntity, "\(path) \(field): \(response.status.code)")
                #expect(
                    response.body.string.contains("\"\(field)\""),
                    "\(path) names \(field): \(response.body.string.prefix(300))")
            }
            let entries = try await TicketEntry.query(on: app.db).count()
            try await refused(
                .POST, "/api/v1/tickets", token,
                TicketInput(kind: "complaint", description: long(TextLimit.description)), "description")
            #expect(try await Ticket.query(on: app.db).count() == 0)
            let opened = try await send(
                app, .POST, "/api/v1/tickets", token: token,
                body: TicketInput(kind: "complaint", description: "配送太慢", handler: "zhuguan"))
            struct Created: Decodable { let id: Int }
            let id = try opened.content.decode(Created.self).id
            try await refused(
                .POST, "/api/v1/tickets/\(id)/actions", token,
                ["action": "start", "note": long(TextLimit.note)], "note")
            try await refused(.POST, "/api/v1/tickets/\(id)/pause", token, ["note": long(TextLimit.note)], "note")
            try await refused(
                .POST, "/api/v1/tickets/\(id)/extend", token,
                ExtensionInput(
                    deadline: "resolution", until: "2099-01-01 10:00", reason: long(TextLimit.note),
                    customerTold: true), "reason")
            try await refused(
                .POST, "/api/v1/tickets/\(id)/plan", token, ["measures": long(TextLimit.note)], "measures")
            #expect(try await TicketEntry.query(on: app.db).count() == entries + 1, "only the opening was written")

            try await refused(
                .POST, "/api/v1/calls", token,
                CallInput(
                    phone: "13600001111", name: long(TextLimit.name), matter: "other", summary: long(TextLimit.note),
                    handling: "answered"), "summary")
            #expect(try await InboundCall.query(on: app.db).count() == 0)
            try await refused(
                .POST, "/api/v1/kb", token,
                ArticleInput(question: "几点送达？", answer: "当天", keywords: long(TextLimit.line)), "keywords")
            try await refused(.POST, "/api/v1/departments", admin, ["name": long(TextLimit.name)], "name")
            try await refused(
                .POST, "/api/v1/users", admin,
                [
                    "username": "lisi", "displayName": long(TextLimit.name),
                    "role": "agent", "password": "a-long-password",
                ], "displayName")
            try await refused(
                .PUT, "/api/v1/calendar/days/2026-12-24", admin, ["kind": "holiday", "name": long(TextLimit.name)],
                "name")
            try await refused(
                .POST, "/api/v1/rules", token,
                RuleInput(FollowUpRule(name: long(TextLimit.name), kind: .triggered)), "name")
            try await refused(
                .PUT, "/api/v1/message-templates/survey.email", token,
                ["subject": long(TextLimit.line), "body": "{称呼}您好 {问卷链接}"], "subject")
            try await refused(
                .POST, "/api/v1/customers", token, ["name": "王芳", "notes": long(CustomerRules.maxNotesLength)], "notes")
        }
    }
}
