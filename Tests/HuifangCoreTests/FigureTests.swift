@testable import HuifangCore
import Testing

@Suite struct FigureTests {
    @Test func aRateIsShownInTenthsOfAPercentAndNothingToDivideByIsADash() {
        #expect(Rate(19, of: 20).text == "95.0%")
        #expect(Rate(2, of: 3).perMille == 667 && Rate(2, of: 3).text == "66.7%")
        #expect(Rate(1, of: 3).text == "33.3%")
        #expect(Rate(1, of: 2000).perMille == 1, "0.05 % rounds half up")
        #expect(Rate(0, of: 7).text == "0.0%")
        #expect(Rate(0, of: 0).perMille == nil && Rate(0, of: 0).text == "—")
    }

    @Test func theNetPromoterScoreIsPromotersLessDetractors() {
        #expect(NetPromoterScore(promoters: 5, passives: 3, detractors: 2).score == 30)
        #expect(NetPromoterScore(promoters: 1, passives: 0, detractors: 2).score == -33)
        #expect(NetPromoterScore(promoters: 1, passives: 1, detractors: 0).score == 50)
        #expect(NetPromoterScore(promoters: 0, passives: 1, detractors: 1).score == -50)
        #expect(NetPromoterScore(promoters: 0, passives: 0, detractors: 0).score == nil)
    }

    @Test func aTargetTakesAPointForEachStartedFivePointsBelowIt() {
        let target = FigureTarget(figure: .completion, minimumPerMille: 950)
        #expect(target.isMet(by: Rate(95, of: 100)) == true)
        #expect(target.isMet(by: Rate(0, of: 0)) == nil)
        #expect(target.deduction(for: Rate(95, of: 100)) == 0)
        #expect(target.deduction(for: Rate(949, of: 1000)) == 1)
        #expect(target.deduction(for: Rate(90, of: 100)) == 1)
        #expect(target.deduction(for: Rate(899, of: 1000)) == 2)
        #expect(target.deduction(for: Rate(0, of: 0)) == 0, "no rate, no deduction")
        #expect(FigureTarget(figure: .satisfaction, minimumPerMille: 900, pointsPerStep: 2).deduction(for: Rate(80, of: 100)) == 4)
    }

    @Test func theMedianTakesTheMiddleOrTheMeanOfTheMiddleTwo() {
        #expect(median([]) == nil)
        #expect(median([5]) == 5)
        #expect(median([9, 1, 5]) == 5)
        #expect(median([1, 2, 3, 10]) == 2)
        #expect(median([4, 8]) == 6)
    }
}
