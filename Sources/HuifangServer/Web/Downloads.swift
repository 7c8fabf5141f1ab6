import Foundation
import HuifangCore
import Vapor

/// Downloads hold personal data: no browser or proxy keeps them (`Cache-Control: no-store`).
///
/// A CSV file to download. The text comes from `CSVWriter`, the one writer that quotes and neutralises cells.
func csvResponse(_ document: String, name: String) -> Response {
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
    headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
    headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    return Response(status: .ok, headers: headers, body: .init(string: document))
}

/// A workbook to download.
func xlsxResponse(_ bytes: [UInt8], name: String) -> Response {
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(
        type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
    headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    return Response(status: .ok, headers: headers, body: .init(data: Data(bytes)))
}

/// A ZIP archive to download.
func zipResponse(_ bytes: [UInt8], name: String) -> Response {
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(type: "application", subType: "zip")
    headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
    headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    return Response(status: .ok, headers: headers, body: .init(data: Data(bytes)))
}
