import Fluent
import Foundation
import NIOSSL
import Testing

@testable import HuifangServer

/// Mail credentials never cross the wire unencrypted: STARTTLS first, the server's certificate checked
/// against its name, and a server without STARTTLS refused unless `HUIFANG_SMTP_INSECURE` says otherwise.
@Suite struct SMTPSecurityTests {
    static let password = "s3cret-pass"
    /// The AUTH PLAIN token the client would send for user `huifang`.
    static let token = Data("\0huifang\0\(password)".utf8).base64EncodedString()

    func settings(port: Int, insecure: Bool = false) throws -> SMTPSettings {
        var settings = try #require(
            SMTPSettings(
                url: "smtp://huifang:\(Self.password)@localhost:\(port)",
                from: "huifang@example.com"))
        settings.certificateAuthorityFile = SMTPSink.Certificates.authority
        settings.allowsPlainAuthentication = insecure
        return settings
    }

    func send(_ settings: SMTPSettings) async throws {
        try await SMTPClient(settings: settings).send(to: "lina@example.com", subject: "s", body: "b", now: Date())
    }

    /// Whether the wire carried `text` in the clear.
    func wire(_ sink: SMTPSink, contains text: String) -> Bool {
        String(decoding: sink.wire, as: UTF8.self).contains(text)
    }

    @Test func mailGoesThroughSTARTTLSAndAuthenticatesOnlyAfterTLS() async throws {
        // setup
        let sink = try await SMTPSink.start(tls: try SMTPSink.Certificates.server(for: "localhost"))
        defer { Task { await sink.stop() } }
        // MUT
        try await send(try settings(port: sink.port))
        // validation
        #expect(sink.messages.count == 1)
        let commands = sink.commands
        let upgrade = try #require(commands.firstIndex { $0.line == "STARTTLS" })
        #expect(commands[..<upgrade].allSatisfy { !$0.isEncrypted && !$0.line.hasPrefix("AUTH") })
        let afterUpgrade = commands[(upgrade + 1)...]
        #expect(afterUpgrade.allSatisfy { $0.isEncrypted })
        #expect(commands[upgrade + 1].line.hasPrefix("EHLO"), "EHLO again after the upgrade")
        #expect(commands.contains { $0.line == "AUTH PLAIN \(Self.token)" && $0.isEncrypted })
        #expect(!wire(sink, contains: Self.token) && !wire(sink, contains: "AUTH"))
        #expect(!wire(sink, contains: "MAIL FROM"), "everything after STARTTLS is encrypted")
    }

    @Test func credentialsAreRefusedWhenTheServerOffersNoSTARTTLS() async throws {
        // setup
        let sink = try await SMTPSink.start()
        defer { Task { await sink.stop() } }
        // MUT
        let error = await #expect(throws: SMTPInsecureServerError.self) {
            try await send(try settings(port: sink.port))
        }
        // validation
        let text = String(describing: try #require(error))
        #expect(text.contains("HUIFANG_SMTP_URL") && text.contains("HUIFANG_SMTP_INSECURE"))
        #expect(sink.messages.isEmpty && !sink.commands.contains { $0.line.hasPrefix("AUTH") })
        #expect(!wire(sink, contains: Self.token) && !wire(sink, contains: Self.password))
    }

    @Test func aCertificateForAnotherHostNameIsRefused() async throws {
        // setup: a certificate from the trusted CA, but for wrong.example
        let sink = try await SMTPSink.start(tls: try SMTPSink.Certificates.server(for: "wrong.example"))
        defer { Task { await sink.stop() } }
        // MUT
        await #expect(throws: (any Error).self) {
            try await send(try settings(port: sink.port))
        }
        // validation
        #expect(sink.messages.isEmpty && !sink.commands.contains { $0.line.hasPrefix("AUTH") })
        #expect(!wire(sink, contains: Self.token))
    }

    @Test func anUntrustedCertificateIsRefused() async throws {
        // setup: the right name, but no CA file, so the test CA is not trusted
        let sink = try await SMTPSink.start(tls: try SMTPSink.Certificates.server(for: "localhost"))
        defer { Task { await sink.stop() } }
        var untrusting = try settings(port: sink.port)
        untrusting.certificateAuthorityFile = nil
        // MUT
        await #expect(throws: (any Error).self) {
            try await send(untrusting)
        }
        // validation
        #expect(sink.messages.isEmpty && !sink.commands.contains { $0.line.hasPrefix("AUTH") })
    }

    @Test func theInsecureSettingAllowsPlainAuthenticationForALabServer() async throws {
        // setup
        let sink = try await SMTPSink.start()
        defer { Task { await sink.stop() } }
        let config = try HuifangConfig.load(environment: [
            "HUIFANG_SMTP_URL": "smtp://huifang:\(Self.password)@127.0.0.1:\(sink.port)",
            "HUIFANG_SMTP_INSECURE": "true",
        ])
        let settings = try #require(config.smtp)
        // MUT
        try await send(settings)
        // validation
        #expect(settings.allowsPlainAuthentication && sink.messages.count == 1)
        #expect(sink.commands.contains { $0.line == "AUTH PLAIN \(Self.token)" && !$0.isEncrypted })
    }

    @Test func theOutboxKeepsTheRefusalNamingTheSetting() async throws {
        let sink = try await SMTPSink.start()
        defer { Task { await sink.stop() } }
        let url = "smtp://huifang:\(Self.password)@127.0.0.1:\(sink.port)"
        try await withHuifang(["HUIFANG_SMTP_URL": url, "HUIFANG_MAIL_FROM": "huifang@example.com"]) { app in
            // setup
            let mail = [(to: "lina@example.com", subject: "s", body: "b")]
            try await Outbox.enqueue(mail, config: app.huifang, now: Date(), on: app.db)
            // MUT
            let delivery = try await Outbox(db: app.db, config: app.huifang).deliver(now: Date())
            // validation
            #expect(delivery.retrying == 1 && sink.messages.isEmpty)
            let message = try #require(try await MailMessage.query(on: app.db).first())
            #expect(message.lastError?.contains("HUIFANG_SMTP_INSECURE=true") == true)
        }
    }

    @Test func settingsNameWhatIsWrongAndTheSubmissionPortRequiresTLS() throws {
        #expect(SMTPSettings(url: "smtp://mail.example.com:587", from: "a@b")!.requiresTLS)
        #expect(!SMTPSettings(url: "smtp://mail.example.com", from: "a@b")!.requiresTLS)
        #expect(SMTPSettings(url: "smtp://u:p@mail.example.com", from: "a@b")!.requiresTLS)
        #expect(throws: ConfigurationError.self) {
            try HuifangConfig.load(environment: [
                "HUIFANG_SMTP_URL": "smtp://mail.example.com",
                "HUIFANG_SMTP_CA_FILE": "/nonexistent/ca.pem",
            ])
        }
        #expect(throws: ConfigurationError.self) {
            try HuifangConfig.load(environment: ["HUIFANG_SMTP_INSECURE": "maybe"])
        }
    }
}
