import ArgumentParser
import HuifangServer

/// `huifang customer …`: one customer's personal data.
struct CustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer",
        abstract: "Work with one customer's personal data.",
        subcommands: [Export.self, Erase.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write everything held about customer ID to a ZIP (a JSON file and a readable summary).",
            discussion: "For a member's request to see or copy their data (PIPL). The file is readable by its owner "
                + "only and is not overwritten; the export is recorded in the audit log as the command line."
        )

        @OptionGroup var options: ServerOptions

        @Argument(help: "The customer's id (the number in /customers/ID).")
        var id: Int

        @ArgumentParser.Option(help: "Where to write the ZIP (default: customer-ID.zip in the current directory).")
        var output: String?

        func run() async throws {
            let config = try options.load()
            let message = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.exportCustomer(on: app, id: id, output: output)
                }
            }
            print(message)
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase customer ID's personal information everywhere; every figure stays the same.",
            discussion: "For a member's request to delete their data (PIPL). Cannot be undone. The erasure is recorded "
                + "(who, when, on whose request, why, the customer number) without personal data."
        )

        @OptionGroup var options: ServerOptions

        @Argument(help: "The customer's id (the number in /customers/ID).")
        var id: Int

        @ArgumentParser.Option(help: "On whose request (e.g. 本人来电); do not write the member's name or number.")
        var requestedBy: String

        @ArgumentParser.Option(help: "Why (e.g. 注销会员); do not write the member's name or number.")
        var reason: String

        @ArgumentParser.Option(help: "The member ID again (or the customer id when they have none), to confirm.")
        var confirm: String

        func run() async throws {
            let config = try options.load()
            let message = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.eraseCustomer(
                        on: app, id: id, requestedBy: requestedBy, reason: reason, confirm: confirm)
                }
            }
            print(message)
        }
    }
}
