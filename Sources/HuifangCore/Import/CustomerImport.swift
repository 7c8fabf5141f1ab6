/// The column headings the customer import understands, in Chinese and English.
/// Headings are matched ignoring case, spaces, underscores, `*` and bracketed remarks
/// such as `手机号（必填）`.
public enum CustomerColumns {
    public static let aliases: [CustomerField: [String]] = [
        .name: ["姓名", "客户姓名", "会员姓名", "名字", "name", "customer name", "full name"],
        .mobile: ["手机", "手机号", "手机号码", "移动电话", "联系电话", "电话", "mobile", "phone", "mobile phone", "cellphone"],
        .email: ["邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"],
        .gender: ["性别", "gender", "sex"],
        .birthday: ["生日", "出生日期", "birthday", "birth date", "date of birth", "dob"],
        .registeredOn: ["注册日期", "注册时间", "入会日期", "开卡日期", "registered at", "registered on", "registration date"],
        .tier: ["会员等级", "等级", "会员级别", "卡类型", "tier", "level", "member tier"],
        .tags: ["标签", "客户标签", "tags", "tag"],
        .externalID: ["会员编号", "会员号", "客户编号", "会员卡号", "卡号", "external id", "member id", "customer id"],
        .assignedAgent: ["专属客服", "负责客服", "客服", "回访员", "agent", "assigned agent"],
        .consent: ["同意回访", "是否同意回访", "回访授权", "consent"],
        .doNotDisturb: ["免打扰", "勿扰", "do not disturb", "dnd"],
        .notes: ["备注", "说明", "notes", "note", "remark", "remarks"],
    ]

    static let lookup: [String: CustomerField] = {
        var table: [String: CustomerField] = [:]
        for (field, names) in aliases { for name in names { table[normalise(name)] = field } }
        return table
    }()

    /// The field a heading names, or `nil` for a column the import ignores.
    public static func field(forHeading heading: String) -> CustomerField? {
        lookup[normalise(heading)]
    }

    /// A heading as compared: lower case, without spaces, `_-*` or bracketed remarks. Every import matches headings this way.
    public static func normalise(_ heading: String) -> String {
        var text = heading.trimmingWhitespace().lowercased()
        for (open, close) in [("(", ")"), ("（", "）"), ("[", "]"), ("【", "】")] {
            while let start = text.range(of: open),
                let end = text.range(of: close, range: start.upperBound..<text.endIndex)
            {
                text.removeSubrange(start.lowerBound..<end.upperBound)
            }
        }
        return String(text.filter { !$0.isWhitespace && !"_-*＊".contains($0) })
    }
}

/// Why a whole file was refused before any row was read.
public enum ImportFileProblem: Error, Equatable, Sendable {
    case empty
    case unreadableEncoding
    /// A file that starts as a workbook but cannot be read as one (damaged, or not `.xlsx`).
    case unreadableWorkbook
    /// A workbook part that unpacks to more than `XLSXReader.partLimit`.
    case workbookTooLarge
    /// A sheet whose rows hold more than `XLSXReader.cellLimit` fields.
    case sheetTooLarge
    case missingNameColumn
    case missingKeyColumn
    case duplicateColumn(String)

    /// The catalogue key and its arguments.
    public var catalogueEntry: (key: String, arguments: [String]) {
        switch self {
        case .empty: ("import.file.empty", [])
        case .unreadableEncoding: ("import.file.encoding", [])
        case .unreadableWorkbook: ("import.file.workbook", [])
        case .workbookTooLarge: ("import.file.workbookTooLarge", [])
        case .sheetTooLarge: ("import.file.sheetTooLarge", [])
        case .missingNameColumn: ("import.file.noName", [])
        case .missingKeyColumn: ("import.file.noKey", [])
        case .duplicateColumn(let name): ("import.file.duplicateColumn", [name])
        }
    }
}

/// A row that will be applied: its line and what it sets.
public struct ImportRow: Sendable, Equatable {
    public let line: Int
    public let patch: CustomerPatch
    public let agentUsername: String?
}

/// One refused value: line, column heading as written in the file, the value and why.
public struct RowProblem: Sendable, Equatable {
    public let line: Int
    public let column: String?
    public let value: String?
    public let problem: FieldProblem

    public init(line: Int, column: String?, value: String?, problem: FieldProblem) {
        self.line = line
        self.column = column
        self.value = value
        self.problem = problem
    }
}

/// A file read and checked, before anything touches the database.
public struct ParsedImport: Sendable {
    public let encoding: TextEncoding
    public let totalRows: Int
    public let rows: [ImportRow]
    public let problems: [RowProblem]
    /// Headings the import did not recognise and ignored.
    public let ignoredColumns: [String]
    /// The heading each field was read from, to name columns in later problems.
    public let headings: [CustomerField: String]
}

