import Foundation
import HuifangCore
import NIOSSL

/// Every setting Huifang reads, resolved once at boot from flags, then the
/// environment, then defaults. A wrong value stops start-up with the variable's name.
public struct HuifangConfig: Sendable {
    public enum DatabaseLocation: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteMemory
        case postgres(url: String)

        public var isPostgres: Bool {
            if case .postgres = self { return true }
            return false
        }
    }

    public var database: DatabaseLocation
    public var hostname: String
    public var port: Int
    /// How the process writes its log (`HUIFANG_LOG_FORMAT`); `huifang` sets it up once at start.
    public var logFormat: LogFormat = .text
    public var timeZone: TimeZone
    /// Signs links and tokens. Random per start when not configured (fine for one instance in development).
    public var secret: String
    public var isSecretGenerated: Bool
    /// The file the secret was read from when `HUIFANG_SECRET` is not set (see `withStoredSecret()`).
    public var secretFile: String? = nil
    /// Marks cookies `Secure`: set when Huifang is served over HTTPS.
    public var secureCookies: Bool
    /// The UI language for users who have not chosen one.
    public var defaultLanguage: Language
    /// Bcrypt work factor; lower only in tests.
    public var bcryptCost: Int
    /// Largest accepted upload (imports), in megabytes.
    public var maxUploadMegabytes: Int
    public var loginThrottle: LoginThrottlePolicy
    /// The local time of day (seconds after midnight) the daily planner runs; `nil` when off.
    public var planAt: Int?
    /// No more than one follow-up per this many days per customer (complaint follow-ups excepted); 0 for no cap.
    public var contactCapDays: Int
    /// Seconds between escalation sweeps; `nil` when off.
    public var escalateEvery: Int?
    /// How long a job's lease lasts without renewal (the planner, the escalation sweep); its run renews it
    /// every quarter of that, and a crashed run's job is free again once it lapses.
    public var jobLease: LeaseTerms = .standard
    /// Where email goes; `nil`: no email is sent (notifications stay in the app).
    public var smtp: SMTPSettings?
    /// Links in emails start with this (e.g. https://huifang.example.com).
    public var publicURL: String
    /// Where SMS go: logged only (development), or POSTed as JSON to a gateway.
    public var sms: SMSGateway = .log
    /// The token the SMS gateway posts customers' replies with (`POST /api/v1/sms/inbound`); `nil`: that endpoint
    /// answers 404, as if it did not exist.
    public var smsInboundToken: String? = nil
    /// Seconds between outbox deliveries (email and SMS); `nil` when off.
    public var deliverEvery: Int? = 15
    /// Days a customer's survey link stays valid.
    public var surveyLinkDays: Int = 7
    /// The organisation's name as customers know it, for `{公司}` in messages.
    public var company: String = "客户服务中心"
    /// Proxies whose `X-Forwarded-For` entries are believed; empty: the connection's address is the client's.
    public var trustedProxies = TrustedProxies()
    /// A session unused this many seconds ends.
    public var sessionIdleLimit: Double = 120 * 60
    /// A session ends this many seconds after sign-in, however busy.
    public var sessionMaxAge: Double = 12 * 3600
    /// Milliseconds between an instance's looks for new notifications to push to the open pages.
    public var livePollMilliseconds: Int = 2000
    /// Who may read `/metrics` (`HUIFANG_METRICS_TOKEN`, `HUIFANG_METRICS_ALLOW`); neither set: it is off.
    public var metrics = MetricsAccess()
    /// Click-to-call links on the call list and in the workspace (`HUIFANG_DIAL_URL`).
    public var dial = DialTemplate.standard
    /// The phone system's bearer token for `POST /api/v1/telephony/events` (`HUIFANG_TELEPHONY_TOKEN`); none: off.
    public var telephonyToken: String? = nil

    /// The variables read, with their defaults, for `--help` and the README.
    public static let variables: [(name: String, meaning: String)] = [
        (
            "HUIFANG_DATABASE_URL",
            "sqlite:PATH, sqlite::memory:, or postgres://user:pass@host:port/db (default: sqlite file huifang.sqlite in the working directory)"
        ),
        ("HUIFANG_HOST", "address to listen on (default 127.0.0.1)"),
        ("HUIFANG_PORT", "port to listen on (default 8080)"),
        (
            "HUIFANG_LOG_FORMAT",
            "text, or json: one JSON object a line with the request id of every request's records (default text)"
        ),
        ("HUIFANG_TIMEZONE", "IANA time zone of the organisation (default Asia/Shanghai)"),
        ("HUIFANG_SECRET", "at least 32 characters; required when several instances share a database"),
        ("HUIFANG_SECURE_COOKIES", "true when served over HTTPS (default false)"),
        ("HUIFANG_LANGUAGE", "zh or en: the default UI language (default zh)"),
        ("HUIFANG_BCRYPT_COST", "password hashing cost 4–16 (default 12)"),
        ("HUIFANG_MAX_UPLOAD_MB", "largest import file in MB (default 50)"),
        ("HUIFANG_LOGIN_MAX_FAILURES", "failed sign-ins per account before a lock-out (default 5)"),
        ("HUIFANG_LOGIN_LOCK_MINUTES", "length of the counting window and lock-out (default 15)"),
        ("HUIFANG_PLAN_AT", "local time the daily planner and distribution run, HH:MM, or off (default 06:00)"),
        (
            "HUIFANG_CONTACT_CAP_DAYS",
            "at most one follow-up per customer per this many days, complaint follow-ups excepted; 0 for none (default 7)"
        ),
        ("HUIFANG_ESCALATE_EVERY", "seconds between escalation sweeps, or off (default 60)"),
        (
            "HUIFANG_JOB_LEASE_SECONDS",
            "seconds a job's lease lasts unrenewed; its run renews it every quarter of that, "
                + "and a crashed run's job is free again once it lapses, 2–600 (default 60)"
        ),
        ("HUIFANG_SMTP_URL", "smtp://[user:password@]host[:port] or smtps://… (implicit TLS); unset: no email is sent"),
        (
            "HUIFANG_SMTP_INSECURE",
            "true lets a password go unencrypted to a mail server that offers no STARTTLS "
                + "(a lab server only; default false)"
        ),
        (
            "HUIFANG_SMTP_CA_FILE",
            "a PEM file of certificate authorities trusted for the mail server "
                + "besides the system's"
        ),
        ("HUIFANG_MAIL_FROM", "sender address of Huifang's email (default huifang@localhost)"),
        (
            "HUIFANG_PUBLIC_URL",
            "the address users and customers open Huifang at, for links in email and SMS (default http://HOST:PORT)"
        ),
        (
            "HUIFANG_SMS_GATEWAY",
            "log (SMS are only written to the log, for development) or an http(s) URL that takes a JSON POST {to, text, reference} (default log)"
        ),
        ("HUIFANG_SMS_TOKEN", "sent to the SMS gateway as Authorization: Bearer TOKEN (default none)"),
        (
            "HUIFANG_SMS_INBOUND_TOKEN",
            "at least 16 characters: the gateway posts customers' SMS replies to /api/v1/sms/inbound with "
                + "Authorization: Bearer TOKEN (default none: that endpoint answers 404)"
        ),
        ("HUIFANG_DELIVER_EVERY", "seconds between outbox deliveries of email and SMS, or off (default 15)"),
        ("HUIFANG_SURVEY_LINK_DAYS", "days a customer's survey link stays valid, 1–90 (default 7)"),
        ("HUIFANG_COMPANY", "the organisation's name in messages to customers (default 客户服务中心)"),
        (
            "HUIFANG_TRUSTED_PROXIES",
            "comma-separated addresses or CIDR blocks (IPv4 or IPv6) of reverse proxies whose X-Forwarded-For is believed; the client is the right-most address not in the list (default none)"
        ),
        (
            "HUIFANG_TRUST_PROXY",
            "true: the same as HUIFANG_TRUSTED_PROXIES=127.0.0.0/8,::1, a proxy on this machine (default false)"
        ),
        ("HUIFANG_SESSION_IDLE_MINUTES", "a signed-in session unused this long ends, 1–10080 (default 120)"),
        ("HUIFANG_SESSION_MAX_HOURS", "a signed-in session ends this long after sign-in, 1–720 (default 12)"),
        (
            "HUIFANG_LIVE_POLL_MS",
            "milliseconds between an instance's looks for new notifications to push to open pages, 100–60000 "
                + "(default 2000)"
        ),
        (
            "HUIFANG_DIAL_URL",
            "click-to-call link of a number on the call list and in the workspace, with {number} (E.164) or {digits} "
                + "(as dialled at home): tel:, sip:, sips:, callto:, http: or https: (default tel:{number})"
        ),
        (
            "HUIFANG_TELEPHONY_TOKEN",
            "at least 16 characters: the phone system posts call events to /api/v1/telephony/events with "
                + "Authorization: Bearer TOKEN (default none: the endpoint answers 404)"
        ),
        (
            "HUIFANG_METRICS_TOKEN",
            "at least 16 characters: /metrics answers a scrape with Authorization: Bearer TOKEN (default none)"
        ),
        (
            "HUIFANG_METRICS_ALLOW",
            "comma-separated addresses or CIDR blocks that may read /metrics without the token (default none; "
                + "with neither set, /metrics answers 404)"
        ),
    ]

    /// Reads the configuration. `overrides` (from command-line flags) win over `environment`.
    // Long: reads every environment variable in the order `variables` documents them, each refused with its name.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> HuifangConfig {
        var values = environment
        values.merge(overrides) { _, flag in flag }
        func value(_ name: String) -> String? {
            guard let raw = values[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let raw = value(name) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                throw ConfigurationError(
                    variable: name, value: raw,
                    reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func boolean(_ name: String) throws(ConfigurationError) -> Bool {
            guard let raw = value(name) else { return false }
            switch raw.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw ConfigurationError(variable: name, value: raw, reason: "must be true or false")
            }
        }

        let database = try parseDatabase(value("HUIFANG_DATABASE_URL"))
        let zoneName = value("HUIFANG_TIMEZONE") ?? "Asia/Shanghai"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigurationError(
                variable: "HUIFANG_TIMEZONE", value: zoneName, reason: "is not an IANA time zone such as Asia/Shanghai")
        }
        let secret: String
        let generated: Bool
        if let configured = value("HUIFANG_SECRET") {
            guard configured.count >= 32 else {
                throw ConfigurationError(
                    variable: "HUIFANG_SECRET", value: "(hidden)", reason: "must be at least 32 characters long")
            }
            secret = configured
            generated = false
        } else {
            secret = (0..<32).map { _ in UInt8.random(in: 0...255) }.lowercaseHex
            generated = true
        }
        let languageRaw = value("HUIFANG_LANGUAGE") ?? "zh"
        guard let language = Language(tag: languageRaw) else {
            throw ConfigurationError(variable: "HUIFANG_LANGUAGE", value: languageRaw, reason: "must be zh or en")
        }
        let host = value("HUIFANG_HOST") ?? "127.0.0.1"
        let lockMinutes = try integer("HUIFANG_LOGIN_LOCK_MINUTES", default: 15, range: 1...1440)
        var planAt: Int? = 6 * 3600
        if let raw = value("HUIFANG_PLAN_AT") {
            if raw.lowercased() == "off" {
                planAt = nil
            } else if let range = TimeRange(parsing: raw + "-24:00") {
                planAt = range.start
            } else {
                throw ConfigurationError(
                    variable: "HUIFANG_PLAN_AT", value: raw, reason: "must be a time of day such as 06:00, or off")
            }
        }
        var escalateEvery: Int? = 60
        if let raw = value("HUIFANG_ESCALATE_EVERY") {
            if raw.lowercased() == "off" {
                escalateEvery = nil
            } else {
                escalateEvery = try integer("HUIFANG_ESCALATE_EVERY", default: 60, range: 5...86_400)
            }
        }
        let smtpInsecure = try boolean("HUIFANG_SMTP_INSECURE")
        let smtpAuthorities = try certificateAuthorityFile(value("HUIFANG_SMTP_CA_FILE"))
        var smtp: SMTPSettings?
        if let raw = value("HUIFANG_SMTP_URL") {
            let from = value("HUIFANG_MAIL_FROM") ?? "huifang@localhost"
            guard let parsed = SMTPSettings(url: raw, from: from) else {
                throw ConfigurationError(
                    variable: "HUIFANG_SMTP_URL", value: redacted(raw),
                    reason: "must look like smtp://user:password@mail.example.com:587 or smtps://mail.example.com")
            }
            guard from.contains("@") else {
                throw ConfigurationError(variable: "HUIFANG_MAIL_FROM", value: from, reason: "must be an email address")
            }
            smtp = parsed
            smtp?.allowsPlainAuthentication = smtpInsecure
            smtp?.certificateAuthorityFile = smtpAuthorities
        }
        var sms = SMSGateway.log
        if let raw = value("HUIFANG_SMS_GATEWAY"), raw.lowercased() != "log" {
            guard let url = URL(string: raw), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host != nil
            else {
                throw ConfigurationError(
                    variable: "HUIFANG_SMS_GATEWAY", value: redacted(raw),
                    reason: "must be log or an http(s) URL such as https://sms.example.com/send")
            }
            sms = .http(url: raw, token: value("HUIFANG_SMS_TOKEN"))
        }
        let smsInboundToken = value("HUIFANG_SMS_INBOUND_TOKEN")
        if let smsInboundToken, smsInboundToken.count < 16 {
            throw ConfigurationError(
                variable: "HUIFANG_SMS_INBOUND_TOKEN", value: "(hidden)", reason: "must be at least 16 characters long")
        }
        var deliverEvery: Int? = 15
        if let raw = value("HUIFANG_DELIVER_EVERY") {
            deliverEvery =
                raw.lowercased() == "off" ? nil : try integer("HUIFANG_DELIVER_EVERY", default: 15, range: 1...86_400)
        }
        let port = try integer("HUIFANG_PORT", default: 8080, range: 1...65535)
        var publicURL = value("HUIFANG_PUBLIC_URL") ?? "http://\(host):\(port)"
        while publicURL.hasSuffix("/") { publicURL.removeLast() }
        guard publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://") else {
            throw ConfigurationError(
                variable: "HUIFANG_PUBLIC_URL", value: publicURL, reason: "must start with http:// or https://")
        }
        return HuifangConfig(
            database: database,
            hostname: host,
            port: port,
            logFormat: try logFormat(value("HUIFANG_LOG_FORMAT")),
            timeZone: zone,
            secret: secret,
            isSecretGenerated: generated,
            secureCookies: try boolean("HUIFANG_SECURE_COOKIES"),
            defaultLanguage: language,
            bcryptCost: try integer("HUIFANG_BCRYPT_COST", default: 12, range: 4...16),
            maxUploadMegabytes: try integer("HUIFANG_MAX_UPLOAD_MB", default: 50, range: 1...1024),
            loginThrottle: LoginThrottlePolicy(
                maxFailuresPerAccount: try integer("HUIFANG_LOGIN_MAX_FAILURES", default: 5, range: 1...100),
                maxFailuresPerAddress: 20,
                window: Double(lockMinutes * 60)
            ),
            planAt: planAt,
            contactCapDays: try integer("HUIFANG_CONTACT_CAP_DAYS", default: 7, range: 0...365),
            escalateEvery: escalateEvery,
            jobLease: LeaseTerms(length: Double(try integer("HUIFANG_JOB_LEASE_SECONDS", default: 60, range: 2...600))),
            smtp: smtp,
            publicURL: publicURL,
            sms: sms,
            smsInboundToken: smsInboundToken,
            deliverEvery: deliverEvery,
            surveyLinkDays: try integer("HUIFANG_SURVEY_LINK_DAYS", default: 7, range: 1...90),
            company: value("HUIFANG_COMPANY") ?? "客户服务中心",
            trustedProxies: try trustedProxies(
                value("HUIFANG_TRUSTED_PROXIES"),
                loopback: try boolean("HUIFANG_TRUST_PROXY")),
            sessionIdleLimit: Double(try integer("HUIFANG_SESSION_IDLE_MINUTES", default: 120, range: 1...10_080) * 60),
            sessionMaxAge: Double(try integer("HUIFANG_SESSION_MAX_HOURS", default: 12, range: 1...720) * 3600),
            livePollMilliseconds: try integer("HUIFANG_LIVE_POLL_MS", default: 2000, range: 100...60_000),
            metrics: try metricsAccess(token: value("HUIFANG_METRICS_TOKEN"), allow: value("HUIFANG_METRICS_ALLOW")),
            dial: try dialTemplate(value("HUIFANG_DIAL_URL")),
            telephonyToken: try telephonyToken(value("HUIFANG_TELEPHONY_TOKEN"))
        )
    }

    static func dialTemplate(_ raw: String?) throws(ConfigurationError) -> DialTemplate {
        guard let raw else { return .standard }
        do {
            return try DialTemplate(raw)
        } catch .noNumber {
            throw ConfigurationError(
                variable: "HUIFANG_DIAL_URL", value: raw, reason: "must contain {number} or {digits}")
        } catch {
            throw ConfigurationError(
                variable: "HUIFANG_DIAL_URL", value: raw,
                reason: "must start with " + DialTemplate.schemes.map { $0 + ":" }.joined(separator: ", "))
        }
    }

    static func logFormat(_ raw: String?) throws(ConfigurationError) -> LogFormat {
        guard let raw else { return .text }
        guard let format = LogFormat(rawValue: raw.lowercased()) else {
            throw ConfigurationError(variable: "HUIFANG_LOG_FORMAT", value: raw, reason: "must be text or json")
        }
        return format
    }

    /// A PEM file that holds at least one certificate, or `nil` when none is configured.
    static func certificateAuthorityFile(_ path: String?) throws(ConfigurationError) -> String? {
        guard let path else { return nil }
        guard let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty else {
            throw ConfigurationError(
                variable: "HUIFANG_SMTP_CA_FILE", value: path,
                reason: "must be a readable PEM file of one or more certificates")
        }
        return path
    }

    static func trustedProxies(_ raw: String?, loopback: Bool) throws(ConfigurationError) -> TrustedProxies {
        guard let raw else { return loopback ? .loopback : TrustedProxies() }
        switch TrustedProxies.parse(raw) {
        case .success(let proxies): return proxies
        case .failure(let bad):
            throw ConfigurationError(
                variable: "HUIFANG_TRUSTED_PROXIES", value: bad.entry,
                reason: "is not an IP address or CIDR block such as 10.0.0.0/8 or fd00::/8")
        }
    }

    static func telephonyToken(_ token: String?) throws(ConfigurationError) -> String? {
        if let token, token.count < 16 {
            throw ConfigurationError(
                variable: "HUIFANG_TELEPHONY_TOKEN", value: "(hidden)", reason: "must be at least 16 characters long")
        }
        return token
    }

    static func metricsAccess(token: String?, allow: String?) throws(ConfigurationError) -> MetricsAccess {
        if let token, token.count < 16 {
            throw ConfigurationError(
                variable: "HUIFANG_METRICS_TOKEN", value: "(hidden)", reason: "must be at least 16 characters long")
        }
        guard let allow else { return MetricsAccess(token: token) }
        switch TrustedProxies.parse(allow) {
        case .success(let list): return MetricsAccess(token: token, allowed: list.networks)
        case .failure(let bad):
            throw ConfigurationError(
                variable: "HUIFANG_METRICS_ALLOW", value: bad.entry,
                reason: "is not an IP address or CIDR block such as 127.0.0.1 or 10.0.0.0/8")
        }
    }

    static func parseDatabase(_ raw: String?) throws(ConfigurationError) -> DatabaseLocation {
        guard let raw else { return .sqliteFile(path: "huifang.sqlite") }
        if raw == "sqlite::memory:" || raw == ":memory:" { return .sqliteMemory }
        if raw.hasPrefix("sqlite:") {
            var path = String(raw.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw ConfigurationError(
                    variable: "HUIFANG_DATABASE_URL", value: raw,
                    reason: "names no file; write sqlite:huifang.sqlite or sqlite:/var/lib/huifang/huifang.sqlite")
            }
            return .sqliteFile(path: path)
        }
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
            guard let url = URL(string: raw), let host = url.host, !host.isEmpty, url.path.count > 1 else {
                throw ConfigurationError(
                    variable: "HUIFANG_DATABASE_URL", value: redacted(raw),
                    reason: "must look like postgres://user:password@host:5432/database")
            }
            return .postgres(
                url: raw.hasPrefix("postgresql://") ? "postgres://" + raw.dropFirst("postgresql://".count) : raw)
        }
        throw ConfigurationError(
            variable: "HUIFANG_DATABASE_URL", value: redacted(raw), reason: "must start with sqlite: or postgres://")
    }

    /// Hides a password in a database URL before it is printed.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }

    public var databaseDescription: String {
        switch database {
        case .sqliteFile(let path): "SQLite \(path)"
        case .sqliteMemory: "SQLite (in memory)"
        case .postgres(let url): "PostgreSQL \(Self.redacted(url))"
        }
    }
}

/// A configuration value that cannot be used, named by its variable.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let variable: String
    public let value: String
    public let reason: String

    public var description: String { "\(variable)=\(value) \(reason)" }
}
