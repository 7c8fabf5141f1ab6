import ArgumentParser
import Foundation
import HuifangCore
import HuifangServer

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Run the follow-up planner and the distribution for a day (today by default).",
        discussion: "Idempotent: running a day again creates nothing new. The server also runs it daily at HUIFANG_PLAN_AT."
    )

    @OptionGroup var options: ServerOptions

    @ArgumentParser.Option(name: .customLong("as-of"), help: "The day to plan, YYYY-MM-DD (default: today in HUIFANG_TIMEZONE).")
    var asOf: String?

    @ArgumentParser.Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        let config = try options.load()
        var day: LocalDate?
        if let asOf {
            guard let parsed = LocalDate(iso: asOf) else { throw ValidationError("--as-of \(asOf): expected a date like 2026-11-25") }
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
