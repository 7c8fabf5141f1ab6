import Foundation
import HuifangCore
import Vapor

extension Operations {
    /// Plans and distributes one day (today by default) and describes what it did.
    public static func plan(on app: Application, asOf: LocalDate?, json: Bool) async throws -> String {
        let day = asOf ?? app.today
        let planning = app.domain(as: .commandLine()).planning
        let summary: PlanSummary
        do {
            summary = try await planning.runNow(day: day, now: app.clock.now())
        } catch let conflict as JobConflict {
            throw OperationError(conflict.message(in: app.huifang.defaultLanguage, app.huifang))
        } catch let problem as NamedFieldError {  // a day outside the working calendar
            throw OperationError("--as-of \(day.iso): " + Catalogue.text(problem.key, app.huifang.defaultLanguage))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(summary), as: UTF8.self)
        }
        return describe(summary, app.huifang.defaultLanguage)
    }

    static func describe(_ summary: PlanSummary, _ language: Language) -> String {
        func t(_ key: String, _ value: Int) -> String { "\(Catalogue.text(key, language)): \(value)" }
        return [
            "\(Catalogue.text("planner.day", language)): \(summary.day)",
            t("planner.scanned", summary.customersScanned),
            t("planner.created", summary.tasksCreated),
            t("planner.merged", summary.merged),
            t("planner.skippedDND", summary.skippedDoNotDisturb),
            t("planner.skippedConsent", summary.skippedNoConsent),
            t("planner.capped", summary.capped),
            t("planner.missed", summary.missed),
            t("planner.assigned", summary.assigned),
            t("planner.unassigned", summary.unassigned),
        ].joined(separator: "\n")
    }
}
