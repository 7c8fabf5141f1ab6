import Foundation
import HuifangCore
import Testing

@Suite struct ListKeyTests {
    static let monday = Date(timeIntervalSince1970: 1_772_416_800)  // 2026-03-02 10:00 in Shanghai

    func clock(_ status: TicketStatus, answered: Bool = false, informDue: Date? = nil, paused: Bool = false)
        -> TicketClock
    {
        TicketClock(
            status: status, firstResponseAt: answered ? Self.monday : nil,
            firstResponseDue: Self.monday.addingTimeInterval(3600),
            resolutionDue: Self.monday.addingTimeInterval(7200), informDue: informDue, verificationDue: nil,
            pausedAt: paused ? Self.monday : nil)
    }

    @Test func runningClocksComeFirstByDeadlineThenPausedByTimeLeftThenTheRest() {
        let firstResponse = TicketListKey.make(clock(.assigned), pausedLeft: nil)
        let resolution = TicketListKey.make(clock(.inProgress, answered: true), pausedLeft: nil)
        let paused = TicketListKey.make(clock(.inProgress, paused: true), pausedLeft: 600)
        let pausedLonger = TicketListKey.make(clock(.inProgress, paused: true), pausedLeft: 6000)
        let noClock = TicketListKey.make(clock(.resolved), pausedLeft: nil)
        let closed = TicketListKey.make(clock(.closed), pausedLeft: nil)
        // Lists run by (rank, urgency) descending.
        let ordered = [firstResponse, resolution, paused, pausedLonger, noClock, closed]
        #expect(ordered == ordered.sorted { ($0.rank, $0.urgency) > ($1.rank, $1.urgency) })
        #expect(firstResponse.urgency == -Self.monday.addingTimeInterval(3600).timeIntervalSince1970)
        #expect(
            TicketListKey.make(clock(.resolved, informDue: Self.monday), pausedLeft: nil).rank == TicketListKey.running)
        #expect(closed.rank == TicketListKey.finished && noClock.rank == TicketListKey.open)
    }

    @Test func aCursorTokenReadsBackAsWrittenAndAForeignOneIsRefused() {
        let cursor = PageCursor(["3", "-1772420400.123456", "42"])
        #expect(PageCursor(token: cursor.token, count: 3) == cursor)
        #expect(cursor.token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "safe in a URL as is")
        #expect(PageCursor(token: cursor.token, count: 2) == nil)
        // base64 "fn5+fD8/Pw==": each character a URL changes is swapped (base64url) or left out (padding).
        let awkward = PageCursor(["~~~", "???"])
        #expect(awkward.token == "fn5-fD8_Pw")
        #expect(PageCursor(token: awkward.token, count: 2) == awkward)
        #expect(PageCursor(token: "not a cursor!", count: 3) == nil)
        #expect(PageCursor(["nan"]).double(0) == nil)
    }

    @Test func aPageKnowsWhetherMoreFollow() {
        let more = KeysetPage([1, 2, 3], limit: 2) { PageCursor(["\($0)"]) }
        #expect(more.rows == [1, 2] && more.next == PageCursor(["2"]))
        let last = KeysetPage([1, 2], limit: 2) { PageCursor(["\($0)"]) }
        #expect(last.rows == [1, 2] && last.next == nil)
    }
}

@Suite struct TimeLeftTests {
    /// Friday 6 March 2026, 18:00 in Shanghai: the end of a working day.
    static let fridayClose = Date(timeIntervalSince1970: 1_772_791_200)

    @Test func aDeadlinePassedOutsideWorkingHoursIsOverdueNotZeroLeft() throws {
        let saturday = Self.fridayClose.addingTimeInterval(16 * 3600)  // Saturday 10:00
        #expect(
            try TicketListKey.timeLeft(until: Self.fridayClose, at: saturday, calendar: china) == .overdue(seconds: 0))
        let monday = Self.fridayClose.addingTimeInterval(3 * 86_400 - 7 * 3600)  // Monday 11:00
        #expect(
            try TicketListKey.timeLeft(until: Self.fridayClose, at: monday, calendar: china)
                == .overdue(seconds: 2 * 3600))
        let friday = Self.fridayClose.addingTimeInterval(-3600)
        #expect(
            try TicketListKey.timeLeft(until: Self.fridayClose, at: friday, calendar: china) == .left(seconds: 3600))
    }
}
