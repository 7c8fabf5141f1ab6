import Foundation
import HuifangCore
import Testing

/// What a recorded contact attempt may contain, without a database.
@Suite struct AttemptRulesTests {
    let now = at("2026-03-02T10:00")

    func problems(_ input: AttemptInput) -> [String] {
        do {
            _ = try AttemptRules.check(input, at: now)
            return []
        } catch {
            return error.errors.map { "\($0.field) \($0.key)" }
        }
    }

    @Test func aPlainAttemptEndsNowAndKeepsItsTrimmedWords() throws {
        let checked = try AttemptRules.check(
            AttemptInput(outcome: "noAnswer", channel: "phone", notes: "  无人接听  "), at: now)
        #expect(checked.outcome == .noAnswer && checked.channel == .phone && checked.notes == "无人接听")
        #expect(checked.startedAt == now && checked.endedAt == now && checked.callbackAt == nil)
    }

    @Test func everyProblemIsNamedInTheOrderOfTheForm() {
        let input = AttemptInput(
            outcome: "maybe", channel: "pigeon", startedAt: at("2026-03-02T11:00"), endedAt: at("2026-03-02T10:30"),
            notes: String(repeating: "话", count: 2001), recordingRef: "rec-1")
        #expect(
            problems(input) == [
                "outcome record.problem.outcome", "channel rule.problem.channel", "startedAt record.problem.duration",
                "endedAt record.problem.future", "notes problem.tooLong", "recordingRef record.problem.noConsent",
            ])
    }

    @Test func aCallbackNeedsAFutureTimeAndAnUnreadableOneIsNotCalledMissing() {
        #expect(
            problems(AttemptInput(outcome: "callbackRequested", channel: "phone"))
                == ["callbackAt record.problem.callbackRequired"])
        #expect(
            problems(AttemptInput(outcome: "callbackRequested", channel: "phone", callbackAt: at("2026-03-02T09:00")))
                == ["callbackAt record.problem.callbackPast"])
        #expect(
            problems(AttemptInput(outcome: "callbackRequested", channel: "phone", unreadableTimes: ["callbackAt"]))
                == ["callbackAt events.problem.invalidTime"])
        #expect(
            problems(AttemptInput(outcome: "callbackRequested", channel: "phone", callbackAt: at("2026-03-03T09:00")))
                .isEmpty)
    }

    @Test func aCallLongerThanADayOrEndingBeyondTheClockDifferenceIsRefused() {
        #expect(
            problems(
                AttemptInput(
                    outcome: "reached", channel: "phone", startedAt: at("2026-03-01T09:00"),
                    endedAt: at("2026-03-02T09:30"))) == ["startedAt record.problem.duration"])
        #expect(
            problems(AttemptInput(outcome: "reached", channel: "phone", endedAt: now.addingTimeInterval(299)))
                .isEmpty, "five minutes of clock difference")
        #expect(
            problems(
                AttemptInput(
                    outcome: "reached", channel: "phone", recordingRef: "rec-1",
                    recordingConsent: true)
            ).isEmpty)
    }
}
