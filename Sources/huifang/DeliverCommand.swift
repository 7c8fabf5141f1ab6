import ArgumentParser
import HuifangServer

struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Send what the outbox holds now: email over SMTP, SMS to the gateway (or only to the log).",
        discussion:
            "Each message is claimed before it is sent, so this never sends one twice, also beside running servers. The server delivers every HUIFANG_DELIVER_EVERY seconds."
    )

    @OptionGroup var options: ServerOptions

    @ArgumentParser.Flag(help: "Print the counts as JSON.")
    var json = false

    func run() async throws {
        let config = try options.load()
        let output = try await reportingErrors {
            try await Operations.withApplication(config) { app in
                try await Operations.deliver(on: app, json: json)
            }
        }
        print(output)
    }
}
