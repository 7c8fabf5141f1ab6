import Foundation

/// A workbook of plain sheets in the Office Open XML format (.xlsx) that Excel, WPS and LibreOffice open:
/// strings written inline, whole numbers as numbers, the first row bold and frozen. The package is a
/// ZIP archive with its entries stored (a report's sheets are small; no compression library needed).
struct XLSXWriter {
    enum Cell {
        case text(String)
        case number(Int)
    }

    struct Sheet {
        let name: String
        let rows: [[Cell]]
    }

    /// A row of text fields; fields that are whole numbers become numbers.
    static func row(_ fields: [String]) -> [Cell] {
        fields.map { field in
            if let number = Int(field), String(number) == field { return .number(number) }
            return .text(field)
        }
    }

    // Long: the XLSX package's XML parts, one literal per file in the order the archive lists them.
    static func workbook(_ sheets: [Sheet]) -> [UInt8] {
        var files: [(String, String)] = []
        let overrides = sheets.indices.map {
            "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }.joined()
        files.append(
            (
                "[Content_Types].xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\(overrides)</Types>
                """
            ))
        files.append(
            (
                "_rels/.rels",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """
            ))
        let sheetList = sheets.enumerated().map { index, sheet in
            "<sheet name=\"\(escape(String(sheet.name.prefix(31))))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }.joined()
        files.append(
            (
                "xl/workbook.xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\(sheetList)</sheets></workbook>
                """
            ))
        let relations =
            sheets.indices.map {
                "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>"
            }.joined()
            + "<Relationship Id=\"rId\(sheets.count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        files.append(
            (
                "xl/_rels/workbook.xml.rels",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(relations)</Relationships>
                """
            ))
        // Style 1 is bold, for the header row.
        files.append(
            (
                "xl/styles.xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf fontId="0" xfId="0"/><xf fontId="1" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
                """
            ))
        for (index, sheet) in sheets.enumerated() {
            var xml =
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            xml +=
                "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews><sheetData>"
            for (r, row) in sheet.rows.enumerated() {
                xml += "<row r=\"\(r + 1)\">"
                for (c, cell) in row.enumerated() {
                    let reference = column(c) + String(r + 1)
                    let style = r == 0 ? " s=\"1\"" : ""
                    switch cell {
                    case .number(let value): xml += "<c r=\"\(reference)\"\(style)><v>\(value)</v></c>"
                    case .text(let value) where value.isEmpty: continue
                    case .text(let value):
                        xml +=
                            "<c r=\"\(reference)\"\(style) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(value))</t></is></c>"
                    }
                }
                xml += "</row>"
            }
            xml += "</sheetData></worksheet>"
            files.append(("xl/worksheets/sheet\(index + 1).xml", xml))
        }
        return zip(files.map { ($0.0, Array($0.1.utf8)) })
    }

    /// A, B, …, Z, AA, AB, …
    static func column(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// XML text: markup characters escaped, and characters XML 1.0 does not allow left out.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    // MARK: ZIP (stored entries, UTF-8 names)

    static func zip(_ files: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int, _ into: inout [UInt8]) { into += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff)] }
        func le32(_ v: UInt32, _ into: inout [UInt8]) {
            into += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)]
        }
        // 1 January 1980, the format's earliest date: the files have no meaningful time of their own.
        let (time, date) = (0, (0 << 9) | (1 << 5) | 1)
        for file in files {
            let name = Array(file.name.utf8)
            let crc = crc32(file.data)
            let offset = UInt32(out.count)
            le32(0x0403_4b50, &out)
            le16(20, &out)
            le16(0x0800, &out)
            le16(0, &out)
            le16(time, &out)
            le16(date, &out)
            le32(crc, &out)
            le32(UInt32(file.data.count), &out)
            le32(UInt32(file.data.count), &out)
            le16(name.count, &out)
            le16(0, &out)
            out += name
            out += file.data
            le32(0x0201_4b50, &central)
            le16(20, &central)
            le16(20, &central)
            le16(0x0800, &central)
            le16(0, &central)
            le16(time, &central)
            le16(date, &central)
            le32(crc, &central)
            le32(UInt32(file.data.count), &central)
            le32(UInt32(file.data.count), &central)
            le16(name.count, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le32(0, &central)
            le32(offset, &central)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        le32(0x0605_4b50, &out)
        le16(0, &out)
        le16(0, &out)
        le16(files.count, &out)
        le16(files.count, &out)
        le32(UInt32(central.count), &out)
        le32(centralOffset, &out)
        le16(0, &out)
        return out
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
