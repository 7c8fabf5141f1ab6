/// A holiday schedule kept as a spreadsheet: a heading row, then one row per holiday or make-up workday.
///
/// Columns by heading: 类型 (放假/holiday, 上班/调休上班/补班/workday), 日期 or 开始日期, 结束日期 (optional, the last
/// day of a holiday), 名称, and 年份 (optional: the notice's year, else the year of the date). Problems name the
/// workbook's row.
extension HolidaySchedule {
    static let workbookColumns: [String: [String]] = [
        "kind": ["类型", "种类", "kind", "type"],
        "first": ["日期", "开始日期", "起始日期", "date", "first", "from"],
        "last": ["结束日期", "截止日期", "last", "to"],
        "name": ["名称", "节日", "节假日", "name", "holiday"],
        "year": ["年份", "年度", "year"],
    ]
    static let kinds: [String: Entry.Kind] = [
        "holiday": .holiday, "放假": .holiday, "休息": .holiday, "假日": .holiday, "节假日": .holiday,
        "workday": .workday, "上班": .workday, "调休上班": .workday, "补班": .workday, "调休": .workday,
    ]

    public static func parse(records: [CSVRecord]) throws(ParseError) -> HolidaySchedule {
        guard let header = records.first else { throw ParseError(line: 1, reason: "the workbook has no rows") }
        var columns: [String: Int] = [:]
        for (index, heading) in header.fields.enumerated() {
            let text = heading.trimmingWhitespace().lowercased()
            if let field = workbookColumns.first(where: { $0.value.contains(text) })?.key { columns[field] = index }
        }
        guard let kindColumn = columns["kind"], let firstColumn = columns["first"], let nameColumn = columns["name"]
        else { throw ParseError(line: header.line, reason: "expected the headings 类型, 日期 and 名称") }
        var entries: [Entry] = []
        for record in records.dropFirst() {
            func cell(_ column: Int?) -> String {
                guard let column, record.fields.indices.contains(column) else { return "" }
                return record.fields[column].trimmingWhitespace()
            }
            guard let kind = kinds[cell(kindColumn).lowercased()] else {
                throw ParseError(
                    line: record.line, reason: "'\(cell(kindColumn))' is neither 放假 (holiday) nor 上班 (workday)")
            }
            let first = String(cell(firstColumn).prefix(10))  // a date cell with a time of day keeps its date
            let last = String(cell(columns["last"]).prefix(10))
            let dates = last.isEmpty || last == first ? first : "\(first)..\(last)"
            let year = Int(cell(columns["year"])) ?? LocalDate(parsing: first)?.year ?? 0
            entries.append(try entry(kind, dates: dates, name: cell(nameColumn), year: year, line: record.line))
        }
        return HolidaySchedule(entries: entries)
    }
}

/// A schedule file as uploaded: an Excel workbook, or text (the schedule format or iCalendar) in UTF-8.
public enum ScheduleFile {
    public enum Content: Sendable {
        case text(String)
        case workbook([CSVRecord])
    }

    public static func read(_ bytes: [UInt8]) throws(ImportFileProblem) -> Content {
        if XLSXReader.isWorkbook(bytes) { return .workbook(try XLSXReader.records(bytes)) }
        return .text(String(decoding: bytes, as: UTF8.self))
    }
}
