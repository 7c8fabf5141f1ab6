import HuifangCore
import Testing

/// The live notifications' wire format and the poll's cursor, without a server.
@Suite struct LiveStreamTests {
    @Test func anEventIsItsFieldsThenOneDataLinePerLineThenABlankLine() {
        let event = ServerSentEvent(event: "notification", id: "42", data: "{\"a\":1}\n第二行\r\nthird\rfourth")
        #expect(
            event.encoded
                == "event: notification\nid: 42\ndata: {\"a\":1}\ndata: 第二行\ndata: third\ndata: fourth\n\n")
    }

    @Test func aLineBreakCannotSmuggleAFieldIntoTheNameOrTheId() {
        let event = ServerSentEvent(event: "x\ndata: forged", id: "1\r\nretry: 1", data: "")
        #expect(event.encoded == "event: xdata: forged\nid: 1retry: 1\ndata: \n\n")
        #expect(ServerSentEvent.comment("keep\nalive") == ": keepalive\n\n")
        #expect(ServerSentEvent.retry(milliseconds: 5000) == "retry: 5000\n\n")
    }

    @Test func lastEventIDIsANonNegativeIntegerOrNothing() {
        #expect(ServerSentEvent.lastEventID(" 17 ") == 17)
        #expect(ServerSentEvent.lastEventID("0") == 0)
        for raw in [nil, "", "-1", "abc", "1.5", "99999999999999999999"] {
            #expect(ServerSentEvent.lastEventID(raw) == nil, "\(raw ?? "nil")")
        }
    }

    @Test func theCursorMovesToTheHighestIdAndRemembersTheIdsItSkipped() {
        var cursor = RisingIDCursor(after: 10)
        #expect(cursor.advance(found: [11, 14, 12]).isEmpty)
        #expect(cursor.last == 14 && cursor.awaited == [13])
        #expect(cursor.advance(found: []).isEmpty)
        #expect(cursor.last == 14 && cursor.awaited == [13])
    }

    @Test func anIdCommittedAfterAHigherOneArrivesLateAndOnce() {
        var cursor = RisingIDCursor(after: 10)
        _ = cursor.advance(found: [12])
        #expect(cursor.advance(found: [11, 13]) == [11])
        #expect(cursor.awaited.isEmpty && cursor.last == 13)
        #expect(cursor.advance(found: [11]).isEmpty, "a gap filled once is not awaited again")
    }

    @Test func aGapThatNeverFillsIsGivenUpAfterItsPolls() {
        var cursor = RisingIDCursor(after: 0, gapPolls: 2)
        _ = cursor.advance(found: [2])
        #expect(cursor.awaited == [1])
        _ = cursor.advance(found: [])
        #expect(cursor.awaited == [1])
        _ = cursor.advance(found: [])
        #expect(cursor.awaited.isEmpty, "a rolled-back insert is not asked for forever")
    }

    @Test func aLargeHoleKeepsOnlyItsHighestGaps() {
        var cursor = RisingIDCursor(after: 0, maxGaps: 5)
        _ = cursor.advance(found: [1000])
        #expect(cursor.awaited == [995, 996, 997, 998, 999])
        #expect(cursor.last == 1000)
    }
}
