import HuifangCore
import Testing

@Suite struct BatchesTests {
    @Test func anItemThatFindsARunFreeStartsAloneAtOnce() {
        var batches = Batches<Int>(concurrent: 2, limit: 8)
        #expect(batches.add(1) == [1])
        #expect(batches.add(2) == [2])
        #expect(batches.running == 2)
        #expect(batches.ended() == nil)
        #expect(batches.add(3) == [3])  // a run is free again
        #expect(batches.waiting.isEmpty)
    }

    @Test func itemsArrivingWhileEveryRunIsBusyGoTogetherWhenOneEnds() {
        var batches = Batches<Int>(concurrent: 1, limit: 8)
        #expect(batches.add(1) == [1])
        for item in 2...5 { #expect(batches.add(item) == nil) }
        #expect(batches.ended() == [2, 3, 4, 5])
        #expect(batches.running == 1)  // the same runner goes on
        #expect(batches.ended() == nil)
        #expect(batches.running == 0)
        #expect(batches.add(6) == [6])
    }

    @Test func aBatchTakesAtMostItsLimitAndTheRestWaitInOrder() {
        var batches = Batches<Int>(concurrent: 1, limit: 3)
        _ = batches.add(0)
        for item in 1...7 { _ = batches.add(item) }
        #expect(batches.ended() == [1, 2, 3])
        #expect(batches.ended() == [4, 5, 6])
        #expect(batches.ended() == [7])
        #expect(batches.ended() == nil)
        #expect(batches.running == 0)
    }

    @Test func withTwoRunsBusyTheWaitingGoToWhicheverEndsFirst() {
        var batches = Batches<Int>(concurrent: 2, limit: 8)
        #expect(batches.add(1) == [1])
        #expect(batches.add(2) == [2])
        #expect(batches.add(3) == nil)
        #expect(batches.add(4) == nil)
        #expect(batches.ended() == [3, 4])  // one runner takes both
        #expect(batches.ended() == nil)  // the other finds nothing and stops
        #expect(batches.running == 1)
        #expect(batches.add(5) == [5])  // a run was free
        #expect(batches.running == 2)
    }
}
