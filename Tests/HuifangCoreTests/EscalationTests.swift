import Foundation
import HuifangCore
import Testing

@Suite struct EscalationLadderTests {
    let ladder = EscalationLadder.defaults

    func clock(status: TicketStatus = .assigned, firstResponseAt: Date? = nil, pausedAt: Date? = nil) -> TicketClock {
        TicketClock(
            status: status, firstResponseAt: firstResponseAt, firstResponseDue: at("2024-09-30T18:00"),
            resolutionDue: at("2024-10-10T18:00"), informDue: nil, verificationDue: nil, pausedAt: pausedAt)
    }

    @Test func theRunningDeadlineFollowsTheTicketsStage() {
        #expect(clock().running?.deadline == .firstResponse)
        #expect(
            clock(status: .inProgress, firstResponseAt: at("2024-09-30T10:00")).running
                == RunningDeadline(.resolution, at("2024-10-10T18:00")))
        #expect(clock(status: .closed).running == nil)
        #expect(clock(pausedAt: at("2024-09-30T11:00")).running == nil, "a stopped clock runs no deadline")
        #expect(
            RunningDeadline(.resolution, at("2024-10-10T18:00")).key
                != RunningDeadline(.resolution, at("2024-10-11T18:00")).key,
            "an extended deadline is a new breach")
    }

    @Test func levelsFallDueInWorkingTimeAcrossTheNationalDayHolidayOnceEach() throws {
        let running = clock().running
        // Breached on 30 Sept at 18:00; the next working hours are on 8 October.
        let (none, next) = try ladder.due(running, reached: 0, now: at("2024-09-30T17:59"), calendar: china)
        #expect(none.isEmpty && next == at("2024-09-30T18:00"))
        let (first, afterFirst) = try ladder.due(running, reached: 0, now: at("2024-10-03T12:00"), calendar: china)
        #expect(first.map(\.level) == [1] && first[0].notify == .departmentHead)
        #expect(
            afterFirst.map { local($0) } == "2024-10-08T14:30",
            "4 working hours after the close of 30 Sept: 09:00–12:00, 13:30–14:30")
        let (both, done) = try ladder.due(running, reached: 0, now: at("2024-10-08T14:30"), calendar: china)
        #expect(both.map(\.level) == [1, 2] && both[1].notify == .supervisors && done == nil)
        let (again, _) = try ladder.due(running, reached: 2, now: at("2024-12-01T10:00"), calendar: china)
        #expect(again.isEmpty, "nothing beyond the top of the ladder")
    }

    @Test func aWorkingDayLevelLandsOnAMakeUpWorkday() throws {
        let ladder = EscalationLadder([EscalationLevel(after: PolicyDuration(1, .workingDays), notify: .supervisors)])
        // Breached Friday 29 Sept 2023 is the Mid-Autumn holiday; 7 Oct 2023 (Saturday) is a make-up workday.
        let running = RunningDeadline(.resolution, at("2023-09-28T15:00"))
        let moment = try #require(try ladder.moment(of: 1, for: running, calendar: china))
        #expect(local(moment) == "2023-10-07T15:00")
    }

    @Test func aStoppedClockKeepsTheTimeItHadLeft() throws {
        // Monday 11:00 → Thursday 18:00 has 28 working hours; resumed Wednesday 11:00 they end Monday 18:00.
        let due = try PausedClock.resume(
            due: at("2026-03-05T18:00"), pausedAt: at("2026-03-02T11:00"), resumedAt: at("2026-03-04T11:00"),
            unit: .workingDays, calendar: china)
        #expect(local(due) == "2026-03-09T18:00")
        let calendarHours = try PausedClock.resume(
            due: at("2026-03-02T14:00"), pausedAt: at("2026-03-02T11:00"), resumedAt: at("2026-03-02T12:30"),
            unit: .calendarHours, calendar: china)
        #expect(local(calendarHours) == "2026-03-02T15:30")
    }

    @Test func settingsNameEveryProblem() {
        var settings = TicketSettings.defaults
        #expect(settings.problems().isEmpty)
        settings.policies[1].name = settings.policies[0].name
        settings.fallback.verification = PolicyDuration(0, .workingDays)
        settings.ladder = EscalationLadder([])
        settings.categories.append(TicketCategory("bad code", ""))
        #expect(
            settings.problems().map { "\($0.field) \($0.key)" } == [
                "policies[1].name ticket.problem.duplicateName", "fallback.verification ticket.problem.duration",
                "ladder escalation.problem.levelCount", "categories[7].code ticket.problem.categoryCode",
                "categories[7].name problem.required",
            ])
        for problem in settings.problems() { #expect(Catalogue.contains(problem.key), "\(problem.key)") }
    }
}
