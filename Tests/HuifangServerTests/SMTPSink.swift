import Foundation
@testable import HuifangServer
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A mail server for tests: speaks enough SMTP on a local port to accept messages, and keeps them.
final class SMTPSink: @unchecked Sendable {
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
            guard let line = data.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("Subject: ") }) else { return "" }
            let word = line.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2)
            return Data(base64Encoded: String(word)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    private let lock = NIOLock()
    private var stored: [Message] = []
    private var channel: (any Channel)?
    private(set) var port = 0

    var messages: [Message] { lock.withLock { stored } }

    func keep(_ message: Message) { lock.withLock { stored.append(message) } }

    static func start() async throws -> SMTPSink {
        let sink = SMTPSink()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
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

    private final class Session: ChannelInboundHandler {
        typealias InboundIn = String
        typealias OutboundOut = ByteBuffer
        let sink: SMTPSink
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
            let command = line.uppercased()
            if command.hasPrefix("EHLO") || command.hasPrefix("HELO") {
                say("250-sink\r\n250 8BITMIME", context)
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

        private func say(_ text: String, _ context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
        }
    }
}
