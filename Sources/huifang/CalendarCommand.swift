import ArgumentParser
import Foundation
import HuifangCore
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
                "Add a year's schedule to the default calendar from a file: the schedule format or iCalendar (.ics).")
        @OptionGroup var options: ServerOptions
        @ArgumentParser.Argument(help: "The file.") var file: String
        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            try await ask(
                options,
                .importSchedule(
                    text: String(decoding: data, as: UTF8.self), fileName: (file as NSString).lastPathComponent))
        }
    }

    struct Benchmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Time N addWorkingDays and N addWorkingHours calls on the official calendar (build with -c release).")
        @ArgumentParser.Option(help: "Calls of each kind.") var calls = 1_000_000

        func run() async throws {
            let calendar = try Operations.officialCalendar(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
            var rng = SplitMix64(seed: 42)
            let first = LocalDate(year: 2015, month: 1, day: 1)!.dayNumber
            let dates = (0..<calls).map { _ in LocalDate(dayNumber: first + Int(rng.next() % 4000)) }
            let amounts = (0..<calls).map { _ in Int(rng.next() % 30) + 1 }
            let instants = (0..<calls).map { _ in
                Date(timeIntervalSince1970: Double(first) * 86_400 + Double(rng.next() % (4000 * 86_400)))
            }
            let hours = (0..<calls).map { _ in Double(rng.next() % 80) / 2 + 0.5 }

            let clock = ContinuousClock()
            var checksum = 0
            let days = clock.measure {
                for i in 0..<calls {
                    checksum &+= (try? calendar.addWorkingDays(amounts[i], after: dates[i]))?.day ?? 0
                }
            }
            var checkHours = 0.0
            let workingHours = clock.measure {
                for i in 0..<calls {
                    checkHours += (try? calendar.addWorkingHours(hours[i], to: instants[i]))?.timeIntervalSince1970 ?? 0
                }
            }
            func seconds(_ d: Duration) -> String {
                String(format: "%.3f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            }
            print("addWorkingDays  × \(calls): \(seconds(days))  (checksum \(checksum))")
            print("addWorkingHours × \(calls): \(seconds(workingHours))  (checksum \(Int(checkHours) % 1000))")
            print("together: \(seconds(days + workingHours))")
        }
    }
}
