import Foundation
import HuifangCore
import Testing

@Suite struct RosterTests {
    typealias Day = WeeklyRoster.DayInput

    /// 早班 on weekdays, 晚班 on Saturday, Sunday off.
    let week = WeeklyRoster(days: [.early, .early, .early, .early, .early, .late, .off])

    @Test func aWeekIsReadFromTheStandardShiftsAndCustomHoursMondayFirst() throws {
        let roster = try WeeklyRoster.parse([
            "mon": Day(shift: "early"), "tue": Day(shift: "late"),
            "wed": Day(shift: "custom", start: "08:30", end: "12:00"),
            "thu": Day(shift: "off"), "fri": Day(shift: "early", start: "ignored"), "sat": Day(shift: "off"),
            "sun": Day(shift: "custom", start: "18:00", end: "24:00"),
        ])
        #expect(roster.days[0] == .early && roster.days[0].hours?.description == "09:00-15:00")
        #expect(roster.days[1].hours?.description == "13:00-21:00")
        #expect(roster.days[2] == .custom(TimeRange(parsing: "08:30-12:00")!))
        #expect(roster.days[3] == .off && roster.days[4] == .early)
        #expect(roster.days[6].seconds == 6 * 3600)
        #expect(roster.inputs["wed"] == Day(shift: "custom", start: "08:30", end: "12:00"))
        #expect(roster.inputs["thu"] == Day(shift: "off"))
        #expect(try WeeklyRoster.parse(roster.inputs) == roster, "what the form shows reads back the same")
    }

    @Test func everyRefusedDayIsNamedByItsFieldAllAtOnce() {
        var input = week.inputs
        input["tue"] = Day(shift: "custom", start: "18:00", end: "10:00")
        input["wed"] = Day(shift: "custom", start: "9点", end: "")
        input["thu"] = Day(shift: "night")
        input["sun"] = nil
        #expect(throws: NamedFieldErrors.self) { try WeeklyRoster.parse(input) }
        do {
            _ = try WeeklyRoster.parse(input)
        } catch {
            #expect(
                error.errors.map { "\($0.field) \($0.key)" } == [
                    "tue.end roster.problem.order", "wed.start roster.problem.time", "wed.end roster.problem.time",
                    "thu.shift roster.problem.shift", "sun.shift roster.problem.shift",
                ])
        }
    }

    @Test func theHoursOnShiftOfADayComeFromItsWeekdayAndAnAgentWithoutARosterWorksAFullDay() {
        let fullDay = WeeklyRoster.fullDay(weeklyHours: BusinessCalendar.standardHours)
        #expect(fullDay == 7 * 3600 + 1800, "09:00–12:00 and 13:30–18:00")
        #expect(WeeklyRoster.fullDay(weeklyHours: Array(repeating: [], count: 7)) == 8 * 3600)
        // Monday 2 March 2026, Saturday 7 March, Sunday 8 March.
        #expect(WeeklyRoster.seconds(week, on: date("2026-03-02"), fullDay: fullDay) == 6 * 3600)
        #expect(WeeklyRoster.seconds(week, on: date("2026-03-07"), fullDay: fullDay) == 8 * 3600)
        #expect(WeeklyRoster.seconds(week, on: date("2026-03-08"), fullDay: fullDay) == 0)
        #expect(WeeklyRoster.seconds(nil, on: date("2026-03-08"), fullDay: fullDay) == fullDay)
        // 28 Feb 2026 is a make-up workday, a Saturday: it follows the Saturday of the roster.
        #expect(week.shift(on: date("2026-02-28")) == .late)
    }

    @Test func theDaysWorkIsSharedInProportionToTheHoursOnShiftAndNobodyOffShiftGetsAny() {
        let early = AgentCapacity(id: UUID(), name: "王芳", shiftSeconds: 6 * 3600)
        let late = AgentCapacity(id: UUID(), name: "李娜", shiftSeconds: 8 * 3600)
        let off = AgentCapacity(id: UUID(), name: "赵敏", shiftSeconds: 0)
        let onLeave = AgentCapacity(id: UUID(), name: "孙丽", isAbsent: true, shiftSeconds: 8 * 3600)
        let tasks = (1...14).map { UnassignedTask(id: $0) }
        let (assignments, unassigned) = Distributor().distribute(tasks, among: [early, late, off, onLeave])
        let counts = Dictionary(grouping: assignments, by: \.agentID).mapValues(\.count)
        #expect(counts == [early.id: 6, late.id: 8] && unassigned.isEmpty)

        // Open tasks already held count: 王芳 has 3, so she takes 3 of 11 and both end at 6 ÷ 8 of each other.
        var busy = early
        busy.openLoad = 3
        let more = Distributor().distribute((1...11).map { UnassignedTask(id: $0) }, among: [busy, late]).assignments
        #expect(more.filter { $0.agentID == early.id }.count == 3 && more.filter { $0.agentID == late.id }.count == 8)
    }

    @Test func aCustomersOwnAgentOffShiftLeavesTheTaskToAnAgentOnShift() {
        let own = AgentCapacity(id: UUID(), name: "王芳", shiftSeconds: 0)
        let other = AgentCapacity(id: UUID(), name: "李娜", shiftSeconds: 6 * 3600)
        let (assignments, _) = Distributor().distribute(
            [UnassignedTask(id: 1, preferredAgent: own.id)], among: [own, other])
        #expect(assignments == [Assignment(taskID: 1, agentID: other.id, basis: .leastLoaded, loadBefore: 0)])
        let (nobody, unassigned) = Distributor().distribute([UnassignedTask(id: 2)], among: [own])
        #expect(nobody.isEmpty && unassigned == [2], "a task nobody on shift can take waits")
    }
}
