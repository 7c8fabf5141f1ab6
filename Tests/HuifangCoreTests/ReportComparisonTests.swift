import Testing

@testable import HuifangCore

/// Which period a report opens on, the period it is compared with, and how a change is shown.
@Suite struct ReportComparisonTests {
    func day(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    @Test func aReportOpensOnTheLastFinishedMonthNotTheRunningOne() throws {
        #expect(ReportPeriod.lastFinishedMonth(before: day("2026-11-30")).label == "2026-10")
        #expect(ReportPeriod.lastFinishedMonth(before: day("2026-01-01")).label == "2025-12")
        #expect(ReportPeriod.runningMonth(day("2026-02-10")).to.iso == "2026-02-28")
        let today = day("2026-11-05")
        #expect(try ReportPeriod.requested(month: nil, from: nil, to: nil, today: today).label == "2026-10")
        #expect(try ReportPeriod.requested(month: "2026-07", from: "", to: "", today: today).label == "2026-07")
        #expect(
            try ReportPeriod.requested(month: "2026-07", from: "2026-10-03", to: "2026-10-09", today: today).label
                == "2026-10-03 – 2026-10-09", "dates given win over the month")
        #expect(
            try ReportPeriod.requested(month: nil, from: "2026-10-01", to: "2026-10-31", today: today).month
                == "2026-10", "a range that is a whole month is that month")
        #expect(throws: NamedFieldErrors(errors: [NamedFieldError(field: "month", key: "report.problem.month")])) {
            try ReportPeriod.requested(month: "2026-13", from: nil, to: nil, today: today)
        }
        #expect(throws: NamedFieldErrors(errors: [NamedFieldError(field: "to", key: "problem.required")])) {
            try ReportPeriod.requested(month: nil, from: "2026-10-01", to: " ", today: today)
        }
        // Dates a report could not reach around (the month before year 1, ten years after 9999) are refused.
        #expect(ReportPeriod(month: "0001-01") == nil && ReportPeriod(month: "9999-12") == nil)
        #expect(
            throws: NamedFieldErrors(errors: [
                NamedFieldError(field: "from", key: "report.problem.year", arguments: ["1970", "2999"])
            ])
        ) { try ReportPeriod.requested(month: nil, from: "0001-01-01", to: "2026-01-07", today: today) }
    }

    @Test func aMonthIsComparedWithTheMonthBeforeAndOtherRangesWithAsManyDaysBefore() throws {
        let october = ReportPeriod(month: "2026-10")!
        #expect(october.previous.label == "2026-09" && october.following.label == "2026-11")
        #expect(ReportPeriod(month: "2026-03")!.previous.label == "2026-02", "a short month before a long one")
        let quarter = try ReportPeriod.parse(from: "2026-07-01", to: "2026-09-30")
        #expect(quarter.wholeMonths == 3)
        #expect(quarter.previous.from.iso == "2026-04-01" && quarter.previous.to.iso == "2026-06-30")
        let week = try ReportPeriod.parse(from: "2026-10-10", to: "2026-10-16")
        #expect(week.wholeMonths == nil && week.dayCount == 7)
        #expect(week.previous.label == "2026-10-03 – 2026-10-09" && week.following.label == "2026-10-17 – 2026-10-23")
        let monthAndADay = try ReportPeriod.parse(from: "2026-10-01", to: "2026-11-01")
        #expect(monthAndADay.previous.label == "2026-08-30 – 2026-09-30", "32 days before")
    }

    @Test func eachValueIsShownAsOnTheReportAndTheChangeIsTheirDifference() {
        let now = FigureSet(
            rates: [.completion: Rate(2, of: 3), .satisfaction: Rate(0, of: 0)], medianWorkingDays: 2,
            meanScore: ScoreMean(sum: 7, count: 2),
            netPromoter: NetPromoterScore(promoters: 1, passives: 0, detractors: 1),
            calls: 3)
        let before = FigureSet(
            rates: [.completion: Rate(7, of: 10), .satisfaction: Rate(1, of: 2)], medianWorkingDays: 4,
            meanScore: ScoreMean(sum: 13, count: 3), calls: 3)
        let lines = Dictionary(
            uniqueKeysWithValues: ComparedMeasure.lines(now, before: before).map { ($0.measure, $0) })
        #expect(Measure.allCases.count == 14 && Measure.allCases.compactMap(\.figure) == Figure.allCases)
        let completion = lines[.completion]!
        #expect(completion.measure.text(completion.value) == Rate(2, of: 3).text)
        #expect(completion.measure.text(completion.previous) == "70.0%")
        #expect(completion.change?.text == "−3.3" && completion.change?.direction == .down)
        #expect(completion.change?.judgement(higherIsBetter: true) == "bad")
        #expect(lines[.satisfaction]!.change == nil, "nothing to compare with a period without answers")
        #expect(lines[.medianWorkingDays]!.change?.text == "−2")
        #expect(lines[.medianWorkingDays]!.change?.judgement(higherIsBetter: false) == "good", "contacted sooner")
        #expect(lines[.meanScore]!.measure.text(lines[.meanScore]!.value) == "3.50")
        #expect(lines[.meanScore]!.change?.text == "−0.83", "3.50 against 4.33")
        #expect(lines[.netPromoter]!.value == 0 && lines[.netPromoter]!.change == nil)
        #expect(lines[.calls]!.change?.text == "0" && lines[.calls]!.change?.judgement(higherIsBetter: nil) == "")
        #expect(Change(952, since: 940, decimals: 1)?.text == "+1.2")
        #expect(Change(5, since: 5, decimals: 1)?.text == "0.0")
        #expect(Measure.decimal(-5, 2) == "-0.05" && Measure.decimal(1000, 1) == "100.0")
    }
}
