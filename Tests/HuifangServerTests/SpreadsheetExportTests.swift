import Fluent
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// Every CSV the product writes goes through `CSVWriter`: a cell a spreadsheet would run as a formula
/// comes out prefixed with `'`.
@Suite struct SpreadsheetExportTests {
    static let formula = "=HYPERLINK(\"http://x\")"
    /// How `CSVWriter` writes `formula`: neutralised, then quoted for its quotes.
    static let neutralised = "\"'=HYPERLINK(\"\"http://x\"\")\""

    /// A discharge task for a customer named `name`, given to agent `wang`.
    func plannedTask(
        _ app: Application, customer name: String
    ) async throws -> (supervisor: PageClient, agent: PageClient) {
        let planning = PlanningTests()
        try await planning.onlyDischargeRule(app)
        let (supervisor, password) = try await makeUser(app, .supervisor)
        let token = try await makeToken(app, supervisor)
        let (wang, wangPassword) = try await makeUser(app, .agent, username: "wang")
        wang.skills = "medical"
        try await wang.update(on: app.db)
        try await planning.makeCustomer(app, name, member: "M0001")
        let event = EventInput(memberID: "M0001", kind: "discharge", occurredAt: "2025-09-26")
        _ = try await send(app, .POST, "/api/v1/events", token: token, body: event)
        _ = try await send(app, .POST, "/api/v1/planner/run", token: token, body: ["asOf": "2025-10-03"])
        return (
            try await PageClient.signedIn(app, supervisor.username, password),
            try await PageClient.signedIn(app, wang.username, wangPassword)
        )
    }

    @Test func theTaskExportAndTheCallListNeutraliseAFormulaInACustomersName() async throws {
        try await withHuifang { app in
            // setup
            var (supervisor, agent) = try await plannedTask(app, customer: Self.formula)
            // MUT
            let export = try await supervisor.get("/tasks/export.csv").body.string
            let callList = try await agent.get("/tasks/mine.csv").body.string
            // validation
            for csv in [export, callList] {
                let lines = csv.components(separatedBy: "\r\n")
                #expect(lines.count > 2 && lines[1].hasPrefix(Self.neutralised + ","), "\(csv)")
                #expect(csv.hasPrefix("\u{FEFF}"))
            }
        }
    }

    @Test func reportExportsNeutraliseCustomerAndAgentNamesButKeepNumbers() async throws {
        try await withHuifang { app in
            // setup: a tab before the formula, which a spreadsheet skips; names changed behind the forms' backs
            let fixture = try await ReportTests().load(app)
            let sql = app.db.sql
            let name = "\t" + Self.formula
            try await sql.raw("UPDATE customers SET name = \(bind: name) WHERE name = '甲'").run()
            try await sql.raw("UPDATE users SET display_name = \(bind: name) WHERE username = 'agent1'").run()
            var page = try await PageClient.signedIn(app, fixture.supervisor.user.username, fixture.supervisor.password)
            let query = "from=2026-10-01&to=2026-10-31&groupBy=agent"
            // MUT
            let rows = try await page.get("/reports/rows.csv?figure=completion&\(query)&key=agent1").body.string
            let figures = try await page.get("/reports/export.csv?month=2026-10&groupBy=agent").body.string
            let api = try await send(app, .GET, "/api/v1/reports/figures?\(query)&format=csv", token: fixture.token)
                .body.string
            // validation
            let expected = "\"'\t=HYPERLINK(\"\"http://x\"\")\""
            #expect(rows.contains("," + expected + ",") && !rows.contains(",\t="), "\(rows)")
            #expect(api.contains("agent1," + expected + ",completion,1,2,50.0%"), "a script reads codes: \(api)")
            #expect(figures.contains("\r\n" + expected + ",回访完成率,1,2,50.0%"), "a person reads names: \(figures)")
            #expect(figures.hasPrefix("\u{FEFF}对象,指标,分子,分母,数值\r\n"), "headings in the reader's language")
        }
    }
}
