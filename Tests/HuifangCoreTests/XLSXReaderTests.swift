import Foundation
import Testing
import ZIPFoundation

@testable import HuifangCore

/// Workbooks as offices send them, written by openpyxl and by LibreOffice (`scripts/make-xlsx-fixtures.py`).
@Suite struct XLSXReaderTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return [UInt8](try Data(contentsOf: url))
    }

    static let expected = [
        CSVRecord(line: 2, fields: ["姓名", "手机", "会员编号", "等级", "生日", "最近到店"]),
        CSVRecord(line: 3, fields: ["王芳", "13800138000", "000123", "金卡", "1990-03-01", "2026-11-20 14:30:00"]),
        CSVRecord(line: 4, fields: ["李娜", "13900139000", "000124", "普通", "1988-07-15", "2026-11-21 09:05"]),
        CSVRecord(line: 6, fields: ["张伟", "13700137000", "125", "银卡", "", ""]),
    ]

    @Test(arguments: ["customers-openpyxl.xlsx", "customers-libreoffice.xlsx"])
    func readsWhatASpreadsheetProgramWrote(_ name: String) throws {
        let bytes = try Self.fixture(name)
        #expect(XLSXReader.isWorkbook(bytes))
        let (records, encoding) = try TabularFile.records(bytes)
        #expect(encoding == .xlsx)
        #expect(records == Self.expected)
    }

    @Test func aCustomerWorkbookImportsLikeTheSameCSV() throws {
        let parser = CustomerImportParser(
            rules: CustomerRules(tiers: ["普通", "银卡", "金卡"], today: LocalDate(year: 2026, month: 11, day: 30)!))
        let parsed = try parser.parse(try Self.fixture("customers-openpyxl.xlsx"))
        #expect(parsed.encoding == .xlsx)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.rows.map(\.line) == [3, 4, 6])
        #expect(parsed.rows.first?.patch.mobile??.description == "13800138000")
        #expect(parsed.rows.first?.patch.externalID == .some("000123"))
        #expect(parsed.rows.first?.patch.birthday == .some(LocalDate(year: 1990, month: 3, day: 1)!))
        #expect(parsed.ignoredColumns == ["最近到店"])
    }

    @Test func aZipThatIsNoWorkbookIsRefusedByName() throws {
        let archive = try Archive(data: Data(), accessMode: .create)
        let text = Data("不是表格".utf8)
        try archive.addEntry(with: "readme.txt", type: .file, uncompressedSize: Int64(text.count)) { position, size in
            text.subdata(in: Int(position)..<Int(position) + size)
        }
        let bytes = [UInt8](try #require(archive.data))
        #expect(throws: ImportFileProblem.unreadableWorkbook) { try TabularFile.records(bytes) }
        #expect(throws: ImportFileProblem.unreadableWorkbook) { try TabularFile.records(Array(bytes.prefix(40))) }
    }

    @Test func aWorkbookThatUnpacksBeyondTheLimitIsRefused() throws {
        let bytes = try Self.fixture("customers-openpyxl.xlsx")
        #expect(throws: ImportFileProblem.workbookTooLarge) { try XLSXReader.records(bytes, partLimit: 600) }
        #expect(try XLSXReader.records(bytes, partLimit: 1 << 20).count == 4)
    }

    /// A workbook of one sheet whose rows are given as `(reference, text)` cells, written as inline strings.
    static func workbook(_ rows: [[(String, String)]]) throws -> [UInt8] {
        let cells = rows.map { row in
            row.map { #"<c r="\#($0.0)" t="inlineStr"><is><t>\#($0.1)</t></is></c>"# }.joined()
        }
        return try workbook(sheetData: cells.enumerated().map { #"<row r="\#($0.offset + 1)">\#($0.element)</row>"# })
    }

    /// A workbook of one sheet whose `<sheetData>` holds `rows` as written.
    static func workbook(sheetData rows: [String], extra: [String: String] = [:]) throws -> [UInt8] {
        let sheet = rows.joined()
        let parts = extra.merging([
            "xl/_rels/workbook.xml.rels":
                #"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#,
            "xl/workbook.xml": #"<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            "xl/worksheets/sheet1.xml": "<worksheet><sheetData>\(sheet)</sheetData></worksheet>",
        ]) { $1 }
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        return [UInt8](try #require(archive.data))
    }

    /// Rows are laid out as wide as the headings; the first value beyond them follows as one more field, as in a
    /// CSV row, so that a row filled only there is reported by the import instead of skipped as empty.
    @Test func aValueBeyondTheHeadingsFollowsAsOneField() throws {
        let bytes = try Self.workbook([
            [("A1", "姓名"), ("B1", "手机")],
            [("A2", "王芳"), ("B2", "13800138000"), ("XFD2", "stray")],
            [("A3", "李娜"), ("C3", " ")],
            [("D4", "13900139000")],
        ])
        #expect(
            try XLSXReader.records(bytes) == [
                CSVRecord(line: 1, fields: ["姓名", "手机"]),
                CSVRecord(line: 2, fields: ["王芳", "13800138000", "stray"]),
                CSVRecord(line: 3, fields: ["李娜", ""]),
                CSVRecord(line: 4, fields: ["", "", "13900139000"]),
            ])
        let parser = CustomerImportParser(
            rules: CustomerRules(tiers: ["普通"], today: LocalDate(year: 2026, month: 11, day: 30)!))
        let parsed = try parser.parse(bytes)
        #expect(parsed.rows.map(\.line) == [2] && parsed.problems.map(\.line).contains(4))
    }

    /// A heading and a value in Excel's last column on every row: 16,384 fields a row, refused by name once the
    /// rows would hold more than the limit (before, 2,000 such rows were 32 million fields in memory).
    @Test func aSheetOfTooManyCellsIsRefusedByName() throws {
        let row = { (number: Int) in [("A\(number)", "x"), ("XFD\(number)", "y")] }
        let bytes = try Self.workbook((1...2_000).map(row))
        #expect(throws: ImportFileProblem.sheetTooLarge) { try XLSXReader.records(bytes, cellLimit: 1_000 * 16_384) }
        let three = try XLSXReader.records(Self.workbook((1...3).map(row)), cellLimit: 3 * 16_384)
        #expect(three.map(\.fields.count) == [16_384, 16_384, 16_384] && three[2].fields.last == "y")
        #expect(ImportFileProblem.sheetTooLarge.catalogueEntry.key == "import.file.sheetTooLarge")
    }

    /// What Excel cannot write is refused as it is read, before it is held: more rows than Excel's 1,048,576 (each
    /// used to be kept under the last row's number), more cells than the limit, a cell of more than 32,767
    /// characters, more than 65,536 styles.
    @Test func aSheetBeyondExcelsOwnLimitsIsRefusedAsItIsRead() throws {
        let rows = try Self.workbook(sheetData: Array(repeating: "<row/>", count: 1_048_577))
        #expect(throws: ImportFileProblem.sheetTooLarge) { try XLSXReader.records(rows) }
        let cells = try Self.workbook((1...2_000).map { [("A\($0)", "x")] })
        #expect(throws: ImportFileProblem.sheetTooLarge) { try XLSXReader.records(cells, cellLimit: 1_000) }
        #expect(try XLSXReader.records(cells, cellLimit: 2_000).count == 2_000)
        let long = try Self.workbook([[("A1", "姓名")], [("A2", String(repeating: "长", count: 50_000))]])
        #expect(throws: ImportFileProblem.unreadableWorkbook) { try XLSXReader.records(long) }
        let row = [#"<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>"#]
        func styles(_ count: Int) -> [String: String] {
            [
                "xl/styles.xml": "<styleSheet><cellXfs>" + String(repeating: "<xf/>", count: count)
                    + "</cellXfs></styleSheet>"
            ]
        }
        #expect(throws: ImportFileProblem.unreadableWorkbook) {
            try XLSXReader.records(Self.workbook(sheetData: row, extra: styles(65_537)))
        }
        #expect(try XLSXReader.records(Self.workbook(sheetData: row, extra: styles(65_536))).count == 1)
    }

    @Test func serialDatesInBothDateSystems() {
        #expect(SpreadsheetDate.text(serial: 32933, date1904: false) == "1990-03-01")
        #expect(SpreadsheetDate.text(serial: 46346.604166666664, date1904: false) == "2026-11-20 14:30:00")
        #expect(SpreadsheetDate.text(serial: 31471, date1904: true) == "1990-03-01")
        #expect(SpreadsheetDate.text(serial: 0.5, date1904: false) == "12:00:00")
        #expect(SpreadsheetDate.text(serial: -1, date1904: false) == nil)
    }

    @Test func dateFormatsAreToldFromNumberFormats() {
        #expect(DateStyles.isDate("yyyy/m/d"))
        #expect(DateStyles.isDate("[$-F800]dddd\\, mmmm dd\\, yyyy"))
        #expect(DateStyles.isDate("hh:mm"))
        #expect(!DateStyles.isDate("0.00"))
        #expect(!DateStyles.isDate("[Red]#,##0"))
        #expect(!DateStyles.isDate("\"day\" 0"))
        #expect(!DateStyles.isDate("@"))
    }
}

/// A holiday schedule kept in Excel: the same checks as the text format, problems by the workbook's row.
@Suite struct ScheduleWorkbookTests {
    @Test func aScheduleWorkbookReadsItsHolidaysAndMakeUpWorkdays() throws {
        guard case .workbook(let records) = try ScheduleFile.read(XLSXReaderTests.fixture("calendar-openpyxl.xlsx"))
        else {
            Issue.record("not read as a workbook")
            return
        }
        let schedule = try HolidaySchedule.parse(records: records)
        #expect(
            schedule.entries.map { "\($0.kind) \($0.first.iso)..\($0.last.iso) \($0.name) \($0.year)" } == [
                "holiday 2027-10-01..2027-10-07 国庆节 2027",
                "workday 2027-09-25..2027-09-25 国庆节 2027",
                "workday 2027-10-09..2027-10-09 国庆节 2027",
            ])
    }

    @Test func aWrongRowIsNamedByItsNumber() {
        let records = [
            CSVRecord(line: 2, fields: ["类型", "日期", "名称"]),
            CSVRecord(line: 3, fields: ["放假", "2027-01-01", "元旦"]),
            CSVRecord(line: 5, fields: ["上班", "2027-01-05", "元旦"]),
        ]
        #expect(throws: HolidaySchedule.ParseError(line: 5, reason: "2027-01-05 is not a Saturday or Sunday")) {
            try HolidaySchedule.parse(records: records)
        }
        #expect(throws: HolidaySchedule.ParseError(line: 2, reason: "expected the headings 类型, 日期 and 名称")) {
            try HolidaySchedule.parse(records: [CSVRecord(line: 2, fields: ["日期", "名称"])])
        }
    }
}
