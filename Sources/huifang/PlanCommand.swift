import ArgumentParser
import Foundation
import HuifangBenchmarks
import HuifangCore
import HuifangServer

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Run the follow-up planner and the distribution for a day (today by default).",
        discussion:
            "Idempotent: running a day again creates nothing new. The server also runs it daily at HUIFANG_PLAN_AT.",
        subcommands: [Run.self, Benchmark.self],
        defaultSubcommand: Run.self
    )

    struct Benchmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Fill an empty database with a synthetic organisation and time one planning day and the distribution.")

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(help: "Synthetic customers.")
        var customers = 1_000_000

        @ArgumentParser.Option(help: "Synthetic service events.")
        var events = 3_000_000

        @ArgumentParser.Option(help: "Agents (every fifth has the medical skill).")
        var agents = 60

        @ArgumentParser.Flag(help: "Measure again on the data an earlier run generated (its tasks are removed first).")
        var reuse = false

        func run() async throws {
            let config = try options.load()
            let output = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.planBenchmark(
                        on: app, customers: customers, events: events, agents: agents,
                        asOf: LocalDate(year: 2026, month: 3, day: 2)!, reuse: reuse)
                }
            }
            print(output)
        }
    }
}

extension PlanCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Plan and distribute a day (the default).")

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(
            name: .customLong("as-of"), help: "The day to plan, YYYY-MM-DD (default: today in HUIFANG_TIMEZONE).")
        var asOf: String?

        @ArgumentParser.Flag(help: "Print the summary as JSON.")
        var json = false

        func run() async throws {
            let config = try options.load()
            var day: LocalDate?
            if let asOf {
                guard let parsed = LocalDate(iso: asOf) else {
                    throw ValidationError("--as-of \(asOf): expected a date like 2026-11-25")
                }
                day = parsed
            }
            let output = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.plan(on: app, asOf: day, json: json)
                }
            }
            print(output)
        }
    }
}
