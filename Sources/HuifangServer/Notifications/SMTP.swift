import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how Huifang sends email: `smtp://[user:password@]host[:port]` (port 25 by default, upgraded
/// with STARTTLS whenever the server offers it) or `smtps://…` (TLS from the first byte, port 465 by default).
public struct SMTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var implicitTLS: Bool
    public var from: String
    /// Allows credentials over a connection without TLS (`HUIFANG_SMTP_INSECURE`, for a lab server only).
    public var allowsPlainAuthentication = false
    /// A PEM file of certificate authorities trusted besides the system's (`HUIFANG_SMTP_CA_FILE`).
    public var certificateAuthorityFile: String?

    public init?(url: String, from: String) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", let host = parsed.host, !host.isEmpty
        else { return nil }
        self.host = host
        implicitTLS = scheme == "smtps"
        port = parsed.port ?? (implicitTLS ? 465 : 25)
        username = parsed.user?.removingPercentEncoding
        password = parsed.password?.removingPercentEncoding
        self.from = from
    }

    /// Whether the connection must be encrypted before anything else is said: when a password would be
    /// sent, and on the submission port 587, where a server without STARTTLS means someone stripped it.
    var requiresTLS: Bool { !allowsPlainAuthentication && (username != nil || port == 587) }
}

/// An SMTP reply the client did not expect, with the server's words.
struct SMTPError: Error, CustomStringConvertible {
    let command: String
    let code: Int
    let text: String
    var description: String { "SMTP \(command): \(code) \(text)" }
}

/// The mail server offers no encryption and the settings say it must be: nothing private was sent.
struct SMTPInsecureServerError: Error, CustomStringConvertible {
    let host: String
    let port: Int
    var description: String {
        "HUIFANG_SMTP_URL: \(host):\(port) offers no STARTTLS, so the connection cannot be encrypted and Huifang "
            + "will not send the password over it; use smtps:// or a server with STARTTLS, "
            + "or set HUIFANG_SMTP_INSECURE=true for a lab server"
    }
}

/// Sends one message per connection over SMTP (RFC 5321): EHLO, STARTTLS when offered (then EHLO again),
/// AUTH PLAIN when credentials are given (only over TLS), MAIL FROM, RCPT TO, DATA, QUIT. The server's
/// certificate is verified against its host name. The message is UTF-8, base64 in body and subject.
struct SMTPClient {
    let settings: SMTPSettings
    var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    var timeout: TimeAmount = .seconds(20)

    func send(to recipient: String, subject: String, body: String, now: Date) async throws {
        let settings = settings
        let tls = try Self.tlsContext(settings)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if settings.implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(Self.tlsHandler(tls, settings))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let message = Self.message(from: settings.from, to: recipient, subject: subject, body: body, date: now)
        try await channel.executeThenClose { inbound, outbound in
            var conversation = SMTPConversation(lines: inbound.makeAsyncIterator(), outbound: outbound)
            try await conversation.reply(to: "greeting", expecting: [220])
            let offers = try await conversation.say("EHLO huifang", expecting: [250])
            var isEncrypted = settings.implicitTLS
            if !isEncrypted, offers.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                try await conversation.say("STARTTLS", expecting: [220])
                try await Self.startTLS(on: channel.channel, tls, settings)
                isEncrypted = true
                try await conversation.say("EHLO huifang", expecting: [250])
            }
            if !isEncrypted, settings.requiresTLS {
                throw SMTPInsecureServerError(host: settings.host, port: settings.port)
            }
            try await Self.authenticate(&conversation, settings)
            try await conversation.say("MAIL FROM:<\(settings.from)>", expecting: [250])
            try await conversation.say("RCPT TO:<\(recipient)>", expecting: [250, 251])
            try await conversation.say("DATA", expecting: [354])
            try await conversation.write(message + "\r\n.")
            try await conversation.reply(to: "end of data", expecting: [250])
            try? await conversation.write("QUIT")
        }
    }

    private static func authenticate(_ conversation: inout SMTPConversation, _ settings: SMTPSettings) async throws {
        guard let user = settings.username else { return }
        let token = Data("\0\(user)\0\(settings.password ?? "")".utf8).base64EncodedString()
        try await conversation.say("AUTH PLAIN \(token)", as: "AUTH", expecting: [235])
    }

    /// Full verification (chain and host name) against the system's authorities and the configured file.
    static func tlsContext(_ settings: SMTPSettings) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let file = settings.certificateAuthorityFile {
            configuration.additionalTrustRoots = [.file(file)]
        }
        return try NIOSSLContext(configuration: configuration)
    }

    static func tlsHandler(_ context: NIOSSLContext, _ settings: SMTPSettings) throws -> NIOSSLClientHandler {
        // Server name indication takes a name; an address is verified against the certificate's addresses.
        let isAddress = settings.host.contains(":") || settings.host.allSatisfy { $0.isNumber || $0 == "." }
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : settings.host)
    }

    /// After the server's 220 to STARTTLS: TLS goes in front of the line decoder, and every later byte is encrypted.
    private static func startTLS(
        on channel: any Channel, _ context: NIOSSLContext, _ settings: SMTPSettings
    ) async throws {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(try tlsHandler(context, settings), position: .first)
        }.get()
    }

    /// The message as sent: headers, then the base64 body in 76-character lines.
    static func message(from: String, to: String, subject: String, body: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        let headers = [
            "From: \(from)", "To: \(to)", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64",
        ]
        let encoded = Data(body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded
    }
}

/// The client's side of an SMTP exchange: commands out, replies (possibly several lines) in.
struct SMTPConversation {
    var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    func write(_ line: String) async throws {
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
    }

    /// Sends a command and reads its reply; `name` is how an error names it (never with the password).
    @discardableResult
    mutating func say(_ line: String, as name: String? = nil, expecting codes: Set<Int>) async throws -> [String] {
        try await write(line)
        return try await reply(to: name ?? String(line.prefix(20)), expecting: codes)
    }

    /// The reply's text lines, when its code is one of `codes`.
    @discardableResult
    mutating func reply(to command: String, expecting codes: Set<Int>) async throws -> [String] {
        var text: [String] = []
        while true {
            guard let line = try await lines.next() else {
                throw SMTPError(command: command, code: 0, text: "connection closed")
            }
            text.append(String(line.dropFirst(4)))
            guard line.count >= 4, line[line.index(line.startIndex, offsetBy: 3)] == "-" else {
                let code = Int(line.prefix(3)) ?? 0
                guard codes.contains(code) else {
                    throw SMTPError(command: command, code: code, text: text.joined(separator: " "))
                }
                return text
            }
        }
    }
}

/// Splits the server's replies into lines (CRLF, or a bare LF).
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
