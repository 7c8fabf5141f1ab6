import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Excel workbooks are taken wherever CSV is: the same headings, the same report with Excel's row numbers.
@Suite struct WorkbookImportTests {
    typealias Report = ImportTests.Report

    static func fixture(_ name: String) throws -> [UInt8] {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return [UInt8](try Data(contentsOf: tests.appendingPathComponent("HuifangCoreTests/Fixtures/\(name)")))
    }

    func post(_ app: Application, _ path: String, _ token: String, _ bytes: [UInt8]) async throws -> TestingHTTPResponse
    {
        var headers = bearer(token)
        headers.contentType = HTTPMediaType(
            type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return try await app.testing().performTest(
            request: .init(method: .POST, url: .init(path: path), headers: headers, body: ByteBuffer(bytes: bytes)))
    }

    @Test(arguments: ["customers-openpyxl.xlsx", "customers-libreoffice.xlsx"])
    func customersFromAWorkbookAreCreatedWithTheirNumbersAsWritten(_ name: String) async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let response = try await post(app, "/api/v1/customers/import?fileName=\(name)", token, Self.fixture(name))
            #expect(response.status == .ok, "\(response.body.string)")
            let report = try response.content.decode(Report.self)
            #expect(report.encoding == "XLSX")
            #expect((report.totalRows, report.created, report.failed) == (3, 3, 0))
            let wang = try #require(try await Customer.query(on: app.db).filter(\.$externalID == "000123").first())
            #expect(wang.name == "王芳" && wang.tier == "金卡")
            #expect(wang.birthday == "1990-03-01")
            let zhang = try #require(try await Customer.query(on: app.db).filter(\.$externalID == "125").first())
            #expect(zhang.name == "张伟")
        }
    }

    @Test func eventsFromAWorkbookReportProblemsByExcelRow() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            _ = try await PlanningTests().makeCustomer(app, "王芳", member: "M0001")
            let workbook = try Operations.workbook(
                fromCSV:
                    "事件编号,会员编号,事件类型,发生时间,产品\nE3,M0001,purchase,2025-10-01 09:30,轮胎\nE4,M9999,purchase,2025-10-01,机油\n",
                sheet: "事件")
            let response = try await post(app, "/api/v1/events/import", token, workbook)
            struct EventReport: Decodable {
                struct Problem: Decodable { let line: Int }
                let created: Int
                let failed: Int
                let problems: [Problem]
                let encoding: String?
            }
            let report = try response.content.decode(EventReport.self)
            #expect(report.created == 1 && report.failed == 1 && report.encoding == "XLSX")
            #expect(report.problems.map(\.line) == [3])
            let tire = try await ServiceEvent.query(on: app.db).filter(\.$externalID == "E3").first()
            #expect(tire?.attributeValues == ["产品": "轮胎"])
        }
    }

    @Test func aDamagedWorkbookIsRefusedAndNothingIsImported() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let damaged = Array(try Self.fixture("customers-openpyxl.xlsx").prefix(600))
            let response = try await post(app, "/api/v1/customers/import", token, damaged)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("无法读取该 Excel 文件"))
            let events = try await post(app, "/api/v1/events/import", token, damaged)
            #expect(events.status == .unprocessableEntity)
            #expect(try await Customer.query(on: app.db).count() == 0)
        }
    }

    @Test func aHolidayScheduleWorkbookChangesTheWorkingDays() async throws {
        try await withHuifang { app in
            let token = try await makeToken(app, makeUser(app, .admin).user)
            let response = try await post(
                app, "/api/v1/calendar/import?fileName=2027.xlsx", token, Self.fixture("calendar-openpyxl.xlsx"))
            #expect(response.status == .ok, "\(response.body.string)")
            #expect(response.body.string.contains("\"dates\":9"))
            let next = try await send(app, .GET, "/api/v1/calendar/add-workdays?from=2027-09-30&days=1", token: token)
            #expect(next.body.string.contains("2027-10-08"), "\(next.body.string)")
            let saturday = try await send(
                app, .GET, "/api/v1/calendar/add-workdays?from=2027-09-24&days=1", token: token)
            #expect(saturday.body.string.contains("2027-09-25"), "the make-up Saturday is a working day")
        }
    }

    @Test func aLargeSheetIsReadToItsLastRow() throws {
        // A sheet of tens of megabytes (libxml2 refuses a document that size given at once, `XMLStream`).
        let csv = SampleCustomers(today: LocalDate(year: 2026, month: 11, day: 30)!).csv(count: 25_000)
        let workbook = try Operations.workbook(fromCSV: csv, sheet: "客户")
        let (records, encoding) = try TabularFile.records(workbook)
        #expect(encoding == .xlsx)
        #expect(records.count == 25_001)
        #expect(records.last?.line == 25_001)
        #expect(records.last?.fields == CSVReader().records(Array(csv.utf8)).last?.fields)
    }
}
