import Foundation
import HuifangCore
import Testing

@Suite struct LeaseRulesTests {
    let start = Date(timeIntervalSince1970: 1_788_000_000)
    func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    @Test func aMinuteLeaseBeatsEveryFifteenSecondsSoThreeBeatsMayFailBeforeItLapses() {
        let terms = LeaseTerms.standard
        #expect(terms.length == 60 && terms.heartbeat == 15)
        #expect(LeaseTerms(length: 4).heartbeat == 1)
        #expect(terms.expiry(from: start) == at(60))
        let lease = Lease(holder: "run-a", expiresAt: terms.expiry(from: start))
        for beat in 1...3 { #expect(!lease.isLapsed(at: at(terms.heartbeat * Double(beat)))) }
        #expect(lease.isLapsed(at: at(60)), "the expiry instant itself is lapsed")
    }

    @Test func anotherRunTakesTheJobOnlyWhenTheLeaseIsAbsentOrLapsed() {
        let lease = Lease(holder: "run-a", expiresAt: at(60))
        #expect(LeaseRules.mayTake(nil, by: "run-b", at: start))
        #expect(!LeaseRules.mayTake(lease, by: "run-b", at: at(59.9)))
        #expect(LeaseRules.mayTake(lease, by: "run-b", at: at(60)))
        #expect(LeaseRules.mayTake(lease, by: "run-a", at: at(10)), "a run may take its own lease again")
    }

    @Test func aRunKeepsItsLeaseOnlyWhileItHoldsItUnlapsed() {
        let lease = Lease(holder: "run-a", expiresAt: at(60))
        #expect(LeaseRules.mayRenew(lease, by: "run-a", at: at(45)))
        #expect(!LeaseRules.mayRenew(lease, by: "run-a", at: at(61)), "lapsed, even if nobody took it")
        #expect(!LeaseRules.mayRenew(lease, by: "run-b", at: at(10)))
        #expect(!LeaseRules.mayRenew(nil, by: "run-a", at: at(10)), "released or never taken")
    }

    @Test func anUnfinishedRunIsDeadOnceItsLeaseIsNotItsOwnAndLive() {
        let lease = Lease(holder: "run-a", expiresAt: at(60))
        #expect(!LeaseRules.isDead(run: "run-a", lease: lease, at: at(30)))
        #expect(LeaseRules.isDead(run: "run-a", lease: lease, at: at(60)), "its holder stopped renewing")
        #expect(LeaseRules.isDead(run: "run-b", lease: lease, at: at(30)), "someone else holds the job")
        #expect(LeaseRules.isDead(run: "run-a", lease: nil, at: at(30)))
        #expect(LeaseRules.isDead(run: nil, lease: lease, at: at(30)), "a record from before runs had ids")
    }
}
