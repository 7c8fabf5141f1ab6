import Foundation
import HuifangCore
import HuifangServer

extension Operations {
    /// The official schedule for mainland China with standard hours, without a database.
    static func officialCalendar(timeZone: TimeZone) throws -> BusinessCalendar {
        BusinessCalendar(timeZone: timeZone, schedule: try OfficialChinaSchedule.load())
    }

    /// Times `calls` addWorkingDays and `calls` addWorkingHours calls on the official calendar, with random
    /// dates and instants in 2015–2026 (the same for the same count); what `huifang calendar benchmark` prints.
    public static func calendarBenchmark(calls: Int) throws -> String {
        let calendar = try officialCalendar(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
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
        return [
            "addWorkingDays  × \(calls): \(seconds(days))  (checksum \(checksum))",
            "addWorkingHours × \(calls): \(seconds(workingHours))  (checksum \(Int(checkHours) % 1000))",
            "together: \(seconds(days + workingHours))",
        ].joined(separator: "\n")
    }
}
