import ArgumentParser
import Foundation
import HuifangCore
import HuifangServer
import Vapor

/// The command line; `main.swift` runs it.
struct Huifang: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huifang",
        abstract: "回访 Huifang: customer follow-up and service quality.",
        discussion: "Settings come from flags, then environment variables:\n"
            + HuifangConfig.variables.map { "  \($0.name): \($0.meaning)" }.joined(separator: "\n"),
        subcommands: [
            Serve.self, Migrate.self, Demo.self, UserCommand.self, TokenCommand.self, ImportCommand.self,
            CalendarCommand.self, PlanCommand.self, EscalateCommand.self, DeliverCommand.self, ReportCommand.self,
            SecretCommand.self, BackupCommand.self, RestoreCommand.self, CustomerCommand.self, RetentionCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// Flags that override the environment's settings.
struct ServerOptions: ParsableArguments {
    @ArgumentParser.Option(name: .customLong("database-url"), help: "Overrides HUIFANG_DATABASE_URL.")
    var databaseURL: String?

    @ArgumentParser.Option(name: .customLong("host"), help: "Overrides HUIFANG_HOST.")
    var hostname: String?

    @ArgumentParser.Option(help: "Overrides HUIFANG_PORT.")
    var port: String?

    /// Reads the configuration, or stops with the variable's name and a non-zero exit.
    func load() throws -> HuifangConfig {
        var overrides: [String: String] = [:]
        overrides["HUIFANG_DATABASE_URL"] = databaseURL
        overrides["HUIFANG_HOST"] = hostname
        overrides["HUIFANG_PORT"] = port
        do {
            let config = try HuifangConfig.load(overrides: overrides)
            LogFormat.bootstrap(config.logFormat)
            return config
        } catch {
            FileHandle.standardError.write(Data("huifang: configuration error: \(error.description)\n".utf8))
            throw ExitCode(78)
        }
    }
}

/// Runs `body` and turns an operation's error into a message and exit code 1.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as OperationError {
        FileHandle.standardError.write(Data("huifang: \(error.description)\n".utf8))
        throw ExitCode.failure
    }
}

/// Starts the HTTP server on a configured, migrated application until interrupted.
func serve(_ config: HuifangConfig, before: ((Application) async throws -> Void)? = nil) async throws {
    let app = try await Application.make(Environment(name: "production", arguments: ["vapor", "serve"]))
    do {
        try await configure(app, config)
        try await migrate(app)
        try await before?(app)
        warnAboutTheSecret(app.huifang, logger: app.logger)
        app.logger.notice("Huifang on http://\(config.hostname):\(config.port) with \(config.databaseDescription)")
        try await app.execute()
        // Stopped (SIGTERM, SIGINT): the server first, which answers the requests in flight and closes their
        // connections (it waits ten seconds at most). Vapor alone would close the databases first (its providers go before its
        // storage, where the server is), and a request still running would find none and stop the process.
        await app.server.shutdown()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// A random secret lasts one run: survey links sent in it stop working at the next start.
func warnAboutTheSecret(_ config: HuifangConfig, logger: Logger) {
    if config.isSecretGenerated {
        logger.critical(
            """
            HUIFANG_SECRET is not set: using a random one for this run only. Survey links sent now STOP WORKING \
            at the next start, and instances sharing the database reject each other's links. Set HUIFANG_SECRET.
            """)
    } else if let path = config.secretFile {
        logger.notice("HUIFANG_SECRET is not set: using the secret kept in \(path); keep it out of database backups.")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrate the database and serve the web app and API (port 8080 by default).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await serve(options.load())
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date, then exit.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let config = try options.load()
        try await Operations.withApplication(config) { _ in }
        print("migrated: \(config.databaseDescription)")
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the demo organisation (departments, a user of each role, customers) and serve it.",
        discussion: "Running it again adds nothing. New accounts' passwords are printed once."
    )

    @OptionGroup var options: ServerOptions

    @ArgumentParser.Option(help: "How many demo customers to load (at least 2000 make a realistic list).")
    var customers = 2400

    @ArgumentParser.Flag(help: "Load the data and exit instead of serving it.")
    var noServe = false

    func run() async throws {
        let config = try options.load()
        let load: (Application) async throws -> Void = { app in
            let summary = try await DemoOrganisation.load(on: app, customers: customers)
            print(Self.describe(summary, config))
            // Into a file or a pipe, standard output is kept in a buffer until it fills or the program ends; the
            // server runs until stopped, so the accounts must be written out now.
            fflush(nil)
        }
        if noServe {
            try await Operations.withApplication(config, load)
        } else {
            try await serve(config, before: load)
        }
    }

    static func describe(_ summary: DemoOrganisation.Summary, _ config: HuifangConfig) -> String {
        let language = config.defaultLanguage
        var lines = ["", "回访 Huifang demo — \(config.databaseDescription)", ""]
        for account in summary.accounts {
            let role = Catalogue.text(account.role.catalogueKey, language)
            let password = account.password ?? "(unchanged; set earlier)"
            lines.append(
                "  \(account.username.padding(toLength: 10, withPad: " ", startingAt: 0)) \(password.padding(toLength: 26, withPad: " ", startingAt: 0)) \(role) \(account.displayName)"
            )
        }
        lines.append("")
        lines.append(
            "  customers: \(summary.customersTotal) (\(summary.customersCreated) new), service events: \(summary.eventsTotal), open follow-up tasks: \(summary.openTasks), open tickets: \(summary.openTickets) (\(summary.escalations) escalations)"
        )
        lines.append(
            "  open http://\(config.hostname == "0.0.0.0" ? "127.0.0.1" : config.hostname):\(config.port)/ and sign in with a username and password above."
        )
        lines.append("  Passwords are shown only when an account is made; keep them now.")
        return lines.joined(separator: "\n")
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user. The password is read from standard input.",
            discussion: "Example: printf '%s\\n' 'a-long-password' | huifang user create --username admin --role admin"
        )

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(help: "Sign-in name: letters, digits, . _ - (2–32).")
        var username: String

        @ArgumentParser.Option(help: "One of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
        var role: String

        @ArgumentParser.Option(help: "Display name (default: the username).")
        var name: String?

        @ArgumentParser.Option(help: "Department name.")
        var department: String?

        @ArgumentParser.Option(help: "Email address for escalations and urgent complaints.")
        var email: String?

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let config = try options.load()
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("give the password on standard input")
            }
            try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.createUser(
                        on: app, username: username, displayName: name, role: role,
                        department: department, password: line, email: email)
                }
            }
            print("created \(username.lowercased()) (\(role.rawValue))")
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.",
        subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token for a user and print it once.")

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(help: "The user the token acts as.")
        var username: String

        @ArgumentParser.Option(help: "What the token is for.")
        var name = "cli"

        func run() async throws {
            let config = try options.load()
            let token = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.createToken(on: app, username: username, name: name)
                }
            }
            print(token)
        }
    }
}

