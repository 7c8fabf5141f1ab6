import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Inputs at the edges answer cleanly: an over-long search term is a 422 naming it, malformed JSON a 400
/// naming the field and the type expected, in the user's language.
@Suite struct EdgeInputTests {
    typealias ErrorBody = APIErrorBody

    @Test func aSearchTermOverItsMaximumIsRefusedByNameNotAServerError() async throws {
        try await withHuifang { app in
            let (user, password) = try await makeUser(app, .supervisor)
            let token = try await makeToken(app, user)
            let long = String(repeating: "王", count: 501)  // 4.5 KB in the address, under its 8 KB limit
            for path in [
                "/api/v1/customers?q=", "/api/v1/customers?tag=", "/api/v1/kb?q=", "/api/v1/calls/lookup?phone=",
            ] {
                let response = try await send(app, .GET, path + long, token: token)
                #expect(response.status == .unprocessableEntity, "\(path) \(response.status.code)")
                let field = String(path.split(separator: "?")[1].dropLast())
                #expect(try response.content.decode(ErrorBody.self).error.fields.map(\.field) == [field], "\(path)")
            }
            var page = try await PageClient.signedIn(app, user.username, password)
            for path in ["/customers?q=", "/kb?q="] {
                let response = try await page.get(path + String(repeating: "王", count: 101))
                #expect(response.status == .unprocessableEntity, "\(path) \(response.status.code)")
                #expect(response.body.string.contains("100"), "the page says the maximum")
            }
            let fine = try await send(
                app, .GET, "/api/v1/customers?q=" + String(repeating: "王", count: 100), token: token)
            #expect(fine.status == .ok)
        }
    }

