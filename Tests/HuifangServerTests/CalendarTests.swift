import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

@Suite struct CalendarTests {
    struct Answer: Decodable {
        let workdays: Int?
        let date: String?
        let result: String?
    }
    struct Year: Decodable {
        struct Day: Decodable {
            let date: String
            let kind: String
            let name: String
        }
        let days: [Day]
    }

    func get(_ app: Application, _ token: String, _ path: String) async throws -> (HTTPStatus, String) {
        var result: (HTTPStatus, String)?
        try await app.testing().test(.GET, path, headers: bearer(token)) { result = ($0.status, $0.body.string) }
        return result!
    }

    @Test func theStoredDefaultCalendarIsTheOfficialScheduleOnEveryDateFrom2015Through2026() async throws {
        try await withHuifang { app in
            let stored = try await CalendarStore(db: app.db).business(CalendarStore(db: app.db).defaultCalendar())
            let official = BusinessCalendar(
                timeZone: TimeZone(identifier: "Asia/Shanghai")!, schedule: try OfficialChinaSchedule.load())
            var day = LocalDate(year: 2015, month: 1, day: 1)!
            while day.year <= 2026 {
                #expect(stored.kind(of: day) == official.kind(of: day), "\(day.iso)")
                day = day.adding(days: 1)
            }
        }
    }

