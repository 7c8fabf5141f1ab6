import Foundation
import Testing

@testable import HuifangCore

/// Values at the edge of what a type holds, typed in or crafted, are answered as any other input: none of them
/// stops the process (an overflow, a force unwrap of nil).
@Suite struct EdgeValueTests {
    @Test func dayArithmeticSaturatesAtTheFirstAndLastDateALocalDateHolds() {
        let (first, last) = (LocalDate(year: 1, month: 1, day: 1)!, LocalDate(year: 9999, month: 12, day: 31)!)
        #expect(last.adding(days: 180) == last && first.adding(days: -1) == first)
        #expect(last.adding(days: Int.max) == last && first.adding(days: Int.min) == first)
        #expect(LocalDate(dayNumber: Int.max) == last && LocalDate(dayNumber: Int.min) == first)
        #expect(last.adding(days: -1).iso == "9999-12-30" && first.adding(days: 1).iso == "0001-01-02")
        #expect(LocalDate(year: 2026, month: 12, day: 31)!.adding(days: 1).iso == "2027-01-01")
    }

    @Test func anInstantOutsideYearsOneTo9999IsNoLocalTime() {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        #expect(LocalTime.parse("10000-01-01T00:00:00Z", in: zone) == nil)
        #expect(LocalTime.parse("0001-01-01T00:00:00Z", in: zone) == nil)
        #expect(LocalTime.parse("2026-03-01T00:00:00Z", in: zone)?.date.iso == "2026-03-01")
    }

    @Test func aCellReferenceBeyondExcelsLastColumnIsNone() {
        #expect(XLSXReader.column("B12") == 1 && XLSXReader.column("XFD1") == 16_383)
        #expect(XLSXReader.column("XFE1") == nil && XLSXReader.column("AAAA1") == nil)
        #expect(XLSXReader.column("AAAAAAAAAAAAAAA1") == nil)
    }

    @Test func hugePointsAreRefusedByNameNotSummed() {
        let plan = SpotCheckPlan(
            sharePerMille: 50, minimum: 3,
            checkpoints: [
                Checkpoint(key: "a", text: "开场问候", points: Int.max), Checkpoint(key: "b", text: "礼貌结束", points: 1),
            ])
        #expect(plan.problems().map(\.field) == ["checkpoints[0].points"])
    }
}
