import Foundation
import HuifangCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `huifang` binary as an operator would.
@Suite(.serialized) struct CommandLineTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
        let output: Data
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["HUIFANG_BIN"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug/huifang")
    }

    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huifang-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    var database: String { "sqlite:" + directory.appendingPathComponent("cli.sqlite").path }

    func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) async throws -> Run {
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HUIFANG_") }
            .merging(["HUIFANG_BCRYPT_COST": "4"].merging(environment) { $1 }) { $1 }
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        let child = try Spawned(
            Self.binary, arguments, environment: environment, directory: directory,
            stdin: stdin.fileHandleForReading.fileDescriptor,
            stdout: out.fileHandleForWriting.fileDescriptor,
            stderr: err.fileHandleForWriting.fileDescriptor)
        // The child has its own copies; ours must close for its output to end.
        for handle in [stdin.fileHandleForReading, out.fileHandleForWriting, err.fileHandleForWriting] {
            try handle.close()
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        async let stdout = out.fileHandleForReading.readToEnd()
        async let stderr = err.fileHandleForReading.readToEnd()
        let (o, e) = try await (stdout, stderr)
        let status = await child.exitStatus()
        return Run(
            status: status, stdout: String(decoding: o ?? Data(), as: UTF8.self),
            stderr: String(decoding: e ?? Data(), as: UTF8.self), output: o ?? Data())
    }

    @Test func everyCommandExplainsItself() async throws {
        let help = try await run(["--help"])
        for command in ["serve", "migrate", "demo", "user", "token", "import"] {
            #expect(help.stdout.contains(command))
        }
        #expect(help.stdout.contains("HUIFANG_DATABASE_URL"))
        let importHelp = try await run(["import", "customers", "--help"])
        #expect(importHelp.stdout.contains("--dry-run") && importHelp.stdout.contains("--strict"))
        #expect(try await run(["user", "create", "--help"]).stdout.contains("standard input"))
    }

    @Test func aWrongSettingStopsStartUpNamingTheVariable() async throws {
        let port = try await run(["migrate"], environment: ["HUIFANG_PORT": "eighty"])
        #expect(port.status == 78)
        #expect(port.stderr.contains("HUIFANG_PORT=eighty must be a whole number"))
        let url = try await run(["serve", "--database-url", "mysql://x"])
        #expect(url.status == 78)
        #expect(url.stderr.contains("HUIFANG_DATABASE_URL"))
    }

    @Test func createsUsersWithPasswordsFromStandardInputAndTokens() async throws {
        let created = try await run(
            ["user", "create", "--database-url", database, "--username", "Admin", "--role", "admin"],
            input: "a-long-password\n")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created admin (admin)"))
        let again = try await run(
            ["user", "create", "--database-url", database, "--username", "admin", "--role", "admin"],
            input: "a-long-password\n")
        #expect(again.status == 1)
        #expect(again.stderr.contains("username"))
        let weak = try await run(
            ["user", "create", "--database-url", database, "--username", "li", "--role", "agent"], input: "short\n")
        #expect(weak.status == 1 && weak.stderr.contains("password"))
        let badRole = try await run(
            ["user", "create", "--database-url", database, "--username", "li", "--role", "boss"], input: "long-enough\n"
        )
        #expect(badRole.status != 0 && badRole.stderr.contains("--role must be one of"))
        let token = try await run(["token", "create", "--database-url", database, "--username", "admin"])
        #expect(token.status == 0)
        #expect(
            token.stdout.hasPrefix("hf_") && token.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 67)
    }

    @Test func revokesEveryTokenOfAUserAtOnce() async throws {
        let created = try await run(
            [
                "user", "create", "--database-url", database, "--username", "li",
                "--role", "agent",
            ], input: "a-long-password\n")
        #expect(created.status == 0, "\(created.stderr)")
        for _ in 1...2 {
            #expect(try await run(["token", "create", "--database-url", database, "--username", "li"]).status == 0)
        }
        let revoked = try await run(["token", "revoke", "--database-url", database, "--username", "li"])
        #expect(revoked.status == 0 && revoked.stdout.contains("revoked 2 token(s) of li"), "\(revoked.stderr)")
        let unknown = try await run(["token", "revoke", "--database-url", database, "--username", "nobody"])
        #expect(unknown.status == 1 && unknown.stderr.contains("nobody"))
    }

    @Test func importsAGBKFileReportingBadRowsAndExitingNonZero() async throws {
        let csv = "会员编号,姓名,手机,会员等级\nHY1,王芳,13812345678,金卡\nHY2,李娜,138,普通\nHY3,张伟,13912345678,钻石卡\n"
        let file = directory.appendingPathComponent("会员.csv")
        try Data(TextDecoding.encodeGB18030(csv)!).write(to: file)

        let dry = try await run(["import", "customers", file.path, "--dry-run", "--json", "--database-url", database])
        #expect(dry.status == 1)
        #expect(dry.stdout.contains("\"created\" : 1") && dry.stdout.contains("\"applied\" : false"))

        let strict = try await run(["import", "customers", file.path, "--strict", "--database-url", database])
        #expect(strict.stdout.contains("严格模式下发现错误，未导入任何数据"))

        let real = try await run(["import", "customers", file.path, "--database-url", database])
        #expect(real.status == 1)
        #expect(real.stdout.contains("GBK/GB18030"))
        #expect(real.stdout.contains("行号 3  手机  \"138\""))
        #expect(real.stdout.contains("行号 4  会员等级  \"钻石卡\""))
        #expect(real.stdout.contains("新增: 1"))

        let clean = directory.appendingPathComponent("ok.csv")
        try Data("name,mobile\n王芳,13812345678\n".utf8).write(to: clean)
        let ok = try await run(["import", "customers", clean.path, "--database-url", database])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("全部导入成功"))

        let missing = try await run([
            "import", "customers", directory.appendingPathComponent("nope.csv").path, "--database-url", database,
        ])
        #expect(missing.status != 0 && missing.stderr.contains("cannot read"))
    }

    @Test func printsASampleFileInGBK() async throws {
        let sample = try await run(["import", "sample", "--rows", "3", "--encoding", "gbk"])
        #expect(sample.status == 0)
        let decoded = try #require(TextDecoding.decode(Array(sample.output)))
        #expect(decoded.encoding == .gb18030)
        let lines = String(decoding: decoded.utf8, as: UTF8.self).split(separator: "\r\n")
        #expect(lines.first == "会员编号,姓名,手机,性别,生日,注册日期,会员等级,标签,邮箱,专属客服,同意回访,免打扰,备注")
        #expect(lines.count == 4)
    }

    @Test func answersCalendarQuestionsInAFormScriptsCanRead() async throws {
        let db = ["--database-url", database]
        #expect(
            try await run(["calendar", "workdays", "--from", "2025-01-01", "--to", "2025-12-31"] + db).stdout == "248\n"
        )
        #expect(
            try await run(["calendar", "add-workdays", "--from", "2024-09-30", "--days", "1"] + db).stdout
                == "2024-10-08\n")
        #expect(
            try await run(["calendar", "add-hours", "--from", "2024-09-30T16:00", "--hours", "4", "--working"] + db)
                .stdout == "2024-10-08T11:00\n")
        #expect(
            try await run(["calendar", "add-hours", "--from", "2024-09-30T16:00", "--hours", "4"] + db).stdout
                == "2024-09-30T20:00\n")
        let show = try await run(["calendar", "show", "--year", "2025"] + db).stdout.split(separator: "\n")
        #expect(show.first == "2025-01-01 holiday 元旦")
        #expect(show.contains("2025-01-26 workday 春节"))
        #expect(show.contains("2025-10-11 workday 国庆节、中秋节"))
        let bad = try await run(["calendar", "add-workdays", "--from", "2024-02-30", "--days", "1"] + db)
        #expect(bad.status == 1 && bad.stderr.contains("from=2024-02-30"))

        let file = directory.appendingPathComponent("2027.txt")
        try Data("year 2027\nholiday 2027-01-01..2027-01-03 元旦\nworkday 2027-01-09 元旦\n".utf8).write(to: file)
        #expect(try await run(["calendar", "import", file.path] + db).stdout.contains("4 dates"))
        #expect(
            try await run(["calendar", "add-workdays", "--from", "2026-12-31", "--days", "1"] + db).stdout
                == "2027-01-04\n")
    }

    @Test func theDemoLoadsOnceAndPrintsPasswordsOnce() async throws {
        let first = try await run(["demo", "--no-serve", "--customers", "2000", "--database-url", database])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("customers: 2000 (2000 new)"))
        #expect(first.stdout.contains("admin") && first.stdout.contains("系统管理员"))
        #expect(!first.stdout.contains("unchanged; set earlier"))
        let second = try await run(["demo", "--no-serve", "--customers", "2000", "--database-url", database])
        #expect(second.stdout.contains("customers: 2000 (0 new)"))
        // Events and today's plan load once: the second run finds the same numbers.
        let counts = { (output: String) in
            output.range(of: "service events:").map { String(output[$0.lowerBound...].prefix { $0 != "\n" }) }
        }
        #expect(counts(first.stdout) != nil && counts(first.stdout) == counts(second.stdout))
        #expect(counts(first.stdout)?.contains("open follow-up tasks: 0") == false)
        #expect(second.stdout.contains("unchanged; set earlier"))
        #expect(
            first.stdout.contains("open tickets: 5") && !first.stdout.contains("(0 escalations)"), "\(first.stdout)")

        // The demo's overdue tickets were escalated as it loaded: a later sweep finds nothing new.
        let sweep = try await run(
            ["escalate", "--json", "--database-url", database], environment: ["HUIFANG_PLAN_AT": "off"])
        #expect(sweep.status == 0 && sweep.stdout.contains("\"escalations\" : 0"), "\(sweep.stdout)\(sweep.stderr)")
    }

    @Test func theDemoWritesItsAccountsAtOnceThoughItsOutputIsAPipe() async throws {
        // setup: the demo loading and then serving, its standard output a pipe as under `| tee` or in a service
        let out = Pipe()
        let null = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/null"))
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HUIFANG_") }
            .merging(["HUIFANG_BCRYPT_COST": "4", "HUIFANG_PLAN_AT": "off"]) { $1 }
        let arguments = [
            "demo", "--customers", "300", "--database-url", database, "--host", "127.0.0.1", "--port",
            String(try Self.freePort()),
        ]
        let child = try Spawned(
            Self.binary, arguments, environment: environment, directory: directory, stdin: null.fileDescriptor,
            stdout: out.fileHandleForWriting.fileDescriptor, stderr: null.fileDescriptor)
        try out.fileHandleForWriting.close()
        try null.close()
        // A demo that never writes its accounts would be read forever: it is stopped after ten minutes, which ends
        // its output and fails the test.
        let watchdog = child.watchdog(.seconds(600))
        defer {
            watchdog.cancel()
            child.kill()
        }
        // MUT: read its output while it runs
        let text = await Self.read(out.fileHandleForReading, until: "Passwords are shown only")
        // validation
        #expect(text.contains("admin") && text.contains("系统管理员") && text.contains("customers: 300"), "\(text)")
        #expect(child.isRunning, "the accounts were read while the demo went on to serve")
    }

    /// Stopping the server (SIGTERM, as a deploy or systemd does) while a request is on its way: the request is
    /// answered, then the process ends cleanly — the databases are not closed under a request still running.
    @Test func aStoppedServerAnswersTheRequestInFlightThenEnds() async throws {
        // setup: a supervisor's token, the server running, its log kept
        let user = ["--database-url", database, "--username", "zhuguan"]
        let created = try await run(["user", "create"] + user + ["--role", "supervisor"], input: "a-long-password\n")
        #expect(created.status == 0, "\(created.stderr)")
        let token = try await run(["token", "create"] + user).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try Self.freePort()
        let log = directory.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let (logHandle, null) = (
            try FileHandle(forWritingTo: log), try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/null"))
        )
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HUIFANG_") }
            .merging(["HUIFANG_PLAN_AT": "off", "HUIFANG_ESCALATE_EVERY": "off", "HUIFANG_DELIVER_EVERY": "off"]) { $1 }
        let child = try Spawned(
            Self.binary, ["serve", "--database-url", database, "--host", "127.0.0.1", "--port", String(port)],
            environment: environment, directory: directory, stdin: null.fileDescriptor,
            stdout: logHandle.fileDescriptor, stderr: logHandle.fileDescriptor)
        try logHandle.close()
        try null.close()
        // A server that does not stop is killed after a minute, which ends its answer and fails the test.
        let watchdog = child.watchdog(.seconds(60))
        defer {
            watchdog.cancel()
            child.kill()
        }
        let connection = try await Self.connect(port: port)
        defer { close(connection) }

        // MUT: a ticket's request sent up to part of its body; the server told to stop; the rest of the body
        let body = Data(#"{"kind":"complaint","description":"门店等待时间过长，顾客要求回电"}"#.utf8)
        let head =
            "POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        try Self.send(Data(head.utf8) + body.prefix(10), on: connection)
        try await Task.sleep(for: .seconds(1))  // the server has read the head: the request is in flight
        kill(child.pid, SIGTERM)
        try await Self.waitUntilRefused(port: port)  // the server is stopping: it takes no new connection
        try Self.send(body.dropFirst(10), on: connection)
        let answer = await Self.read(FileHandle(fileDescriptor: connection), until: "\r\n\r\n")

        // validation: the ticket was opened and answered, and the server ended without an error
        let status = await child.exitStatus()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(answer.hasPrefix("HTTP/1.1 201"), "\(answer)\n\(output)")
        #expect(status == 0, "\(output)")
    }

    /// A connection to the loopback `port`, once something listens there (a server starting takes a while).
    static func connect(port: Int, tries: Int = 600) async throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for attempt in 1...tries {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            if connected { return socket }
            close(socket)
            if attempt < tries { try await Task.sleep(for: .milliseconds(100)) }
        }
        throw SpawnError(message: "nothing listens on port \(port)")
    }

    /// Returns once a connection to the loopback `port` is refused (at most after a minute).
    static func waitUntilRefused(port: Int) async throws {
        for _ in 0..<600 {
            guard let socket = try? await connect(port: port, tries: 1) else { return }
            close(socket)
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SpawnError(message: "port \(port) still takes connections")
    }

    /// Writes all of `data` to `socket` (without SIGPIPE if the other end has gone: an error instead).
    static func send(_ data: Data, on socket: Int32) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var sent = 0
            while sent < bytes.count {
                let written = Glibc.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                guard written > 0 else { throw SpawnError(message: "send: \(String(cString: strerror(errno)))") }
                sent += written
            }
        }
    }

    /// What `handle` gives until `marker` has come or the output ends, read on a thread of its own (reading blocks).
    static func read(_ handle: FileHandle, until marker: String) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var data = Data()
                while true {
                    let chunk = handle.availableData
                    data.append(chunk)
                    if chunk.isEmpty || String(decoding: data, as: UTF8.self).contains(marker) { break }
                }
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw SpawnError(message: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func importsEventsThenPlansADayOnceFromTheCommandLine() async throws {
        let customers = directory.appendingPathComponent("members.csv")
        try Data("会员编号,姓名,手机,会员等级,注册日期\r\nHY1,林小雨,13600001111,金卡,2024-01-05\r\n".utf8).write(to: customers)
        #expect(try await run(["import", "customers", customers.path, "--database-url", database]).status == 0)
        let events = directory.appendingPathComponent("events.csv")
        let csv = "事件编号,会员编号,事件类型,发生时间,科室\r\nE1,HY1,出院,2025-09-26 10:00,心内科\r\nE2,HY9,出院,2025-09-26,骨科\r\n"
        try Data(TextDecoding.encodeGB18030(csv)!).write(to: events)
        let imported = try await run(["import", "events", events.path, "--database-url", database])
        #expect(imported.status == 1, "a refused row makes the exit code 1")
        #expect(imported.stdout.contains("GBK") && imported.stdout.contains("3") && imported.stdout.contains("HY9"))
        let again = try await run(["import", "events", events.path, "--json", "--database-url", database])
        #expect(again.stdout.contains("\"unchanged\" : 1"))

        let first = try await run(
            ["plan", "--as-of", "2025-10-03", "--json", "--database-url", database],
            environment: ["HUIFANG_PLAN_AT": "off"])
        #expect(first.status == 0)
        #expect(first.stdout.contains("\"tasksCreated\" : 1"), "\(first.stdout)\(first.stderr)")
        let second = try await run(
            ["plan", "--as-of", "2025-10-03", "--database-url", database], environment: ["HUIFANG_PLAN_AT": "off"])
        #expect(second.stdout.contains("新建任务: 0"))
        let bad = try await run(["plan", "--as-of", "2025-13-01", "--database-url", database])
        #expect(bad.status != 0 && bad.stderr.contains("--as-of"))
    }

    @Test func exportsACustomersDataToAZipInTheCurrentDirectoryAndNeverOverwritesIt() async throws {
        // setup
        let customers = directory.appendingPathComponent("members.csv")
        try Data("会员编号,姓名,手机,会员等级,注册日期\r\nHY1,林小雨,13600001111,金卡,2024-01-05\r\n".utf8).write(to: customers)
        #expect(try await run(["import", "customers", customers.path, "--database-url", database]).status == 0)
        // MUT
        let exported = try await run(["customer", "export", "1", "--database-url", database])
        let again = try await run(["customer", "export", "1", "--database-url", database])
        let unknown = try await run(["customer", "export", "99", "--output", "x.zip", "--database-url", database])
        // validation
        #expect(exported.status == 0 && exported.stdout.contains("customer-1.zip"), "\(exported.stderr)")
        let archive = try #require(
            FileManager.default.contents(atPath: directory.appendingPathComponent("customer-1.zip").path))
        #expect(archive.starts(with: [0x50, 0x4b, 0x03, 0x04]))
        let files = try ZipFile.read([UInt8](archive))
        #expect(String(decoding: files["customer-1.json"] ?? [], as: UTF8.self).contains("\"name\" : \"林小雨\""))
        #expect(again.status == 1 && again.stderr.contains("customer-1.zip"))
        #expect(unknown.status == 1 && unknown.stderr.contains("99"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.zip").path))
    }

    @Test func rotatesTheSurveyLinkKeyWithAGraceAndKeepsTheSecretBesideTheDatabase() async throws {
        // MUT
        let rotated = try await run(["secret", "rotate", "--grace-days", "3", "--database-url", database])
        let again = try await run(["secret", "rotate", "--database-url", database])
        let bad = try await run(["secret", "rotate", "--grace-days", "400", "--database-url", database])
        // validation
        #expect(rotated.status == 0 && rotated.stdout.hasPrefix("survey link key 2 is current"), "\(rotated.stderr)")
        #expect(again.status == 0 && again.stdout.hasPrefix("survey link key 3 is current"))
        #expect(bad.status != 0 && bad.stderr.contains("--grace-days"))
        let secret = directory.appendingPathComponent("cli.sqlite.secret").path
        let mode = try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int
        #expect(mode == 0o600, "made once without HUIFANG_SECRET, readable by its owner only")
    }
}
