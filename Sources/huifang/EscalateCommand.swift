import ArgumentParser
import Foundation
import HuifangBenchmarks
import HuifangServer

struct EscalateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalate",
        abstract: "Escalate tickets whose deadlines have passed, and send the queued email.",
        discussion:
            "Each breach escalates to each level once, however often this runs and on however many instances. The server also sweeps every HUIFANG_ESCALATE_EVERY seconds.",
        subcommands: [Run.self, Benchmark.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "One sweep now (the default).")

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Flag(help: "Print the summary as JSON.")
        var json = false

        func run() async throws {
            let config = try options.load()
            let output = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.escalate(on: app, json: json)
                }
            }
            print(output)
        }
    }

    struct Benchmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill a database without tickets with synthetic open tickets and time the escalation sweep.")

        @OptionGroup var options: ServerOptions

        @ArgumentParser.Option(help: "Open tickets.")
        var tickets = 1_000_000

        @ArgumentParser.Option(name: .customLong("due-share"), help: "Share of them past a deadline, 0–1.")
        var dueShare = 0.01

        @ArgumentParser.Option(help: "Departments, each with a head.")
        var departments = 20

        func validate() throws {
            guard (0...1).contains(dueShare) else { throw ValidationError("--due-share must be from 0 to 1") }
            guard tickets >= 0 else { throw ValidationError("--tickets must not be negative") }
        }

        func run() async throws {
            let config = try options.load()
            let output = try await reportingErrors {
                try await Operations.withApplication(config) { app in
                    try await Operations.escalationBenchmark(
                        on: app, tickets: tickets, dueShare: dueShare, departments: departments)
                }
            }
            print(output)
        }
    }
}
