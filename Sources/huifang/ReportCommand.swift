import ArgumentParser
import HuifangServer

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The figures for a period (the same numbers as GET /api/v1/reports/figures), and their benchmark.",
        subcommands: [Figures.self, Benchmark.self],
        defaultSubcommand: Figures.self
    )

    struct Figures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "figures",
            abstract: "Print the figures for a period as JSON or CSV: huifang report --from 2026-10-01 --to 2026-10-31 [--by agent] [--format csv].",
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

    struct Benchmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill a database without records or tickets with synthetic history and time a month's figures.")

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(help: "Completed follow-up records.")
        var records = 5_000_000

        @ArgumentParser.Option(help: "Tickets.")
        var tickets = 1_000_000

        @ArgumentParser.Option(help: "Inbound calls.")
        var calls = 500_000

        @ArgumentParser.Option(help: "Months the history spans (ending October 2026).")
        var months = 24

        @ArgumentParser.Option(help: "Timed runs of each report.")
        var runs = 5

        func validate() throws {
            guard records > 0, tickets > 0, calls > 0 else { throw ValidationError("--records, --tickets and --calls must be positive") }
            guard (1...120).contains(months) else { throw ValidationError("--months must be 1–120") }
            guard (1...50).contains(runs) else { throw ValidationError("--runs must be 1–50") }
        }

        func run() async throws {
            let config = try options.load()
            let output = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.reportBenchmark(on: app, records: records, tickets: tickets, calls: calls, months: months, runs: runs)
                }
            }
            print(output)
        }
    }
}