    @Test func anOverLongAddressOrHeaderIsAnsweredNotDropped() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let server = live(app)  // through SwiftNIO's HTTP parser, as from a browser
            func get(_ path: String, _ headers: HTTPHeaders) async throws -> LiveResponse {
                try await server.sendRequest(.GET, path, headers: headers)
            }
            let search = "/api/v1/customers?q=" + String(repeating: "王", count: 5_000)  // 45 KB
            let tooLong = try await get(search, bearer(token))
            #expect(tooLong.status == .uriTooLong)
            #expect(try tooLong.decoded(ErrorBody.self).error.message.contains("8192"))
            var english = bearer(token)
            english.add(name: .acceptLanguage, value: "en")
            english.add(name: .cookie, value: "junk=" + String(repeating: "x", count: 20_000))
            let headers = try await get("/api/v1/customers", english)
            #expect(headers.status == .requestHeaderFieldsTooLarge)
            #expect(try headers.decoded(ErrorBody.self).error.message.contains("cookies"))
            var many = bearer(token)
            for index in 0..<10 { many.add(name: "X-Filler-\(index)", value: String(repeating: "y", count: 4_000)) }
            #expect(try await get("/api/v1/customers", many).status == .requestHeaderFieldsTooLarge)
            let page = try await get("/customers?q=" + String(repeating: "a", count: 9_000), [:])
            #expect(page.status == .uriTooLong && page.body.string.contains("请求地址过长"))
            #expect(!page.body.string.contains(String(repeating: "a", count: 9_000)), "the address is not echoed back")
            #expect(
                try await get("/api/v1/customers?q=" + String(repeating: "王", count: 100), bearer(token)).status == .ok)
        }
    }

    @Test func malformedJSONNamesTheFieldAndTheTypeExpectedInTheUsersLanguage() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            func post(_ path: String, _ raw: String, english: Bool = false) async throws -> ErrorBody {
                var headers = bearer(token)
                headers.contentType = .json
                if english { headers.replaceOrAdd(name: .acceptLanguage, value: "en") }
                let response = try await app.testing().performTest(
                    request: .init(
                        method: .POST, url: .init(path: path), headers: headers, body: ByteBuffer(string: raw)))
                #expect(response.status == .badRequest, "\(path) \(raw): \(response.status.code)")
                return try response.content.decode(ErrorBody.self)
            }
            let wrongType = try await post("/api/v1/customers", #"{"name": "王芳", "consent": "yes"}"#)
            #expect(wrongType.error.fields.map(\.field) == ["consent"])
            #expect(wrongType.error.fields[0].message.contains("布尔值") && !wrongType.error.message.contains("Expected"))
            let english = try await post("/api/v1/customers", #"{"name": "王芳", "consent": "yes"}"#, english: true)
            #expect(english.error.fields[0].message == "must be a boolean (true or false)")
            let missing = try await post("/api/v1/tickets", #"{"kind": "complaint"}"#)
            #expect(missing.error.fields.map(\.field) == ["description"] && missing.error.fields[0].message == "缺少此项")
            let notJSON = try await post("/api/v1/tickets", #"{"kind": "#)
            #expect(notJSON.error.fields.map(\.field) == ["body"] && notJSON.error.fields[0].message.contains("JSON"))
            let unknown = try await post("/api/v1/customers", #"{"name": "王芳", "nickname": "芳芳"}"#)
            #expect(unknown.error.fields.map(\.field) == ["nickname"] && unknown.error.fields[0].message == "不是可用的字段")
        }
    }

    // Dates at the end of their range and numbers too long to be one (found by reading every route for overflows
    // and force unwraps): a page, or a 422 naming the field, never a stopped server.
    @Test func datesAtTheEndOfTheRangeAreReadOrRefusedByName() async throws {
        try await withHuifang { app in
            let admin = try await makeToken(app, try await makeUser(app, .admin).user)
            let lists = [
                "/api/v1/calls?to=9999-12-31", "/api/v1/calls?from=0001-01-01", "/api/v1/tickets?to=9999-12-31",
                "/api/v1/messages?until=9999-12-31",
            ]
            for path in lists {
                #expect(try await send(app, .GET, path, token: admin).status == .ok, "\(path)")
            }
            // The planner works on days of the working calendar (1900 to 2199).
            for day in ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"] {
                let refused = try await send(app, .POST, "/api/v1/planner/run", token: admin, body: ["asOf": day])
                #expect(refused.status == .unprocessableEntity && refused.body.string.contains("asOf"), "\(day)")
            }
            // An event on a day outside the working calendar's years is refused by line and field (on 9999-12-31 it
            // used to stop the server at each day's planning: its churn date overflowed).
            let customer = Customer()
            (customer.name, customer.tier, customer.externalID) = ("张伟", "金卡", "M0001")
            (customer.registeredOn, customer.consent, customer.doNotDisturb) = ("2020-01-01", true, false)
            try await customer.create(on: app.db)
            for day in ["9999-12-31", "0001-01-01", "2200-01-01"] {
                let event = EventInput(externalID: "E1", memberID: "M0001", kind: "purchase", occurredAt: day)
                let posted = try await send(app, .POST, "/api/v1/events", token: admin, body: ["events": [event]])
                #expect(posted.status == .unprocessableEntity && posted.body.string.contains("occurredAt"), "\(day)")
            }
            #expect(try await send(app, .POST, "/api/v1/planner/run", token: admin).status == .ok)
        }
    }

    /// A time typed in beyond the working calendar's years: a promised callback is refused by field, and wherever
    /// the calendar is asked to count beyond its years without a check naming the field, the answer is a `422`
    /// saying so, not a `500`.
    @Test func aTimeBeyondTheWorkingCalendarIsRefused() async throws {
        try await withHuifang { app in
            let agent = try await makeToken(app, try await makeUser(app, .agent).user)
            let call = CallInput(
                phone: "13600002222", name: "周大山", matter: "inquiry", summary: "会员价", handling: "promised",
                promisedBy: "2250-01-01 10:00")
            let promised = try await send(app, .POST, "/api/v1/calls", token: agent, body: call)
            #expect(promised.status == .unprocessableEntity && promised.body.string.contains("promisedBy"))
            app.get("api", "v1", "counting-beyond") { _ -> String in
                let calendar = BusinessCalendar(
                    timeZone: TimeZone(identifier: "Asia/Shanghai")!, schedule: HolidaySchedule(entries: []))
                _ = try calendar.addWorkingDays(1, after: LocalDate(year: 2250, month: 1, day: 1)!)
                return "counted"
            }
            let beyond = try await send(app, .GET, "/api/v1/counting-beyond", token: agent)
            #expect(
                beyond.status == .unprocessableEntity && beyond.body.string.contains("1900–2199"), "\(beyond.status)")
        }
    }

    @Test func aTargetOrShareTooLongToBeANumberIsNone() {
        #expect(
            ReportPagesController.perMille("9223372036854775807") == nil
                && ReportPagesController.perMille("95.5") == 955)
        #expect(ReportPagesController.perMille("999999") == 9_999_990)
    }
}
