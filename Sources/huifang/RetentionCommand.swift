import ArgumentParser
import HuifangServer

struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Purge personal information past the retention rules now (the server does it once a day).",
        discussion:
            "Erases customers inactive past the admin's limit (when set), empties old message bodies, deletes old notifications, drops old audit details, ends old sessions and sign-in attempts. Holds the retention lease, so it never runs beside another purge; exits 1 saying so while one runs."
    )

    @OptionGroup var options: ServerOptions

    @ArgumentParser.Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let config = try options.load()
        let output = try await reportingErrors {
            try await Operations.withApplication(config) { app in
                try await Operations.purge(on: app, json: json)
            }
        }
        print(output)
    }
}
