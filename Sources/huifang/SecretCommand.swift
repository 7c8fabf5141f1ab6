import ArgumentParser
import HuifangServer

/// `huifang secret …`: the keys survey links are signed with.
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Manage the keys survey links are signed with.",
        subcommands: [Rotate.self]
    )

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new survey link key current; links signed before keep working for a grace period.",
            discussion: "Links are signed with a key from the database stretched with HUIFANG_SECRET. "
                + "Rotate after the database or the secret may have leaked; --grace-days 0 ends the old links now."
        )

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(help: "Days the previous keys stay accepted (default: HUIFANG_SURVEY_LINK_DAYS).")
        var graceDays: Int?

        func run() async throws {
            let config = try options.load()
            let output = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.rotateLinkKey(on: app, graceDays: graceDays)
                }
            }
            print(output)
        }
    }
}
