import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how Huifang sends email: `smtp://[user:password@]host[:port]` (plain, port 25 by default)
/// or `smtps://…` (TLS from the first byte, port 465 by default).
public struct SMTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var implicitTLS: Bool
    public var from: String

    public init?(url: String, from: String) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
              let host = parsed.host, !host.isEmpty else { return nil }
        self.host = host
        implicitTLS = scheme == "smtps"
        port = parsed.port ?? (implicitTLS ? 465 : 25)
        username = parsed.user?.removingPercentEncoding
        password = parsed.password?.removingPercentEncoding
        self.from = from
    }
}

/// An SMTP reply the client did not expect, with the server's words.
struct SMTPError: Error, CustomStringConvertible {
    let command: String
    let code: Int
    let text: String
    var description: String { "SMTP \(command): \(code) \(text)" }
}

/// Sends one message per connection over SMTP (RFC 5321): EHLO, AUTH PLAIN when credentials are
/// given, MAIL FROM, RCPT TO, DATA, QUIT. The message is UTF-8, base64 in body and subject.
struct SMTPClient {
    let settings: SMTPSettings
    var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    var timeout: TimeAmount = .seconds(20)

    func send(to recipient: String, subject: String, body: String, now: Date = Date()) async throws {
        let settings = settings
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if settings.implicitTLS {
                        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                        // Server name indication takes a name, never an address.
                        let isAddress = settings.host.contains(":") || settings.host.allSatisfy { $0.isNumber || $0 == "." }
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : settings.host))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let message = Self.message(from: settings.from, to: recipient, subject: subject, body: body, date: now)
        try await channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            func reply(to command: String, expecting codes: Set<Int>) async throws {
                var text: [String] = []
                while true {
                    guard let line = try await lines.next() else { throw SMTPError(command: command, code: 0, text: "connection closed") }
                    text.append(String(line.dropFirst(4)))
                    guard line.count >= 4, line[line.index(line.startIndex, offsetBy: 3)] == "-" else {
                        let code = Int(line.prefix(3)) ?? 0
                        guard codes.contains(code) else { throw SMTPError(command: command, code: code, text: text.joined(separator: " ")) }
                        return
                    }
                }
            }
            func say(_ line: String, expecting codes: Set<Int>) async throws {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                try await reply(to: line.hasPrefix("AUTH") ? "AUTH" : String(line.prefix(20)), expecting: codes)
            }
            try await reply(to: "greeting", expecting: [220])
            try await say("EHLO huifang", expecting: [250])
            if let user = settings.username {
                let token = Data("\0\(user)\0\(settings.password ?? "")".utf8).base64EncodedString()
                try await say("AUTH PLAIN \(token)", expecting: [235])
            }
            try await say("MAIL FROM:<\(settings.from)>", expecting: [250])
            try await say("RCPT TO:<\(recipient)>", expecting: [250, 251])
            try await say("DATA", expecting: [354])
            try await outbound.write(ByteBuffer(string: message + "\r\n.\r\n"))
            try await reply(to: "end of data", expecting: [250])
            try? await outbound.write(ByteBuffer(string: "QUIT\r\n"))
        }
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
        let encoded = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded
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
