import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

@testable import HuifangServer

/// A mail server for tests: speaks enough SMTP on a local port to accept messages, and keeps them.
/// Started with a certificate, it offers STARTTLS; it keeps every byte it received as it crossed the wire,
/// and each command with whether it came encrypted.
final class SMTPSink: @unchecked Sendable {
    /// A command as the sink read it, and whether TLS was on by then.
    struct Command {
        let line: String
        let isEncrypted: Bool
    }

    /// The test certificates (`Tests/Fixtures/smtp-tls`): a CA, and server certificates it signed.
    enum Certificates {
        static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/smtp-tls")
        static var authority: String { directory.appendingPathComponent("ca.pem").path }

        /// A server context with the certificate (and key) made for `host`: `localhost` or `wrong.example`.
        static func server(for host: String) throws -> NIOSSLContext {
            let certificate = directory.appendingPathComponent("\(host).pem").path
            let key = directory.appendingPathComponent("\(host).key").path
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            return try NIOSSLContext(configuration: configuration)
        }
    }

    struct Message {
        let from: String
        let to: [String]
        let data: String

        /// The decoded plain-text body (the client sends it base64).
        var body: String {
            guard let blank = data.range(of: "\r\n\r\n") else { return "" }
            let encoded = data[blank.upperBound...].replacingOccurrences(of: "\r\n", with: "")
            return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }

        /// The decoded subject.
        var subject: String {
            guard let line = data.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("Subject: ") }) else {
                return ""
            }
            let word = line.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2)
            return Data(base64Encoded: String(word)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    private let lock = NIOLock()
    private var stored: [Message] = []
    private var heard: [Command] = []
    private var received: [UInt8] = []
    private var tls: NIOSSLContext?
    private var channel: (any Channel)?
    private(set) var port = 0

    var messages: [Message] { lock.withLock { stored } }

    var commands: [Command] { lock.withLock { heard } }
    /// Every byte the clients sent, as it crossed the wire (ciphertext once TLS is on).
    var wire: [UInt8] { lock.withLock { received } }

    func keep(_ message: Message) { lock.withLock { stored.append(message) } }
    func keep(_ command: Command) { lock.withLock { heard.append(command) } }
    func keep(_ bytes: ByteBufferView) { lock.withLock { received.append(contentsOf: bytes) } }

    /// A sink on a local port; with `tls`, one that offers STARTTLS and then shows that context's certificate.
    static func start(tls: NIOSSLContext? = nil) async throws -> SMTPSink {
        let sink = SMTPSink()
        sink.tls = tls
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WireTap(sink: sink))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(Session(sink: sink))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        sink.channel = channel
        sink.port = channel.localAddress?.port ?? 0
        return sink
    }

    func stop() async {
        try? await channel?.close()
    }

    /// Keeps the bytes as they arrive, before any decryption.
    private final class WireTap: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let sink: SMTPSink

        init(sink: SMTPSink) { self.sink = sink }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            sink.keep(unwrapInboundIn(data).readableBytesView)
            context.fireChannelRead(data)
        }
    }

    private final class Session: ChannelInboundHandler {
        typealias InboundIn = String
        typealias OutboundOut = ByteBuffer
        let sink: SMTPSink
        var isEncrypted = false
        var from = ""
        var to: [String] = []
        var data: [String]?

        init(sink: SMTPSink) { self.sink = sink }

        func channelActive(context: ChannelHandlerContext) {
            say("220 sink ESMTP", context)
        }

        func channelRead(context: ChannelHandlerContext, data raw: NIOAny) {
            let line = unwrapInboundIn(raw)
            if var lines = data {
                if line == "." {
                    sink.keep(Message(from: from, to: to, data: lines.joined(separator: "\r\n")))
                    data = nil
                    to = []
                    say("250 queued", context)
                } else {
                    lines.append(line)
                    data = lines
                }
                return
            }
            sink.keep(Command(line: line, isEncrypted: isEncrypted))
            let command = line.uppercased()
            if command.hasPrefix("EHLO") || command.hasPrefix("HELO") {
                let offersTLS = sink.tls != nil && !isEncrypted
                say("250-sink\r\n250-8BITMIME\r\n" + (offersTLS ? "250-STARTTLS\r\n" : "") + "250 AUTH PLAIN", context)
            } else if command == "STARTTLS", let tls = sink.tls, !isEncrypted {
                say("220 go ahead", context)
                isEncrypted = true
                startTLS(tls, context)
            } else if command.hasPrefix("AUTH PLAIN ") {
                say("235 accepted", context)
            } else if command.hasPrefix("MAIL FROM:") {
                from = String(line.dropFirst(10)).trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
                say("250 ok", context)
            } else if command.hasPrefix("RCPT TO:") {
                to.append(String(line.dropFirst(8)).trimmingCharacters(in: CharacterSet(charactersIn: "<> ")))
                say("250 ok", context)
            } else if command == "DATA" {
                data = []
                say("354 go ahead", context)
            } else if command == "QUIT" {
                say("221 bye", context)
                context.close(promise: nil)
            } else {
                say("502 not here", context)
            }
        }

        /// Decryption goes right after the wire tap, before the line decoder.
        private func startTLS(_ tls: NIOSSLContext, _ context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            guard let wire = try? pipeline.handler(type: WireTap.self) else { return }
            try? pipeline.addHandler(NIOSSLServerHandler(context: tls), position: .after(wire))
        }

        private func say(_ text: String, _ context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
        }
    }
}
