import HuifangCore
import Testing

/// The one field error every validator reports, and how a form gathers them.
@Suite struct NamedFieldErrorTests {
    @Test func collectingKeepsTheValueOrAddsEveryRefusedFieldInOrder() {
        var errors = [NamedFieldError(field: "month", key: "report.problem.month")]
        let period = errors.collect(try ReportPeriod.parse(from: "2026-10-01", to: "2026-10-31"))
        #expect(period?.month == "2026-10" && errors.count == 1)
        let refused = errors.collect(try ReportPeriod.parse(from: nil, to: "2026-13-01"))
        #expect(refused == nil)
        #expect(
            errors == [
                NamedFieldError(field: "month", key: "report.problem.month"),
                NamedFieldError(field: "from", key: "problem.required"),
                NamedFieldError(field: "to", key: "problem.invalidDate"),
            ])
    }

    @Test func aTextTooLongNamesItsLimit() {
        #expect(
            NamedFieldError.tooLong("notes", 2000)
                == NamedFieldError(field: "notes", key: "problem.tooLong", arguments: ["2000"]))
    }
}