/// Reads a customer CSV: detects its encoding and delimiter, maps the headings,
/// checks every cell, and finds rows that repeat a key of an earlier row.
public struct CustomerImportParser: Sendable {
    public let rules: CustomerRules

    public init(rules: CustomerRules) {
        self.rules = rules
    }

    public func parse(_ bytes: [UInt8]) throws(ImportFileProblem) -> ParsedImport {
        let (records, encoding) = try TabularFile.records(bytes)
        guard let header = records.first else { throw .empty }
        let columns = try Columns(header)

        var checked = CheckedRows()
        checked.rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            check(record, columns: columns, into: &checked)
        }
        return ParsedImport(
            encoding: encoding, totalRows: records.count - 1, rows: checked.rows, problems: checked.problems,
            ignoredColumns: columns.ignored, headings: columns.headings)
    }

    /// The header mapped: the field each recognised column fills, the headings as written, and those ignored.
    /// Refuses a header that names a field twice, has no name column, or neither a mobile nor a member id column.
    private struct Columns {
        let fields: [(index: Int, field: CustomerField)]
        let headings: [CustomerField: String]
        let ignored: [String]
        /// The column of each field, to report a row's problems in the file's order.
        let position: [CustomerField: Int]

        init(_ header: CSVRecord) throws(ImportFileProblem) {
            var columns: [(index: Int, field: CustomerField)] = []
            var headings: [CustomerField: String] = [:]
            var ignored: [String] = []
            for (index, heading) in header.fields.enumerated() {
                guard let field = CustomerColumns.field(forHeading: heading) else {
                    if !heading.trimmingWhitespace().isEmpty { ignored.append(heading.trimmingWhitespace()) }
                    continue
                }
                guard headings[field] == nil else { throw .duplicateColumn(heading.trimmingWhitespace()) }
                headings[field] = heading.trimmingWhitespace()
                columns.append((index, field))
            }
            let position = Dictionary(uniqueKeysWithValues: columns.map { ($0.field, $0.index) })
            guard headings[.name] != nil else { throw .missingNameColumn }
            guard headings[.mobile] != nil || headings[.externalID] != nil else { throw .missingKeyColumn }
            (self.fields, self.headings, self.ignored, self.position) = (columns, headings, ignored, position)
        }
    }

    /// The rows checked so far: those to apply, the problems, and the first line of each key (to find repeats).
    private struct CheckedRows {
        var rows: [ImportRow] = []
        var problems: [RowProblem] = []
        var firstLineByExternalID: [String: Int] = [:]
        var firstLineByMobile: [String: Int] = [:]
    }

    /// Checks one row's cells, then that it has a name and a key, and that it does not repeat a key of an
    /// earlier row; adds it to the rows or its problems.
    private func check(_ record: CSVRecord, columns: Columns, into checked: inout CheckedRows) {
        let headings = columns.headings
        var values: [CustomerField: String] = [:]
        for (index, field) in columns.fields {
            values[field] = index < record.fields.count ? record.fields[index] : ""
        }
        switch rules.patch(from: values, emptyClears: false) {
        case .failure(let failure):
            for error in failure.errors.sorted(by: { columns.position[$0.field]! < columns.position[$1.field]! }) {
                checked.problems.append(
                    RowProblem(
                        line: record.line, column: headings[error.field],
                        value: values[error.field], problem: error.problem))
            }
        case .success(let (patch, agent)):
            if patch.name == nil {
                checked.problems.append(
                    RowProblem(line: record.line, column: headings[.name], value: "", problem: .required))
                return
            }
            let externalID = patch.externalID ?? nil
            let mobile = patch.mobile ?? nil
            if externalID == nil, mobile == nil {
                checked.problems.append(
                    RowProblem(
                        line: record.line, column: headings[.mobile] ?? headings[.externalID],
                        value: "", problem: .mobileOrExternalIDRequired))
                return
            }
            if let externalID {
                if let first = checked.firstLineByExternalID[externalID] {
                    checked.problems.append(
                        RowProblem(
                            line: record.line, column: headings[.externalID],
                            value: externalID, problem: .duplicateInFile(firstLine: first)))
                    return
                }
                checked.firstLineByExternalID[externalID] = record.line
                if let mobile, checked.firstLineByMobile[mobile.e164] == nil {
                    checked.firstLineByMobile[mobile.e164] = record.line
                }
            } else if let mobile {
                if let first = checked.firstLineByMobile[mobile.e164] {
                    checked.problems.append(
                        RowProblem(
                            line: record.line, column: headings[.mobile],
                            value: mobile.display, problem: .duplicateInFile(firstLine: first)))
                    return
                }
                checked.firstLineByMobile[mobile.e164] = record.line
            }
            checked.rows.append(ImportRow(line: record.line, patch: patch, agentUsername: agent ?? nil))
        }
    }
}