extension TokenCommand {
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every API token of a user at once.")

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(help: "The user whose tokens stop working.")
        var username: String

        func run() async throws {
            let config = try options.load()
            let count = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.revokeTokens(on: app, username: username)
                }
            }
            print("revoked \(count) token(s) of \(username)")
        }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import data from files.",
        subcommands: [Customers.self, Events.self, Sample.self])

    /// The file and the flags every import takes.
    struct FileOptions: ParsableArguments {
        @ArgumentParser.Argument(help: "The CSV file.")
        var file: String

        @ArgumentParser.Flag(help: "Check the file and report, writing nothing.")
        var dryRun = false

        @ArgumentParser.Flag(help: "Print the report as JSON.")
        var json = false

        /// Reads the file, runs `body` on a migrated application, prints its report and exits 1 when a row was refused.
        func run(
            _ options: ServerOptions,
            _ body: @escaping (Application, [UInt8], String) async throws -> (output: String, hasProblems: Bool)
        ) async throws {
            let config = try options.load()
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let name = (file as NSString).lastPathComponent
            let (output, hasProblems) = try await reportingErrors {
                try await Operations.withApplication(config) { app in try await body(app, Array(data), name) }
            }
            print(output)
            if hasProblems { throw ExitCode.failure }
        }
    }

    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import customers from a CSV file (UTF-8 or GBK/GB18030, Chinese or English headings).",
            discussion:
                "Matches existing customers by member ID (会员编号), else by mobile. Exits 1 when any row was refused."
        )

        @OptionGroup var options: ServerOptions
        @OptionGroup var input: FileOptions

        @ArgumentParser.Flag(help: "Write nothing if any row is refused.")
        var strict = false

        func run() async throws {
            let (dryRun, strict, json) = (input.dryRun, strict, input.json)
            try await input.run(options) { app, bytes, name in
                try await Operations.importCustomers(
                    on: app, bytes: bytes, fileName: name, dryRun: dryRun, strict: strict, json: json)
            }
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Import service events from a CSV file (UTF-8 or GBK; 事件编号, 会员编号 or 手机, 事件类型, 发生时间; other columns become attributes).",
            discussion: "Idempotent by 事件编号. Good rows are applied; exits 1 when any row was refused."
        )

        @OptionGroup var options: ServerOptions
        @OptionGroup var input: FileOptions

        func run() async throws {
            let (dryRun, json) = (input.dryRun, input.json)
            try await input.run(options) { app, bytes, name in
                try await Operations.importEvents(on: app, bytes: bytes, fileName: name, dryRun: dryRun, json: json)
            }
        }
    }

    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a realistic sample customer file, to try the import or measure it.")

        @ArgumentParser.Option(help: "Number of rows.")
        var rows = 1000

        @ArgumentParser.Option(help: "utf8 or gbk (CSV).")
        var encoding = "utf8"

        @ArgumentParser.Option(help: "csv, or xlsx for an Excel workbook.")
        var format = "csv"

        func run() async throws {
            let csv = SampleCustomers(today: LocalDate.today(in: TimeZone(identifier: "Asia/Shanghai")!, now: Date()))
                .csv(count: rows)
            switch format.lowercased() {
            case "csv": break
            case "xlsx":
                return FileHandle.standardOutput.write(Data(try Operations.workbook(fromCSV: csv, sheet: "客户")))
            default: throw ValidationError("--format must be csv or xlsx")
            }
            switch encoding.lowercased() {
            case "utf8", "utf-8": FileHandle.standardOutput.write(Data(csv.utf8))
            case "gbk", "gb18030":
                guard let bytes = TextDecoding.encodeGB18030(csv) else {
                    throw ValidationError("could not encode as GB18030")
                }
                FileHandle.standardOutput.write(Data(bytes))
            default: throw ValidationError("--encoding must be utf8 or gbk")
            }
        }
    }
}
