import Foundation
import HuifangCore

/// A workbook of plain sheets in the Office Open XML format (.xlsx) that Excel, WPS and LibreOffice open:
/// strings written inline, numbers as numbers (a share as its exact value with a `0.0%` format), the first row
/// bold and frozen, columns as wide as their content. The package is a ZIP archive with its entries stored (a
/// report's sheets are small; no compression library needed).
struct XLSXWriter {
    enum Cell {
        case text(String)
        case number(Int)
        /// numerator ÷ denominator as a number shown `66.7%`; the text `—` when there is nothing to divide by.
        case percent(Rate)
        /// A whole number of 10^-`decimals` units shown with that many decimals (`3.50`); `signed` shows `+`/`-`
        /// (a change: `+1.2`).
        case scaled(Int, decimals: Int, signed: Bool)
    }

    struct Sheet {
        let name: String
        let rows: [[Cell]]
        /// Columns kept in view when scrolling sideways (the group's name in a wide table).
        var frozenColumns = 0
    }

    /// A row of text fields; fields that are whole numbers become numbers.
    static func row(_ fields: [String]) -> [Cell] {
        fields.map { field in
            if let number = Int(field), String(number) == field { return .number(number) }
            return .text(field)
        }
    }

    static func workbook(_ sheets: [Sheet]) throws -> [UInt8] {
        var files: [(String, String)] = []
        files.append(("[Content_Types].xml", contentTypes(sheets.count)))
        files.append(
            (
                "_rels/.rels",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """
            ))
        files.append(("xl/workbook.xml", workbookPart(sheetNames(sheets.map(\.name)))))
        files.append(("xl/_rels/workbook.xml.rels", relations(sheets.count)))
        files.append(("xl/styles.xml", styles))
        for (index, sheet) in sheets.enumerated() {
            files.append(("xl/worksheets/sheet\(index + 1).xml", worksheet(sheet)))
        }
        return try zip(files.map { ($0.0, Array($0.1.utf8)) })
    }

    private static func contentTypes(_ count: Int) -> String {
        let overrides = (0..<count).map {
            "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\(overrides)</Types>
            """
    }

    private static func workbookPart(_ names: [String]) -> String {
        let sheetList = names.enumerated().map { index, name in
            "<sheet name=\"\(escape(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\(sheetList)</sheets></workbook>
            """
    }

    private static func relations(_ count: Int) -> String {
        let relations =
            (0..<count).map {
                "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>"
            }.joined()
            + "<Relationship Id=\"rId\(count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(relations)</Relationships>
            """
    }

    /// The characters a sheet name cannot hold, and the full-width ones written instead (渠道/来源 is 渠道／来源).
    private static let fullWidth: [Character: Character] = [
        "/": "／", "\\": "＼", "?": "？", "*": "＊", ":": "：", "[": "［", "]": "］",
    ]

    /// Sheet names as Excel takes them: at most 31 characters, none of `[]:*?/\\`, no two alike.
    static func sheetNames(_ names: [String]) -> [String] {
        var taken: Set<String> = []
        return names.map { raw in
            let cleaned = String(raw.map { Self.fullWidth[$0] ?? $0 }).trimmingWhitespace()
            var name = String((cleaned.isEmpty ? "Sheet" : cleaned).prefix(31))
            var number = 2
            while taken.contains(name.lowercased()) {
                let suffix = " (\(number))"
                name = String(name.prefix(31 - suffix.count)) + suffix
                number += 1
            }
            taken.insert(name.lowercased())
            return name
        }
    }

    /// Style 1 is the header row (bold on grey, a line below); 2 is `0.0%`; 3–5 are changes with one, two or no
    /// decimals (`+1.2`); 6 is `0.00`.
    private static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="4"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="+0.0;-0.0;0.0"/><numFmt numFmtId="166" formatCode="+0.00;-0.00;0.00"/><numFmt numFmtId="167" formatCode="+0;-0;0"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE8F3F0"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border/><border><left/><right/><top/><bottom style="thin"><color rgb="FF0F6B5C"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="7"><xf fontId="0" xfId="0"/><xf fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf><xf numFmtId="164" fontId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="167" fontId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="2" fontId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """

    private static func worksheet(_ sheet: Sheet) -> String {
        var xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        let split = sheet.frozenColumns
        let topLeft = column(split) + "2"
        xml +=
            "<sheetViews><sheetView workbookViewId=\"0\"><pane \(split > 0 ? "xSplit=\"\(split)\" " : "")ySplit=\"1\" topLeftCell=\"\(topLeft)\" activePane=\"\(split > 0 ? "bottomRight" : "bottomLeft")\" state=\"frozen\"/></sheetView></sheetViews>"
        let widths = columnWidths(sheet.rows)
        if !widths.isEmpty {
            xml += "<cols>"
            for (index, width) in widths.enumerated() {
                xml += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
            }
            xml += "</cols>"
        }
        xml += "<sheetData>"
        for (r, row) in sheet.rows.enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, cell) in row.enumerated() {
                xml += self.cell(cell, at: column(c) + String(r + 1), header: r == 0)
            }
            xml += "</row>"
        }
        return xml + "</sheetData></worksheet>"
    }

    private static func cell(_ cell: Cell, at reference: String, header: Bool) -> String {
        func styled(_ style: Int) -> String { header ? " s=\"1\"" : style == 0 ? "" : " s=\"\(style)\"" }
        switch cell {
        case .number(let value): return "<c r=\"\(reference)\"\(styled(0))><v>\(value)</v></c>"
        case .text(let value) where value.isEmpty: return ""
        case .text(let value):
            return
                "<c r=\"\(reference)\"\(styled(0)) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(value))</t></is></c>"
        case .percent(let rate) where rate.denominator == 0: return self.cell(.text("—"), at: reference, header: header)
        case .percent(let rate):
            return "<c r=\"\(reference)\"\(styled(2))><v>\(Double(rate.numerator) / Double(rate.denominator))</v></c>"
        case .scaled(let value, let decimals, let signed):
            let style = signed ? [0: 5, 1: 3, 2: 4][decimals] ?? 0 : decimals == 2 ? 6 : 0
            return "<c r=\"\(reference)\"\(styled(style))><v>\(Measure.decimal(value, decimals))</v></c>"
        }
    }

    /// Each column as wide as its widest cell (a Chinese character counts twice), between 8 and 60.
    static func columnWidths(_ rows: [[Cell]]) -> [Int] {
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                let shown: String
                switch cell {
                case .text(let text): shown = text
                case .number(let value): shown = String(value)
                case .percent(let rate): shown = rate.text
                case .scaled(let value, let decimals, _): shown = "+" + Measure.decimal(value, decimals)
                }
                let width = shown.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) }
                if widths.count <= index { widths.append(0) }
                widths[index] = max(widths[index], width)
            }
        }
        return widths.map { min(max($0 + 2, 8), 60) }
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

    static func zip(_ files: [(name: String, data: [UInt8])]) throws -> [UInt8] { try ZipFile.write(files) }
}
