import Fluent
import FluentPostgresDriver
import Foundation
import HuifangCore
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// A configured, migrated application on a database of its own: in-memory
/// SQLite, or a new PostgreSQL database when `HUIFANG_TEST_DATABASE_URL` names a server.
/// `embedded` keeps the SQLite database the environment names even when the suite runs on PostgreSQL (for what
/// only the embedded database has, such as `huifang backup`).
/// Its job leases last ten minutes: twelve tests at once on two cores can keep a heartbeat from running for
/// longer than the product's minute, and a test that is slow must not turn into a run that lost its lease.
/// Tests of lapsing leases give their runs short terms or a clock of their own.
func withHuifang(
    _ environment: [String: String] = [:], embedded: Bool = false, _ test: (Application) async throws -> Void
) async throws {
    var config = try HuifangConfig.load(
        environment: [
            "HUIFANG_BCRYPT_COST": "4", "HUIFANG_PLAN_AT": "off", "HUIFANG_ESCALATE_EVERY": "off",
            "HUIFANG_DELIVER_EVERY": "off", "HUIFANG_JOB_LEASE_SECONDS": "600",
        ].merging(environment) { $1 })
    let app = try await Application.make(.testing)
    var throwaway: String?
    do {
        if !embedded, let adminURL = ProcessInfo.processInfo.environment["HUIFANG_TEST_DATABASE_URL"] {
            let (url, name) = try await makeDatabase(adminURL: adminURL, on: app)
            config.database = .postgres(url: url)
            throwaway = name
        } else if environment["HUIFANG_DATABASE_URL"] == nil {
            config.database = .sqliteMemory
        }
        try await configure(app, config)
        try await migrate(app)
        try await test(app)
    } catch {
        await dropDatabase(throwaway, on: app)
        try? await app.asyncShutdown()
        throw error
    }
    await dropDatabase(throwaway, on: app)
    try await app.asyncShutdown()
}

/// Drops a test's own PostgreSQL database (its connections with it), so runs do not fill the disk.
private func dropDatabase(_ name: String?, on app: Application) async {
    guard let name else { return }
    try? await app.db(DatabaseID(string: "admin")).sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
}

private func makeDatabase(adminURL: String, on app: Application) async throws -> (url: String, name: String) {
    let admin = DatabaseID(string: "admin")
    app.databases.use(try .postgres(url: adminURL), as: admin, isDefault: false)
    let name = "huifang_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try await app.db(admin).sql.raw("CREATE DATABASE \(ident: name) TEMPLATE template0 ENCODING 'UTF8'").run()
    var components = URLComponents(string: adminURL)!
    components.path = "/" + name
    return (components.string!, name)
}

/// A client of the real server on a loopback port: the peer address is 127.0.0.1, and bodies are streamed and
/// limited as from a browser (the in-memory tester hands over bodies whole).
func live(_ app: Application) -> LiveClient { LiveClient(app: app) }

/// Serves `app` for each request, as VaporTesting's own live tester does, but waits for the answer as long as a busy
/// machine needs: that tester gives up after a fixed 30 s, which failed CI while the whole suite shared two cores, and
/// how soon an answer comes is not what these tests check (a hung server still ends the test, after ten minutes).
struct LiveClient: Sendable {
    let app: Application

    func sendRequest(
        _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil
    ) async throws -> LiveResponse {
        try await serving(app) { port in
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            do {
                let request = try HTTPClient.Request(
                    url: "http://127.0.0.1:\(port)\(path)", method: method, headers: headers,
                    body: body.map { .byteBuffer($0) })
                let response = try await client.execute(request: request, deadline: .now() + .minutes(10)).get()
                try await client.shutdown()
                return LiveResponse(status: response.status, headers: response.headers, body: response.body ?? .init())
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }
}

/// An answer of the real server.
struct LiveResponse: Sendable {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let body: ByteBuffer

    func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }
}

/// A page of a keyset-paged list, as every list API returns it.
struct ListPage<Item: Decodable>: Decodable {
    let items: [Item]
    let nextCursor: String?
}

/// A user of `role` with a known password.
@discardableResult
func makeUser(_ app: Application, _ role: Role, username: String? = nil, department: UUID? = nil) async throws -> (
    user: User, password: String
) {
    let password = "password-\(role.rawValue)"
    let service = UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date())
    let user = try await service.create(
        .init(
            username: username ?? "\(role.rawValue)1", displayName: "测试\(role.rawValue)",
            role: role, departmentID: department, password: password))
    return (user, password)
}

