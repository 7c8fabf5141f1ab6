import Foundation
import Testing

@testable import HuifangCore

@Suite struct FollowUpTests {
    let windows = ContactWindows(calendar: china, ranges: TimeRange.list("10:00-12:00,15:00-17:00")!)

    @Test func eachOutcomeCarriesTheFlagsTheFiguresCount() {
        #expect(
            ContactOutcome.reached.flags
                == OutcomeFlags(contactMade: true, completed: true, needsRetry: false, stopContacting: false))
        #expect(
            ContactOutcome.noAnswer.flags
                == OutcomeFlags(contactMade: false, completed: false, needsRetry: true, stopContacting: false))
        #expect(ContactOutcome.busy.flags.needsRetry && !ContactOutcome.busy.flags.contactMade)
        #expect(ContactOutcome.wrongNumber.flags.stopContacting && !ContactOutcome.wrongNumber.flags.contactMade)
        #expect(
            ContactOutcome.refused.flags.contactMade && ContactOutcome.refused.flags.stopContacting
                && !ContactOutcome.refused.flags.completed)
        #expect(ContactOutcome.callbackRequested.flags.contactMade && ContactOutcome.callbackRequested.flags.needsRetry)
        #expect(ContactOutcome.doNotCall.flags.stopContacting)
        #expect(ContactOutcome.allCases.filter(\.flags.completed) == [.reached])
    }

    @Test func anUnreachedCustomerIsTriedInTheNextWindowNotTheSameOneAndNeverOnAHoliday() {
        func after(_ outcome: ContactOutcome, made: Int, _ now: String, callback: Date? = nil) -> AttemptResult {
            AttemptResult.after(
                outcome, attemptsMade: made, maxAttempts: 3, now: at(now), callbackAt: callback, windows: windows)
        }
        #expect(after(.noAnswer, made: 1, "2024-09-27T10:30") == .retry(at: at("2024-09-27T15:00")))
        #expect(after(.busy, made: 1, "2024-09-27T08:00") == .retry(at: at("2024-09-27T10:00")))
        // Friday afternoon: Saturday 28 September is a weekend, Sunday 29 a make-up workday.
        #expect(after(.noAnswer, made: 2, "2024-09-27T15:30") == .retry(at: at("2024-09-29T10:00")))
        // Monday 30 September: 1–7 October is the National Day holiday.
        #expect(after(.noAnswer, made: 1, "2024-09-30T16:00") == .retry(at: at("2024-10-08T10:00")))
        #expect(after(.noAnswer, made: 3, "2024-09-30T10:00") == .unreachable)
        #expect(after(.wrongNumber, made: 1, "2024-09-30T10:00") == .unreachable)
        #expect(after(.refused, made: 1, "2024-09-30T10:00") == .refused)
        #expect(after(.doNotCall, made: 1, "2024-09-30T10:00") == .refused)
        #expect(after(.reached, made: 3, "2024-09-30T10:00") == .completed)
        // A callback the customer asked for is kept even past the maximum of attempts.
        #expect(
            after(.callbackRequested, made: 5, "2024-09-30T10:00", callback: at("2024-09-30T19:30"))
                == .callback(at: at("2024-09-30T19:30")))
    }

    func question(
        _ key: String, _ type: QuestionType, _ indicator: String = "服务态度", required: Bool = true, options: [String] = []
    ) -> SurveyQuestion {
        SurveyQuestion(
            key: key, text: "问题 \(key)", type: type, indicator: indicator, required: required, options: options)
    }

    @Test func aSurveyNamesEveryProblemOfItsQuestions() {
        let survey = SurveyDefinition(
            name: " ",
            questions: [
                question("q1", .scale5, "", options: ["差", "好"]),
                question("q1", .singleChoice, "", options: ["A"]),
                SurveyQuestion(key: "q3", text: "", type: .text),
            ])
        let problems = survey.problems().map { "\($0.field) \($0.key)" }
        #expect(problems.contains("name problem.required"))
        #expect(problems.contains("questions[0].indicator survey.problem.indicatorRequired"))
        #expect(problems.contains("questions[0].options survey.problem.fiveLabels"))
        #expect(problems.contains("questions[1].key survey.problem.duplicateKey"))
        #expect(problems.contains("questions[1].options survey.problem.twoChoices"))
        #expect(problems.contains("questions[2].text problem.required"))
        // A text question needs no indicator; a single choice none either.
        #expect(!problems.contains("questions[1].indicator survey.problem.indicatorRequired"))
        #expect(SurveyDefinition(name: "x", questions: []).problems().map(\.field) == ["questions"])
    }

    @Test func answersAreCheckedScoredAndMarkedAtTheThreshold() throws {
        var survey = SurveyDefinition(
            name: "售后",
            questions: [
                question("q1", .satisfaction3, "总体满意度"), question("q2", .scale5),
                question("q3", .nps, "推荐意愿", required: false),
                question("q4", .yesNo, "", required: false),
                question("q5", .singleChoice, "", required: false, options: ["门店", "电话"]),
                question("q6", .text, "", required: false),
            ], threshold: .lowest)
        let refused = #expect(throws: NamedFieldErrors.self) {
            try survey.score(["q2": "6", "q3": "11", "q4": "maybe", "q5": "网上", "q9": "1"])
        }
        #expect(
            Set(refused?.errors.map { "\($0.field) \($0.key)" } ?? []) == [
                "answers.q1 survey.problem.answerRequired", "answers.q2 survey.problem.scale",
                "answers.q3 survey.problem.nps",
                "answers.q4 survey.problem.yesNo", "answers.q5 survey.problem.choice",
                "answers.q9 survey.problem.unknownQuestion",
            ])
        let answers = try survey.score(["q1": "fair", "q2": "1", "q3": "6", "q4": "yes", "q5": "电话", "q6": "太慢了"])
        #expect(answers.map(\.score) == [2, 1, 6, nil, nil, nil])
        #expect(answers.map(\.isTopTwo) == [true, false, false, nil, nil, nil])
        #expect(answers.map(\.meetsThreshold) == [false, true, false, false, false, false])
        survey.threshold = .dissatisfied
        #expect(
            try survey.score(["q1": "dissatisfied", "q2": "2", "q3": "6"]).map(\.meetsThreshold) == [
                true, true, true,
            ])
        #expect(
            try survey.score(["q1": "satisfied", "q2": "3", "q3": "7"]).map(\.meetsThreshold) == [
                false, false, false,
            ])
        survey.threshold = .off
        #expect(try survey.score(["q1": "dissatisfied", "q2": "1"]).allSatisfy { !$0.meetsThreshold })
        // The choices the agent sees mark the low ones.
        #expect(survey.questions[1].choices(.lowest, .zh).filter(\.isLow).map(\.value) == ["1"])
        #expect(survey.questions[0].choices(.lowest, .zh).map(\.label) == ["满意", "基本满意", "不满意"])
    }

    @Test func placeholdersFillInChineseOrEnglishAndUnknownOnesAreNamed() {
        let text = "{称呼}您好，您的{product}已于{事件日期}保养。{姓名} {link}"
        #expect(
            Placeholder.fill(
                text, [.salutation: "王女士", .product: "轿车", .eventDate: "2026-11-20", .link: "https://x/s/1"])
                == "王女士您好，您的轿车已于2026-11-20保养。{姓名} https://x/s/1")
        #expect(Placeholder.unknown(in: text) == ["姓名"])
        #expect(Placeholder.salutation(name: "王芳", gender: "female") == "王女士")
        #expect(Placeholder.salutation(name: "李明", gender: nil) == "李明")
    }

    @Test func theRateLimiterCountsPerAddressInItsWindow() {
        var limiter = RateLimiter(limit: 2, window: 60)
        let first = limiter.allow("a", now: 0)
        let second = limiter.allow("a", now: 1)
        let third = limiter.allow("a", now: 2)
        let other = limiter.allow("b", now: 2)
        let later = limiter.allow("a", now: 61)
        #expect(first && second)
        #expect(!third)
        #expect(other)
        #expect(later)
    }
}
