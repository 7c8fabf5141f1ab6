import ArgumentParser
import HuifangServer

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the figures for a period (the same numbers as GET /api/v1/reports/figures).",
        discussion: "Days are in the organisation's time zone, both included. A signed-off month gives the figures stored when it was signed. Each run is written to the audit log."
    )

    @OptionGroup var options: ServerOptions

    @ArgumentParser.Option(help: "First day, YYYY-MM-DD.")
    var from: String

    @ArgumentParser.Option(help: "Last day, YYYY-MM-DD (included).")
    var to: String

    @ArgumentParser.Option(help: "Group by: none, agent, department, rule, tier, channel, kind, indicator.")
    var by: String = "none"

    @ArgumentParser.Option(help: "json or csv.")
    var format: String = "json"

    func run() async throws {
        let config = try options.load()
        let output = try await reportingErrors {
            try await Operations.withApplication(config) { app in
                try await Operations.report(on: app, from: from, to: to, groupBy: by, format: format)
            }
        }
        print(output, terminator: format == "csv" ? "" : "\n")
    }
}
