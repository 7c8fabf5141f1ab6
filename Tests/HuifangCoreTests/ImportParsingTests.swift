import HuifangCore
import Testing

@Suite struct ImportParsingTests {
    let parser = CustomerImportParser(
        rules: CustomerRules(tiers: ["普通", "银卡", "金卡", "白金卡"], today: LocalDate(year: 2026, month: 11, day: 25)!))

    @Test func readsQuotedFieldsAndCountsLinesInsideQuotes() {
        let text = "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",z\n\nlast,1"
        let records = CSVReader().records(Array(text.utf8))
        #expect(
            records == [
                CSVRecord(line: 1, fields: ["a", "b"]),
                CSVRecord(line: 2, fields: ["x, y", "say \"hi\""]),
                CSVRecord(line: 3, fields: ["multi\nline", "z"]),
                CSVRecord(line: 6, fields: ["last", "1"]),
            ])
    }

    @Test func detectsTabAndSemicolonSeparatedFiles() {
        #expect(CSVReader.detectDelimiter(Array("姓名\t手机\n".utf8)) == UInt8(ascii: "\t"))
        #expect(CSVReader.detectDelimiter(Array("name;mobile\n".utf8)) == UInt8(ascii: ";"))
    }

    @Test func decodesGBKAndUTF8WithOrWithoutBOMAndUTF16() throws {
        let text = "姓名,手机\n王芳,13812345678\n"
        let gbk = try #require(TextDecoding.encodeGB18030(text))
        #expect(gbk != Array(text.utf8))
        let fromGBK = try #require(TextDecoding.decode(gbk))
        #expect(fromGBK.encoding == .gb18030)
        #expect(String(decoding: fromGBK.utf8, as: UTF8.self) == text)
        #expect(TextDecoding.decode([0xEF, 0xBB, 0xBF] + Array(text.utf8))?.encoding == .utf8BOM)
        #expect(TextDecoding.decode(Array(text.utf8))?.encoding == .utf8)
        let utf16: [UInt8] =
            [0xFF, 0xFE] + text.utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let fromUTF16 = try #require(TextDecoding.decode(utf16))
        #expect(fromUTF16.encoding == .utf16)
        #expect(String(decoding: fromUTF16.utf8, as: UTF8.self) == text)
    }

    @Test func mapsChineseAndEnglishHeadings() throws {
        for header in ["姓名,手机号码（必填）,会员等级,会员编号", "Name,Mobile,Tier,external_id", "* 姓名 ,Mobile Phone,LEVEL,Member ID"] {
            let parsed = try parser.parse(Array("\(header)\n王芳,13812345678,金卡,HY1\n".utf8))
            #expect(parsed.problems.isEmpty, "\(header)")
            #expect(parsed.rows.first?.patch.tier == "金卡")
            #expect(parsed.rows.first?.patch.externalID == "HY1")
        }
    }

    @Test func refusesFilesWithoutNameOrKeyColumns() {
        #expect(throws: ImportFileProblem.missingNameColumn) { try parser.parse(Array("手机\n13812345678\n".utf8)) }
        #expect(throws: ImportFileProblem.missingKeyColumn) { try parser.parse(Array("姓名,生日\n王芳,1990-01-01\n".utf8)) }
        #expect(throws: ImportFileProblem.duplicateColumn("mobile")) { try parser.parse(Array("姓名,手机,mobile\n".utf8)) }
        #expect(throws: ImportFileProblem.empty) { try parser.parse([]) }
    }

    @Test func reportsEachBadValueByLineAndColumn() throws {
        let csv = """
            姓名,手机,会员等级,生日,会员编号
            王芳,13812345678,金卡,1990-01-01,HY1
            ,13812345679,普通,,HY2
            李娜,12345,钻石卡,1990-13-01,HY3
            张伟,,,,
            赵磊,13912345678,,,HY1
            """
        let parsed = try parser.parse(Array(csv.utf8))
        #expect(parsed.totalRows == 5)
        #expect(parsed.rows.map(\.line) == [2])
        let problems = parsed.problems.map { "\($0.line) \($0.column ?? "-") \($0.problem)" }
        #expect(
            problems == [
                "3 姓名 required",
                "4 手机 invalidMobile",
                "4 会员等级 unknownTier(allowed: [\"普通\", \"银卡\", \"金卡\", \"白金卡\"])",
                "4 生日 invalidDate",
                "5 手机 mobileOrExternalIDRequired",
                "6 会员编号 duplicateInFile(firstLine: 2)",
            ])
    }

    @Test func theSampleFileIsValidAndHasNoRepeatedKeys() throws {
        let sample = SampleCustomers(agents: ["wangfang"], today: LocalDate(year: 2026, month: 11, day: 25)!)
        let parsed = try parser.parse(Array(sample.csv(count: 5000).utf8))
        #expect(parsed.problems.isEmpty)
        #expect(parsed.rows.count == 5000)
        #expect(Set(parsed.rows.compactMap { $0.patch.mobile ?? nil }).count == 5000)
        #expect(Set(parsed.rows.map(\.patch.tier)).count == 4)
        #expect(sample.row(7) == sample.row(7))
        #expect(sample.row(7)[1] != sample.row(8)[1] || sample.row(7)[4] != sample.row(8)[4])
    }
}
