import Foundation
import Testing

@testable import HuifangServer

@Suite struct ConfigurationTests {
    @Test func defaultsToASQLiteFileOnPort8080InShanghai() throws {
        let config = try HuifangConfig.load(environment: [:])
        #expect(config.database == .sqliteFile(path: "huifang.sqlite"))
        #expect(config.port == 8080)
        #expect(config.timeZone.identifier == "Asia/Shanghai")
        #expect(config.defaultLanguage == .zh)
        #expect(config.isSecretGenerated)
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let config = try HuifangConfig.load(environment: ["HUIFANG_PORT": "9000"], overrides: ["HUIFANG_PORT": "9001"])
        #expect(config.port == 9001)
        #expect(
            try HuifangConfig.load(environment: ["HUIFANG_DATABASE_URL": "postgres://u:p@db:5432/huifang"]).database
                == .postgres(url: "postgres://u:p@db:5432/huifang"))
        #expect(
            try HuifangConfig.load(environment: ["HUIFANG_DATABASE_URL": "sqlite:/var/lib/huifang.sqlite"]).database
                == .sqliteFile(path: "/var/lib/huifang.sqlite"))
    }

    @Test(arguments: [
        ("HUIFANG_PORT", "eighty", "must be a whole number"),
        ("HUIFANG_PORT", "70000", "from 1 to 65535"),
        ("HUIFANG_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("HUIFANG_DATABASE_URL", "mysql://localhost/x", "must start with sqlite: or postgres://"),
        ("HUIFANG_DATABASE_URL", "postgres://nohost", "postgres://user:password@host"),
        ("HUIFANG_SECRET", "short", "at least 32 characters"),
        ("HUIFANG_LANGUAGE", "fr", "zh or en"),
        ("HUIFANG_SECURE_COOKIES", "perhaps", "true or false"),
        ("HUIFANG_ESCALATE_EVERY", "2", "from 5 to 86400"),
        ("HUIFANG_SMTP_URL", "mail.example.com", "smtp://"),
        ("HUIFANG_PUBLIC_URL", "huifang.example.com", "http://"),
        ("HUIFANG_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local", "CIDR"),
        ("HUIFANG_TRUSTED_PROXIES", "10.0.0.0/40", "CIDR"),
        ("HUIFANG_SESSION_IDLE_MINUTES", "0", "from 1 to 10080"),
        ("HUIFANG_SESSION_MAX_HOURS", "forever", "whole number"),
    ])
    func aWrongValueNamesItsVariable(variable: String, value: String, reason: String) {
        do {
            _ = try HuifangConfig.load(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix(variable))
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    @Test func sessionLimitsAndTrustedProxies() throws {
        let defaults = try HuifangConfig.load(environment: [:])
        #expect(defaults.sessionIdleLimit == 120 * 60 && defaults.sessionMaxAge == 12 * 3600)
        #expect(defaults.trustedProxies.networks.isEmpty)
        let set = try HuifangConfig.load(environment: [
            "HUIFANG_SESSION_IDLE_MINUTES": "30", "HUIFANG_SESSION_MAX_HOURS": "8",
            "HUIFANG_TRUSTED_PROXIES": "10.0.0.0/8, fd00::/8",
        ])
        #expect(set.sessionIdleLimit == 1800 && set.sessionMaxAge == 8 * 3600)
        #expect(set.trustedProxies.isTrusted("10.1.2.3") && set.trustedProxies.isTrusted("fd00::1"))
        #expect(try HuifangConfig.load(environment: ["HUIFANG_TRUST_PROXY": "true"]).trustedProxies == .loopback)
    }

    @Test func mailAndEscalationSettings() throws {
        let config = try HuifangConfig.load(environment: [:])
        #expect(config.escalateEvery == 60 && config.smtp == nil && config.publicURL == "http://127.0.0.1:8080")
        let mail = try HuifangConfig.load(environment: [
            "HUIFANG_SMTP_URL": "smtps://huifang:p%40ss@mail.example.com", "HUIFANG_MAIL_FROM": "hf@example.com",
            "HUIFANG_ESCALATE_EVERY": "off", "HUIFANG_PUBLIC_URL": "https://hf.example.com/",
        ])
        #expect(mail.smtp == SMTPSettings(url: "smtps://huifang:p%40ss@mail.example.com", from: "hf@example.com"))
        #expect(mail.smtp?.port == 465 && mail.smtp?.implicitTLS == true && mail.smtp?.password == "p@ss")
        #expect(mail.escalateEvery == nil && mail.publicURL == "https://hf.example.com")
    }

    @Test func aPasswordInADatabaseURLIsNotPrinted() {
        #expect(
            HuifangConfig.redacted("postgres://huifang:s3cret@db:5432/huifang")
                == "postgres://huifang:***@db:5432/huifang")
    }
}
