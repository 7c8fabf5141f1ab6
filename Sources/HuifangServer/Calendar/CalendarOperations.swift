import Fluent
import Foundation
import HuifangCore
import Vapor

/// The calendar questions the command line asks of the organisation's default calendar.
public enum CalendarQuestion: Sendable {
    case workdays(from: String, to: String)
    case addWorkdays(from: String, days: Int)
    case addHours(from: String, hours: Double, working: Bool)
    case show(year: Int)
    /// Adds a schedule (the data-file format, or iCalendar) to the default calendar.
    case importSchedule(bytes: [UInt8], fileName: String)
}

extension Operations {
    /// Answers with the text the command prints; a bad input throws an `OperationError` naming the parameter.
    public static func calendar(on app: Application, _ question: CalendarQuestion) async throws -> String {
        let store = CalendarStore(db: app.db)
        let stored = try await store.defaultCalendar()
        let queries = CalendarQueries(calendar: try await store.business(stored))
        do {
            switch question {
            case .workdays(let from, let to): return String(try queries.workdays(from: from, to: to))
            case .addWorkdays(let from, let days): return try queries.addWorkdays(from: from, days: days)
            case .addHours(let from, let hours, let working):
                return try queries.addHours(from: from, hours: hours, working: working)
            case .show(let year):
                let days = try await CalendarDay.query(on: app.db).filter(\.$calendar.$id == stored.id!).all()
                return CalendarQueries.show(year: year, days: days)
                    .map {
                        "\($0.date) \($0.kind)" + ($0.hours.map { " \($0.isEmpty ? "closed" : $0)" } ?? "")
                            + " \($0.name)"
                    }
                    .joined(separator: "\n")
            case .importSchedule(let bytes, let fileName):
                let schedule = try CalendarQueries.schedule(from: bytes)
                let count = try await store.apply(schedule, to: stored.id!)
                try await AuditLog.record(
                    "calendar.import", by: .commandLine(), subjectType: "calendar", subjectID: stored.name,
                    detail: "\(fileName): \(count) dates", at: app.clock.now(), on: app.db)
                return "\(count) dates added to \(stored.name)"
            }
        } catch let error as CalendarQueries.InputError {
            throw OperationError(error.message(in: app.huifang.defaultLanguage))
        } catch let error as HolidaySchedule.ParseError {
            throw OperationError("\(question.fileName): \(error.description)")
        }
    }
}

extension CalendarQuestion {
    var fileName: String {
        if case .importSchedule(_, let name) = self { return name }
        return "input"
    }
}
