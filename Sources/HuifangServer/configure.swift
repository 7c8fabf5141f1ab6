import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import SQLKit
import Vapor

extension Application {
    private struct ConfigKey: StorageKey {
        typealias Value = HuifangConfig
    }

    /// The configuration this application was configured with.
    public var huifang: HuifangConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:_:) was not called") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }
}

/// Where templates and static files are: the package's resource bundle.
enum Resources {
    static var root: URL {
        if let override = ProcessInfo.processInfo.environment["HUIFANG_RESOURCES"] {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return Bundle.module.bundleURL.appendingPathComponent("Resources", isDirectory: true)
    }
}

/// Sets up the database, sessions, templates, middleware and routes. Does not migrate.
// Long: every part of the application in the order the parts depend on (database, sessions, views, middleware, jobs).
public func configure(_ app: Application, _ config: HuifangConfig) async throws {
    let config = try config.withStoredSecret()
    app.huifang = config
    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port
    // Uploads allow HUIFANG_MAX_UPLOAD_MB on their own routes only (`upload(_:use:)`).
    app.routes.defaultMaxBodySize = "1mb"
    app.passwords.use(.bcrypt(cost: config.bcryptCost))

    switch config.database {
    case .sqliteFile(let path):
        app.databases.use(DatabaseConfigurationFactory { SerialSQLiteConfiguration(path: path) }, as: .sqlite)
    case .sqliteMemory:
        // A file of its own in the temporary directory, so the readers and the writer share the database.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "huifang-memory-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).sqlite"
        ).path
        app.databases.use(
            DatabaseConfigurationFactory { SerialSQLiteConfiguration(path: path, temporary: true) }, as: .sqlite)
    case .postgres(let url):
        // A busy moment makes requests wait their turn for a connection rather than fail after the default 10 s.
        app.databases.use(
            try .postgres(
                url: url, maxConnectionsPerEventLoop: 4,
                connectionPoolTimeout: SerialSQLiteConfiguration.writerQueueTimeout), as: .psql)
    }
    app.callListPages = CallListPages()
    if case .postgres(let url) = config.database {
        try app.useChangeNotices(postgresURL: url)
    } else {
        try app.useChangeNotices(postgresURL: nil)
    }
    switch config.database {
    case .postgres: break
    case .sqliteFile, .sqliteMemory:
        // WAL: readers do not wait for the writer. The other settings: `SerialSQLiteDatabase.connectionSettings`.
        try await SerialSQLiteDatabase.configureConnections(of: app.databases, id: .sqlite, logger: app.logger)
    }
    app.registerMigrations()

    app.sessions.use(.fluent)
    app.sessions.configuration = SessionsConfiguration(cookieName: "huifang_session") { id in
        HTTPCookies.Value(
            string: id.string, expires: Date().addingTimeInterval(config.sessionMaxAge),
            maxAge: Int(config.sessionMaxAge),
            path: "/", isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    let resources = Resources.root
    app.views.use(.leaf)
    app.leaf.sources = .singleSource(
        NIOLeafFiles(
            fileio: app.fileio, limits: [.toSandbox, .requireExtensions],  // the bundle may sit under .build/
            sandboxDirectory: resources.path, viewDirectory: resources.appendingPathComponent("Views").path + "/"
        ))
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.middleware = Middlewares()
    app.middleware.use(RequestIdentity())  // outermost: every response and log record names its request
    app.middleware.use(SecurityHeaders(strictTransport: config.secureCookies))  // errors and files too
    app.middleware.use(RequestHeadLimits())  // before the request is logged or its session looked up
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(HuifangErrorMiddleware())
    app.middleware.use(APIMethodCheck())  // 405 for an API address asked with a method it does not take
    app.middleware.use(StaticFiles(directory: resources.appendingPathComponent("Public")))
    // Global, so that error pages (a 404 matches no route) show who is signed in.
    app.middleware.use(
        SessionsMiddlewareSkipping(sessions: app.sessions.middleware, paths: NotificationStreamController.paths))
    app.middleware.use(AnonymousSessionDiscard())

    for job in PeriodicJob.all(config) { app.lifecycle.use(job) }
    app.useNotificationHub(polling: .milliseconds(config.livePollMilliseconds))  // after the jobs: see there
    try routes(app)
}

/// Runs every pending migration.
public func migrate(_ app: Application) async throws {
    try await app.autoMigrate()
    try await SQLiteAutoincrement.apply(on: app.db)  // tables of later migrations too
}
