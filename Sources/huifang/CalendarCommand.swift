import ArgumentParser
import Foundation
import HuifangBenchmarks
import HuifangServer

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract:
            "Working days and hours by the organisation's default calendar (China's official schedule by default).",
        subcommands: [Workdays.self, AddWorkdays.self, AddHours.self, Show.self, Import.self, Benchmark.self]
    )

    /// Asks the default calendar one question and prints the answer.
    static func ask(_ options: ServerOptions, _ question: CalendarQuestion) async throws {
        let config = try options.load()
        let answer = try await reportingErrors {
            try await Operations.withApplication(config) { app in try await Operations.calendar(on: app, question) }
        }
        print(answer)
    }

    struct Workdays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the number of working days from one date through another, both included.")
        @OptionGroup var options: ServerOptions
        @ArgumentParser.Option(help: "First date, YYYY-MM-DD.") var from: String
        @ArgumentParser.Option(help: "Last date, YYYY-MM-DD.") var to: String
        func run() async throws { try await ask(options, .workdays(from: from, to: to)) }
    }

    struct AddWorkdays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-workdays",
            abstract: "Print the n-th working day after a date (the date itself never counts).")
        @OptionGroup var options: ServerOptions
        @ArgumentParser.Option(help: "The date, YYYY-MM-DD.") var from: String
        @ArgumentParser.Option(help: "Working days to add (negative: before).") var days: Int
        func run() async throws { try await ask(options, .addWorkdays(from: from, days: days)) }
    }

    struct AddHours: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-hours",
            abstract: "Print a local time plus hours: calendar hours, or with --working only time inside working hours."
        )
        @OptionGroup var options: ServerOptions
        @ArgumentParser.Option(help: "Local time, YYYY-MM-DDTHH:MM.") var from: String
        @ArgumentParser.Option(help: "Hours to add (decimals allowed).") var hours: Double
        @ArgumentParser.Flag(help: "Count only working hours.") var working = false
        func run() async throws { try await ask(options, .addHours(from: from, hours: hours, working: working)) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a year's holidays, make-up workdays and dates with hours of their own.")
        @OptionGroup var options: ServerOptions
        @ArgumentParser.Option(help: "The year.") var year: Int
        func run() async throws { try await ask(options, .show(year: year)) }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Add a year's schedule to the default calendar from a file: the schedule format, iCalendar (.ics) or .xlsx."
        )
        @OptionGroup var options: ServerOptions
        @ArgumentParser.Argument(help: "The file.") var file: String
        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            try await ask(
                options,
                .importSchedule(
                    bytes: [UInt8](data), fileName: (file as NSString).lastPathComponent))
        }
    }

    struct Benchmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Time N addWorkingDays and N addWorkingHours calls on the official calendar (build with -c release).")
        @ArgumentParser.Option(help: "Calls of each kind.") var calls = 1_000_000

        func run() async throws { print(try Operations.calendarBenchmark(calls: calls)) }
    }
}
