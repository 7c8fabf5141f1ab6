import Foundation
import HuifangCore
import Testing

@Suite struct KeptPagesTests {
    static let noon = Date(timeIntervalSince1970: 1_772_424_000)

    func at(_ seconds: TimeInterval) -> Date { Self.noon.addingTimeInterval(seconds) }

    @Test func aKeptPageServesWhileItsVersionsStandUntilItsInstant() {
        var pages = KeptPages<String, String>(capacity: 4)
        pages.keep("page", for: "wangfang", versions: [3, 7], at: Self.noon, until: at(1800))
        #expect(pages.page("wangfang", versions: [3, 7], at: at(1799)) == "page")
        #expect(pages.page("wangfang", versions: [3, 8], at: Self.noon) == nil)  // one of its rows changed
        #expect(pages.page("wangfang", versions: [4, 7], at: Self.noon) == nil)  // a name it shows changed
        #expect(pages.page("wangfang", versions: [3, 7], at: at(1800)) == nil)  // a callback falls due
        #expect(pages.page("wangfang", versions: [3, 7], at: at(-1)) == nil)  // the clock went back
        #expect(pages.page("lina", versions: [3, 7], at: Self.noon) == nil)
    }

    /// The page that would answer at an instant if the versions still were its own (PostgreSQL checks them and
    /// writes the answer's audit entry in one statement).
    @Test func aCandidateIsTheYoungPageWithTheVersionsItWasReadUnder() {
        var pages = KeptPages<String, String>(capacity: 4)
        pages.keep("page", for: "wangfang", versions: [3, 7], at: Self.noon, until: at(1800))
        #expect(pages.candidate("wangfang", at: at(1799))?.versions == [3, 7])
        #expect(pages.candidate("wangfang", at: at(1799))?.body == "page")
        #expect(pages.candidate("wangfang", at: at(1800)) == nil)
        #expect(pages.candidate("wangfang", at: at(-1)) == nil)
        #expect(pages.candidate("lina", at: Self.noon) == nil)
    }

    @Test func keepingBeyondCapacityDropsThePagesThatCannotServeFirstThenAll() {
        var pages = KeptPages<Int, Int>(capacity: 3)
        pages.keep(1, for: 1, versions: [], at: Self.noon, until: at(1))
        pages.keep(2, for: 2, versions: [], at: at(0.5), until: at(1.5))
        pages.keep(3, for: 3, versions: [], at: at(0.5), until: at(1.5))
        pages.keep(30, for: 3, versions: [], at: at(0.6), until: at(1.6))  // replaces: nothing dropped
        #expect(pages.count == 3)
        pages.keep(4, for: 4, versions: [], at: at(1.2), until: at(2.2))  // only page 1 can no longer serve
        #expect(pages.count == 3)
        #expect(pages.page(1, versions: [], at: at(1.2)) == nil)
        #expect(pages.page(3, versions: [], at: at(1.2)) == 30)
        pages.keep(5, for: 5, versions: [], at: at(1.3), until: at(2.3))  // all still serve: all go
        #expect(pages.count == 1)
        #expect(pages.page(5, versions: [], at: at(1.3)) == 5)
    }
}
