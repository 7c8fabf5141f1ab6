import Foundation
import HuifangCore

/// Reads an event CSV (UTF-8 or GBK, Chinese or English headings); every other column becomes an attribute.
enum EventColumns {
    static let aliases: [String: [String]] = [
        "externalID": ["事件编号", "单号", "订单号", "event id", "external id"],
        "memberID": ["会员编号", "会员号", "客户编号", "member id", "customer id"],
        "mobile": ["手机", "手机号", "手机号码", "联系电话", "mobile", "phone"],
        "kind": ["事件类型", "类型", "kind", "event kind", "type"],
        "occurredAt": ["发生时间", "时间", "日期", "occurred at", "time", "date"],
    ]

    static let lookup: [String: String] = {
        var table: [String: String] = [:]
        for (field, names) in aliases { for name in names { table[CustomerColumns.normalise(name)] = field } }
        return table
    }()

    /// The field a heading names (matched as customer headings are), or `nil` for an attribute column.
    static func field(_ heading: String) -> String? { lookup[CustomerColumns.normalise(heading)] }
}

extension EventIngest {
    func importCSV(_ bytes: [UInt8], dryRun: Bool) async throws -> EventReport {
        let decoded = try await offTheEventLoop { () -> Result<([CSVRecord], TextEncoding), ImportFileProblem> in
            do throws(ImportFileProblem) { return .success(try TabularFile.records(bytes)) } catch {
                return .failure(error)
            }
        }
        let (records, encoding): ([CSVRecord], TextEncoding)
        switch decoded {
        case .success(let read): (records, encoding) = read
        case .failure(let problem): throw AppError(.unprocessableEntity, problem.catalogueEntry.key)
        }
        guard let header = records.first else { throw AppError(.unprocessableEntity, "import.file.empty") }
        let fields = header.fields.map(EventColumns.field)
        guard fields.contains("kind") else { throw AppError(.unprocessableEntity, "events.file.noKind") }
        guard fields.contains("occurredAt") else { throw AppError(.unprocessableEntity, "events.file.noTime") }
        guard fields.contains("memberID") || fields.contains("mobile") else {
            throw AppError(.unprocessableEntity, "events.file.noCustomer")
        }
        var items: [(Int, EventInput)] = []
        for record in records.dropFirst() where !record.fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }) {
            var input = EventInput(kind: "", occurredAt: "")
            var attributes: [String: String] = [:]
            for (index, value) in record.fields.enumerated() where index < header.fields.count {
                let text = value.trimmingWhitespace()
                switch fields[index] {
                case "externalID": input.externalID = text
                case "memberID": input.memberID = text
                case "mobile": input.mobile = text
                case "kind": input.kind = text
                case "occurredAt": input.occurredAt = text
                default: if !text.isEmpty { attributes[header.fields[index].trimmingWhitespace()] = text }
                }
            }
            input.attributes = attributes
            items.append((record.line, input))
        }
        var report = try await run(items, source: "import", allOrNothing: false, dryRun: dryRun)
        report.encoding = encoding.rawValue
        return report
    }
}
