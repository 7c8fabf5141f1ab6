import Fluent
import Foundation
import VaporTesting

@testable import HuifangServer

/// `POST /login` as a script sends it: no session, no page first, `extra` headers added.
func postLogin(
    _ tester: any TestingApplicationTester, _ username: String, _ password: String,
    headers extra: HTTPHeaders = [:], next: String? = nil
) async throws -> TestingHTTPResponse {
    var fields = ["username": username, "password": password]
    if let next { fields["next"] = next }
    let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
    var headers = HTTPHeaders()
    headers.contentType = .urlEncodedForm
    for (name, value) in extra { headers.add(name: name, value: value) }
    let buffer = ByteBuffer(string: body.joined(separator: "&"))
    return try await tester.sendRequest(.POST, "/login", headers: headers, body: buffer)
}

/// How many audit entries have `action`.
func auditCount(_ app: Application, _ action: String) async throws -> Int {
    try await AuditEntry.query(on: app.db).filter(\.$action == action).count()
}