func makeToken(_ app: Application, _ user: User) async throws -> String {
    try await UserService(db: app.db, passwords: app.password.async, actor: .commandLine(), now: Date()).createToken(
        for: user, name: "test"
    ).token
}

func bearer(_ token: String) -> HTTPHeaders {
    var headers = HTTPHeaders()
    headers.bearerAuthorization = BearerAuthorization(token: token)
    return headers
}

func json(_ value: some Encodable, headers: HTTPHeaders = [:]) throws -> (HTTPHeaders, ByteBuffer) {
    var headers = headers
    headers.contentType = .json
    return (headers, ByteBuffer(data: try JSONEncoder().encode(value)))
}

/// An API call with a bearer token and, when given, a JSON body.
func send(
    _ app: Application, _ method: HTTPMethod, _ path: String, token: String,
    body: (some Encodable)? = Optional<String>.none
) async throws -> TestingHTTPResponse {
    var headers = bearer(token)
    var buffer = ByteBuffer()
    if let body { (headers, buffer) = try json(body, headers: headers) }
    return try await app.testing().performTest(
        request: .init(method: method, url: .init(path: path), headers: headers, body: buffer))
}

/// Drives the pages as a browser would: keeps the session cookie and sends the page's CSRF token.
struct PageClient {
    let app: Application
    var cookie: String?
    var csrf: String?
    var language: String?

    init(_ app: Application) { self.app = app }

    /// A signed-in session of `username`.
    static func signedIn(_ app: Application, _ username: String, _ password: String) async throws -> PageClient {
        var client = PageClient(app)
        let response = try await client.signIn(username, password)
        #expect(response.status == .seeOther, "sign-in of \(username)")
        _ = try await client.get("/")
        return client
    }

    mutating func signIn(_ username: String, _ password: String) async throws -> TestingHTTPResponse {
        _ = try await get("/login")
        return try await post("/login", form: ["username": username, "password": password])
    }

    @discardableResult
    mutating func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: [:], body: nil)
    }

    @discardableResult
    mutating func post(_ path: String, form: [String: String], csrf override: String? = nil) async throws
        -> TestingHTTPResponse
    {
        var fields = form
        fields["_csrf"] = override ?? csrf ?? ""
        let body = fields.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    mutating func upload(_ path: String, file: [UInt8], fileName: String, fields: [String: String] = [:]) async throws
        -> TestingHTTPResponse
    {
        let boundary = "----huifang\(UUID().uuidString)"
        var body = ByteBuffer()
        var all = fields
        all["_csrf"] = csrf ?? ""
        for (name, value) in all {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        body.writeBytes(file)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: body)
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?)
        async throws -> TestingHTTPResponse
    {
        var headers = headers
        var cookies: [String] = []
        if let cookie { cookies.append("huifang_session=\(cookie)") }
        if let language { cookies.append("lang=\(language)") }
        if !cookies.isEmpty { headers.replaceOrAdd(name: .cookie, value: cookies.joined(separator: "; ")) }
        var captured: TestingHTTPResponse?
        try await app.testing().test(method, path, headers: headers, body: body) { response in
            captured = response
        }
        let response = captured!
        if let set = response.headers.setCookie?["huifang_session"] {
            cookie = set.expires.map { $0 < Date() } == true ? nil : set.string
        }
        if let token = Self.metaCSRF(response.body.string) { csrf = token }
        return response
    }

    static func metaCSRF(_ html: String) -> String? {
        guard let range = html.range(of: "<meta name=\"csrf-token\" content=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    private func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// An open phone task of `customer` for `agent` (three attempts, no script or windows), planned on 2 March 2026, due
/// and with its deadline as given (local times). Not saved: tests set what they look at, then create it.
func openTask(customer: Int, agent: UUID?, due: String, deadline: String) -> FollowUpTask {
    let task = FollowUpTask()
    task.$customer.id = customer
    task.status = .open
    task.priority = 2
    task.channel = "phone"
    task.script = ""
    task.requiredSkill = ""
    task.maxAttempts = 3
    task.attempts = 0
    task.contactWindows = ""
    task.dueOn = String(due.prefix(10))
    task.deadlineOn = String(deadline.prefix(10))
    task.dueAt = shanghai(due)
    task.deadlineAt = shanghai(deadline)
    task.plannedOn = "2026-03-02"
    task.$assignedAgent.id = agent
    return task
}
