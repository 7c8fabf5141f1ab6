import Fluent
import Foundation
import VaporTesting

@testable import HuifangServer

/// `POST /login` as a script sends it: no session, no page first, `extra` headers added.
func postLogin(
    _ tester: any TestingApplicationTester, _ username: String, _ password: String,
    headers extra: HTTPHeaders = [:], next: String? = nil
) async throws -> TestingHTTPResponse {
    let (headers, body) = loginForm(username, password, headers: extra, next: next)
    return try await tester.sendRequest(.POST, "/login", headers: headers, body: body)
}

/// `POST /login` to the real server, from a loopback address.
func postLogin(
    _ server: LiveClient, _ username: String, _ password: String, headers extra: HTTPHeaders = [:]
) async throws -> LiveResponse {
    let (headers, body) = loginForm(username, password, headers: extra, next: nil)
    return try await server.sendRequest(.POST, "/login", headers: headers, body: body)
}

private func loginForm(
    _ username: String, _ password: String, headers extra: HTTPHeaders, next: String?
) -> (HTTPHeaders, ByteBuffer) {
    var fields = ["username": username, "password": password]
    if let next { fields["next"] = next }
    let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
    var headers = HTTPHeaders()
    headers.contentType = .urlEncodedForm
    for (name, value) in extra { headers.add(name: name, value: value) }
    return (headers, ByteBuffer(string: body.joined(separator: "&")))
}

/// How many audit entries have `action`.
func auditCount(_ app: Application, _ action: String) async throws -> Int {
    try await AuditEntry.query(on: app.db).filter(\.$action == action).count()
}