    @Test func theAPIAnswersAsTheCommandLineDoes() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .analyst).user)
            let (_, workdays) = try await get(app, token, "/api/v1/calendar/workdays?from=2025-01-01&to=2025-12-31")
            #expect(try JSONDecoder().decode(Answer.self, from: Data(workdays.utf8)).workdays == 248)
            let (_, added) = try await get(app, token, "/api/v1/calendar/add-workdays?from=2024-09-30&days=1")
            #expect(try JSONDecoder().decode(Answer.self, from: Data(added.utf8)).date == "2024-10-08")
            let (_, hours) = try await get(
                app, token, "/api/v1/calendar/add-hours?from=2024-09-30T16:00&hours=4&working=true")
            #expect(try JSONDecoder().decode(Answer.self, from: Data(hours.utf8)).result == "2024-10-08T11:00")
            let (_, calendarHours) = try await get(
                app, token, "/api/v1/calendar/add-hours?from=2024-09-30T16:00&hours=4")
            #expect(try JSONDecoder().decode(Answer.self, from: Data(calendarHours.utf8)).result == "2024-09-30T20:00")
            let (_, show) = try await get(app, token, "/api/v1/calendar/show?year=2025")
            let year = try JSONDecoder().decode(Year.self, from: Data(show.utf8))
            #expect(year.days.contains { $0.date == "2025-01-26" && $0.kind == "workday" && $0.name == "春节" })
            #expect(year.days.filter { $0.kind == "holiday" }.count == 28)  // 1 + 8 + 3 + 5 + 3 + 8 days

            let (status, body) = try await get(app, token, "/api/v1/calendar/add-workdays?from=2024-02-30&days=1")
            #expect(status == .unprocessableEntity)
            #expect(body.contains("from=2024-02-30"))
            let (missing, _) = try await get(app, token, "/api/v1/calendar/add-hours?from=2024-09-30T25:00&hours=1")
            #expect(missing == .unprocessableEntity)
            // A result past 2199 is refused with a reason, and the server keeps answering.
            let (beyond, reason) = try await get(app, token, "/api/v1/calendar/add-workdays?from=2199-12-30&days=5")
            #expect(beyond == .unprocessableEntity)
            #expect(reason.contains("days=5"))
            let (late, _) = try await get(
                app, token, "/api/v1/calendar/add-hours?from=2199-12-31T17:00&hours=10&working=true")
            #expect(late == .unprocessableEntity)
            #expect(try await get(app, token, "/api/v1/calendar/workdays?from=2025-01-01&to=2025-12-31").0 == .ok)
        }
    }

    // Long: one admin story end to end: dates changed, a schedule imported, the answers after each step.
    @Test func adminsChangeDatesAndImportSchedulesAndAnswersFollow() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .admin).user)
            let (h1, b1) = try json(["kind": "holiday", "name": "公司年会"], headers: bearer(token))
            try await app.testing().test(.PUT, "/api/v1/calendar/days/2024-10-08", headers: h1, body: b1) {
                #expect($0.status == .noContent)
            }
            #expect(
                try await get(app, token, "/api/v1/calendar/add-workdays?from=2024-09-30&days=1").1.contains(
                    "2024-10-09"))
            try await app.testing().test(.DELETE, "/api/v1/calendar/days/2024-10-08", headers: bearer(token)) {
                #expect($0.status == .noContent)
            }
            #expect(
                try await get(app, token, "/api/v1/calendar/add-workdays?from=2024-09-30&days=1").1.contains(
                    "2024-10-08"))

            let (h2, b2) = try json(["kind": "hours", "name": "半天", "hours": "09:00-12:00"], headers: bearer(token))
            try await app.testing().test(.PUT, "/api/v1/calendar/days/2024-10-08", headers: h2, body: b2) {
                #expect($0.status == .noContent)
            }
            #expect(
                try await get(app, token, "/api/v1/calendar/add-hours?from=2024-10-08T11:00&hours=2&working=true").1
                    .contains("2024-10-09T10:00"))
            let (h3, b3) = try json(["kind": "hours", "hours": "12:00-09:00"], headers: bearer(token))
            try await app.testing().test(.PUT, "/api/v1/calendar/days/2024-10-08", headers: h3, body: b3) {
                #expect($0.status == .unprocessableEntity)
            }

            let ics = """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                BEGIN:VEVENT\r
                DTSTART;VALUE=DATE:20270101\r
                DTEND;VALUE=DATE:20270104\r
                SUMMARY:元旦 休\r
                END:VEVENT\r
                BEGIN:VEVENT\r
                DTSTART;VALUE=DATE:20270109\r
                DTEND;VALUE=DATE:20270110\r
                SUMMARY:元旦 补班\r
                END:VEVENT\r
                END:VCALENDAR\r
                """
            try await app.testing().test(
                .POST, "/api/v1/calendar/import?fileName=2027.ics", headers: bearer(token),
                body: ByteBuffer(string: ics)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("\"dates\":4"))
            }
            #expect(
                try await get(app, token, "/api/v1/calendar/add-workdays?from=2026-12-31&days=1").1.contains(
                    "2027-01-04"))
            #expect(
                try await get(app, token, "/api/v1/calendar/add-workdays?from=2027-01-08&days=1").1.contains(
                    "2027-01-09"))
            try await app.testing().test(
                .POST, "/api/v1/calendar/import", headers: bearer(token),
                body: ByteBuffer(string: "year 2027\nworkday 2027-01-05 元旦\n")
            ) { response in
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("第 2 行"))
            }
            let (h4, b4) = try json(
                [
                    "weeklyHours": [
                        "08:30-17:30", "08:30-17:30", "08:30-17:30", "08:30-17:30", "08:30-17:30", "09:00-12:00", "",
                    ]
                ], headers: bearer(token))
            try await app.testing().test(.PATCH, "/api/v1/calendar", headers: h4, body: b4) {
                #expect($0.status == .ok)
            }
            #expect(
                try await get(app, token, "/api/v1/calendar/add-hours?from=2024-11-01T17:00&hours=1&working=true").1
                    .contains("2024-11-02T09:30"))
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action ~~ ["calendar.update", "calendar.import"])
                    .count() == 5)
        }
    }

    @Test func aClickInTheYearViewChangesTheDate() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin)
            var client = try await PageClient.signedIn(app, admin.username, password)
            let page = try await client.get("/calendar?year=2024").body.string
            #expect(page.contains("2024 年共 251 个工作日"))
            #expect(page.contains("id=\"d2024-10-01\" class=\"day holiday\""))
            #expect(page.contains("id=\"d2024-09-29\" class=\"day makeUpWorkday\""))
            let click = try await client.post(
                "/calendar/days", form: ["date": "2024-10-08", "mode": "holiday", "name": "公司年会"])
            #expect(click.headers.first(name: .location)?.hasPrefix("/calendar?year=2024&mode=holiday") == true)
            let after = try await client.get("/calendar?year=2024").body.string
            #expect(after.contains("id=\"d2024-10-08\" class=\"day holiday\" title=\"2024-10-08 节假日 公司年会\""))
            #expect(after.contains("2024 年共 250 个工作日"))
            _ = try await client.post("/calendar/days", form: ["date": "2024-10-08", "mode": "clear"])
            #expect(
                try await client.get("/calendar?year=2024").body.string.contains(
                    "id=\"d2024-10-08\" class=\"day working\""))
            let imported = try await client.upload(
                "/calendar/import", file: [], fileName: "empty.ics",
                fields: ["text": "year 2027\nholiday 2027-01-01..2027-01-03 元旦\n", "year": "2027"])
            #expect(imported.body.string.contains("已导入 3 个日期"))
        }
    }
}
