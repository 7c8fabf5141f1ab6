import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// The report page over `ReportTests`' October on 5 November 2026: it opens on October beside September, shows any
/// range of days beside as many days before it, names a wrong field, and signs a month off only after a
/// confirmation; the workbook is the page's tables in the reader's language with rates as percentages.
@Suite struct ReportPageTests {
    /// October's fixture, the clock at 10:00 on 5 November, and the supervisor's page session.
    func office(_ app: Application) async throws -> (ReportTests.Fixture, PageClient) {
        let fixture = try await ReportTests().load(app)
        app.clock = .fixed(ReportTests.at(5, 10, month: 11))
        let page = try await PageClient.signedIn(
            app, fixture.supervisor.user.username, fixture.supervisor.password)
        return (fixture, page)
    }

    /// The table row of `figure` in the page's figures table.
    func row(_ html: String, _ figure: String) -> String {
        guard let start = html.range(of: "<tr data-figure=\"\(figure)\"") else { return "" }
        return String(html[start.lowerBound...].prefix { $0 != "\n" }.components(separatedBy: "</tr>")[0])
    }

    @Test func theReportOpensOnTheLastFinishedMonthBesideTheMonthBefore() async throws {
        try await withHuifang { app in
            // setup
            var (_, page) = try await office(app)
            // MUT
            let response = try await page.get("/reports")
            // validation
            let html = response.body.string
            #expect(response.status == .ok)
            #expect(html.contains("<span id=\"report-month\">2026-10</span>"), "not the running November")
            #expect(html.contains("与上期 2026-09 比较"))
            let completion = row(html, "completion")
            #expect(completion.contains(">66.7%</td>") && completion.contains(">100.0%</td>"), "\(completion)")
            #expect(completion.contains("class=\"num change down bad\"") && completion.contains(">−33.3</td>"))
            let coverage = row(html, "coverage")
            #expect(
                coverage.contains(">0.0%</td>") && coverage.contains("change up good") && coverage.contains("+66.7"))
            #expect(row(html, "calls").contains(">3</td>") && row(html, "calls").contains("change up "))
            #expect(row(html, "medianWorkingDays").contains(">2</td>"))
            #expect(html.contains("id=\"signoff-start\"") && html.contains("/reports/signoff?month=2026-10"))
            let agent2 = html.components(separatedBy: "<tr data-key=\"agent2\">").last ?? ""
            #expect(agent2.contains("<small class=\"delta same \">0.0</small>"), "T5 in September, T3 in October")
            let scorecards = try await page.get("/reports/scorecards").body.string
            #expect(scorecards.contains("2026-10"))
        }
    }

    @Test func anyRangeOfDaysIsComparedWithAsManyDaysBeforeIt() async throws {
        try await withHuifang { app in
            // setup
            var (_, page) = try await office(app)
            // MUT
            let html = try await page.get("/reports?from=2026-10-19&to=2026-10-25&groupBy=rule").body.string
            // validation
            #expect(html.contains("2026-10-19 – 2026-10-25") && html.contains("与上期 2026-10-12 – 2026-10-18 比较"))
            let completion = row(html, "completion")
            #expect(completion.contains(">100.0%</td>") && completion.contains(">2 / 2</td>"), "T1 and T3")
            #expect(completion.contains(">0.0%</td>") && completion.contains(">+100.0</td>"), "T2, not reached")
            #expect(html.contains("id=\"signoff-months-only\"") && !html.contains("id=\"signoff-start\""))
            #expect(!html.contains("id=\"scorecards-link\""), "scorecards are monthly")
            #expect(html.contains("/reports/export.xlsx?from=2026-10-19&amp;to=2026-10-25&amp;groupBy=rule"))
            #expect(html.contains("/reports?from=2026-10-26&amp;to=2026-11-01&amp;groupBy=rule"), "the next seven days")
            let month = try await page.get("/reports?from=2026-10-01&to=2026-10-31").body.string
            #expect(month.contains("id=\"signoff-start\""), "a range that is a whole month is the month")
            let running = try await page.get("/reports?month=2026-11").body.string
            #expect(running.contains("id=\"signoff-later\"") && running.contains("2026-12-01"))
        }
    }

    @Test func aWrongPeriodIsAnsweredWithTheFormNamingEachWrongField() async throws {
        try await withHuifang { app in
            // setup
            var (_, page) = try await office(app)
            // MUT
            let reversed = try await page.get("/reports?from=2026-10-31&to=2026-10-01")
            let invalid = try await page.get("/reports?from=2026-13-01&to=&groupBy=colour")
            let month = try await page.get("/reports?month=2026-1")
            let ancient = try await page.get("/reports?from=0001-01-01&to=0001-01-07")
            // validation
            #expect(reversed.status == .unprocessableEntity)
            #expect(reversed.body.string.contains("id=\"to-error\">结束日期 不能早于开始日期"))
            #expect(reversed.body.string.contains("value=\"2026-10-31\""), "the dates as typed")
            #expect(!reversed.body.string.contains("id=\"figures\""))
            let html = invalid.body.string
            #expect(invalid.status == .unprocessableEntity)
            #expect(html.contains("id=\"from-error\">开始日期 不是有效的日期"), "\(html)")
            #expect(html.contains("id=\"to-error\">结束日期 必填"))
            #expect(html.contains("id=\"groupBy-error\">分组 不是可用的分组"))
            #expect(html.contains("<li>开始日期：不是有效的日期"))
            #expect(
                ancient.status == .unprocessableEntity
                    && ancient.body.string.contains("id=\"from-error\">开始日期 须在 1970 年到 2999 年之间"))
            #expect(month.status == .unprocessableEntity && month.body.string.contains("id=\"month-error\">月份 不是有效的月份"))
        }
    }

    @Test func aMonthIsSignedOffOnlyAfterItsConfirmation() async throws {
        try await withHuifang { app in
            // setup
            var (_, page) = try await office(app)
            // MUT: the report's button, then sending without the confirmation, then confirming
            let confirmation = try await page.get("/reports/signoff?month=2026-10")
            let unconfirmed = try await page.post("/reports/signoff", form: ["month": "2026-10", "note": "x"])
            let stillOpen = try await ReportSignOff.query(on: app.db).count()
            let signed = try await page.post(
                "/reports/signoff", form: ["month": "2026-10", "note": "已核对", "confirm": "1"])
            // validation
            let html = confirmation.body.string
            #expect(confirmation.status == .ok && html.contains("确认签发 2026-10 月度报表"))
            #expect(html.contains("请核对 2026-10 的数字") && html.contains("name=\"confirm\" value=\"1\""))
            #expect(row(html, "completion").contains(">66.7%</td>"))
            #expect(unconfirmed.status == .seeOther && stillOpen == 0, "nothing is signed without the confirmation")
            #expect(unconfirmed.headers.first(name: .location) == "/reports/signoff?month=2026-10")
            #expect(signed.headers.first(name: .location) == "/reports?month=2026-10")
            let stored = try #require(try await ReportSignOff.query(on: app.db).first())
            #expect(stored.month == "2026-10" && stored.note == "已核对")
            let report = try await page.get("/reports?month=2026-10").body.string
            #expect(report.contains("data-state=\"signed\"") && !report.contains("id=\"signoff-start\""))
            // A month signed, or not over, has no confirmation: back to the report with the reason.
            let again = try await page.get("/reports/signoff?month=2026-10")
            #expect(
                again.status == .seeOther
                    && again.headers.first(name: .location) == "/reports?month=2026-10&groupBy=agent")
            #expect(try await page.get("/reports?month=2026-10").body.string.contains("该月报表已签发"))
            let running = try await page.get("/reports/signoff?month=2026-11")
            #expect(running.status == .seeOther)
            #expect(try await page.get("/reports?month=2026-11").body.string.contains("本月尚未结束，不能签发"))
            // An analyst reads the report but is offered no sign-off.
            let analyst = try await makeUser(app, .analyst)
            var reader = try await PageClient.signedIn(app, analyst.user.username, analyst.password)
            let read = try await reader.get("/reports?month=2026-09").body.string
            #expect(read.contains("id=\"figures\"") && !read.contains("id=\"signoff-box\""))
            #expect(try await reader.get("/reports/signoff?month=2026-09").status == .forbidden)
        }
    }

    /// The entries of a workbook (its ZIP entries are stored, not compressed) by name.
    static func entries(_ bytes: [UInt8]) -> [String: String] {
        ((try? ZipFile.read(bytes)) ?? [:]).mapValues { String(decoding: $0, as: UTF8.self) }
    }

    @Test func theWorkbookHoldsThePagesTablesWithRatesAsPercentages() async throws {
        try await withHuifang { app in
            // setup
            var (_, page) = try await office(app)
            // MUT
            let chinese = try await page.get("/reports/export.xlsx?month=2026-10&groupBy=agent")
            let rows = try await page.get(
                "/reports/rows.xlsx?figure=completion&from=2026-10-01&to=2026-10-31&groupBy=agent&key=agent1")
            page.language = "en"
            let english = try await page.get("/reports/export.xlsx?from=2026-10-19&to=2026-10-25&groupBy=agent")
            // validation
            let zh = Self.entries(Array(chinese.body.readableBytesView))
            #expect(
                zh["xl/workbook.xml"]?.contains(
                    "<sheet name=\"总览\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"按坐席\" sheetId=\"2\" r:id=\"rId2\"/>")
                    == true)
            #expect(zh["xl/workbook.xml"]?.contains("name=\"按渠道／来源\"") == true, "no / in a sheet name")
            #expect(zh["xl/styles.xml"]?.contains("formatCode=\"0.0%\"") == true)
            let overview = zh["xl/worksheets/sheet1.xml"] ?? ""
            #expect(overview.contains("<t xml:space=\"preserve\">上期（2026-09）</t>"))
            #expect(overview.contains("<c r=\"B2\" s=\"2\"><v>0.6666666666666666</v></c>"), "\(overview)")
            #expect(overview.contains("<c r=\"C2\"><v>2</v></c><c r=\"D2\"><v>3</v></c>"))
            #expect(overview.contains("<c r=\"E2\" s=\"2\"><v>1.0</v></c><c r=\"F2\" s=\"3\"><v>-33.3</v></c>"))
            #expect(overview.contains("<col min=\"1\" max=\"1\" width="), "columns as wide as their content")
            let agents = zh["xl/worksheets/sheet2.xml"] ?? ""
            #expect(agents.contains("<t xml:space=\"preserve\">坐席</t>") && agents.contains("回访完成率"))
            #expect(agents.contains("xSplit=\"1\""), "the names stay in view")
            let sheet = Self.entries(Array(rows.body.readableBytesView))["xl/worksheets/sheet1.xml"] ?? ""
            #expect(
                sheet.contains("<t xml:space=\"preserve\">编号</t>") && sheet.contains(">计入</t>")
                    && sheet.contains("<c r=\"A2\"><v>10"), "the page's headings, numbers as numbers: \(sheet)")
            let en = Self.entries(Array(english.body.readableBytesView))
            #expect(en["xl/workbook.xml"]?.contains("<sheet name=\"Overview\"") == true)
            #expect(en["xl/worksheets/sheet1.xml"]?.contains("Completion rate") == true)
            #expect(en["xl/worksheets/sheet1.xml"]?.contains("Previous (2026-10-12 – 2026-10-18)") == true)
        }
    }
}
