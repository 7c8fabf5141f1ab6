import Testing

@testable import HuifangCore

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
        #expect(
            FigureTarget(figure: .satisfaction, minimumPerMille: 900, pointsPerStep: 2).deduction(
                for: Rate(80, of: 100)) == 4)
    }
}

@Suite struct SpotCheckAndPeriodTests {
    @Test func samplingIsReproducibleFromItsSeedAndTakesTheShareOrTheMinimum() {
        let plan = SpotCheckPlan(sharePerMille: 50, minimum: 3, checkpoints: SpotCheckPlan.standard.checkpoints)
        #expect(
            plan.sampleSize(of: 200) == 10 && plan.sampleSize(of: 21) == 3 && plan.sampleSize(of: 2) == 2
                && plan.sampleSize(of: 0) == 0)
        #expect(plan.sampleSize(of: 61) == 4, "5 % of 61 is 3.05, rounded up")
        let records = Array(1...200)
        let first = plan.sample(records, seed: "2026-10/agent1")
        #expect(
            first == plan.sample(records.reversed(), seed: "2026-10/agent1"),
            "the same seed and records give the same choice")
        #expect(first.count == 10 && Set(first).count == 10 && first.allSatisfy(records.contains))
        #expect(first != plan.sample(records, seed: "2026-10/agent2"))
        // The hash is fixed, not Swift's per-process one: this choice is the same on every machine.
        var generator = SplitMix64(text: "huifang")
        #expect(generator.next() == 2_278_291_328_815_033_752, "FNV-1a then SplitMix64, worked out independently")
    }

    @Test func aReviewScoresItsCheckpointsAndAnInstantFailItemFailsIt() {
        let plan = SpotCheckPlan.standard
        #expect(plan.maxScore == 100)
        let allMet = Dictionary(uniqueKeysWithValues: plan.checkpoints.map { ($0.key, true) })
        #expect(try! plan.score(allMet) == (100, false))
        var partly = allMet
        partly["script"] = false
        #expect(try! plan.score(partly) == (70, false))
        partly["privacy"] = false
        #expect(try! plan.score(partly) == (0, true))
        let unjudged = #expect(throws: NamedFieldErrors.self, "an unjudged checkpoint must be refused") {
            try plan.score(["greeting": true])
        }
        #expect(
            unjudged?.errors.contains(NamedFieldError(field: "results.script", key: "spot.problem.unjudged")) == true)
    }

    @Test func aSpotCheckPlanNamesEveryProblemOfItsCheckpoints() {
        func problems(_ plan: SpotCheckPlan) -> [String] { plan.problems().map { "\($0.field) \($0.key)" } }
        #expect(problems(.standard).isEmpty)
        let plan = SpotCheckPlan(
            sharePerMille: 0, minimum: 1001,
            checkpoints: [
                Checkpoint(key: "a", text: " ", points: 101), Checkpoint(key: "a", text: "准确", points: -1),
            ])
        #expect(
            problems(plan) == [
                "sharePerMille spot.problem.share", "minimum spot.problem.minimum",
                "checkpoints[0].text problem.required", "checkpoints[0].points spot.problem.points",
                "checkpoints[1].points spot.problem.points", "checkpoints[1].key spot.problem.key",
            ])
        #expect(
            problems(SpotCheckPlan(sharePerMille: 50, minimum: 3, checkpoints: [])) == ["checkpoints problem.required"])
        let pointless = SpotCheckPlan(
            sharePerMille: 50, minimum: 3, checkpoints: [Checkpoint(key: "a", text: "问候", points: 0)])
        #expect(problems(pointless) == ["checkpoints spot.problem.noPoints"])
    }

    @Test func periodsAreCheckedFieldByField() {
        #expect(
            ReportPeriod(month: "2026-02")?.to.iso == "2026-02-28"
                && ReportPeriod(month: "2024-02")?.to.iso == "2024-02-29")
        #expect(ReportPeriod(month: "2026-13") == nil && ReportPeriod(month: "26-01") == nil)
        #expect(ReportPeriod(month: "2026-10")?.month == "2026-10")
        #expect(
            ReportPeriod(
                from: LocalDate(year: 2026, month: 10, day: 1)!, to: LocalDate(year: 2026, month: 10, day: 30)!
            ).month == nil)
        let months = ReportPeriod.months(endingWith: LocalDate(year: 2026, month: 2, day: 15)!, count: 3).map {
            $0.from.iso
        }
        #expect(months == ["2025-12-01", "2026-01-01", "2026-02-01"])
        #expect(
            throws: NamedFieldErrors(errors: [
                NamedFieldError(field: "from", key: "problem.required"),
                NamedFieldError(field: "to", key: "problem.invalidDate"),
            ])
        ) { try ReportPeriod.parse(from: "", to: "2026-99-01") }
        #expect(throws: NamedFieldErrors(errors: [NamedFieldError(field: "to", key: "report.problem.toBeforeFrom")])) {
            try ReportPeriod.parse(from: "2026-10-31", to: "2026-10-01")
        }
        #expect(
            weightedMedian([(4, 1), (0, 1), (2, 1)]) == 2 && weightedMedian([(1, 3), (9, 1)]) == 1
                && weightedMedian([]) == nil)
        #expect(
            weightedMedian([(4, 1), (8, 1)]) == 4 && weightedMedian([(1, 1), (2, 1), (3, 1), (10, 1)]) == 2,
            "the lower middle of an even count")
        #expect(
            ScoreMean(sum: 7, count: 2).text == "3.50" && ScoreMean(sum: 13, count: 3).text == "4.33"
                && ScoreMean(sum: 0, count: 0).text == "—")
    }
}
