import Foundation
import HuifangCore
import Testing

@Suite struct KeptPagesTests {
    static let noon = Date(timeIntervalSince1970: 1_772_424_000)

    @Test func aKeptPageServesWhileItsVersionsStandAndItIsYoung() {
        var pages = KeptPages<String, String>(maxAge: 1, capacity: 4)
        pages.keep("page", for: "wangfang", versions: [3, 7], at: Self.noon)
        #expect(pages.page("wangfang", versions: [3, 7], at: Self.noon.addingTimeInterval(0.9)) == "page")
        #expect(pages.page("wangfang", versions: [3, 8], at: Self.noon) == nil)  // one of its rows changed
        #expect(pages.page("wangfang", versions: [4, 7], at: Self.noon) == nil)  // a name it shows changed
        #expect(pages.page("wangfang", versions: [3, 7], at: Self.noon.addingTimeInterval(1)) == nil)  // too old
        #expect(pages.page("wangfang", versions: [3, 7], at: Self.noon.addingTimeInterval(-1)) == nil)  // clock back
        #expect(pages.page("lina", versions: [3, 7], at: Self.noon) == nil)
    }

    @Test func keepingBeyondCapacityDropsTheOldPagesFirstThenAll() {
        var pages = KeptPages<Int, Int>(maxAge: 1, capacity: 3)
        pages.keep(1, for: 1, versions: [], at: Self.noon)
        pages.keep(2, for: 2, versions: [], at: Self.noon.addingTimeInterval(0.5))
        pages.keep(3, for: 3, versions: [], at: Self.noon.addingTimeInterval(0.5))
        pages.keep(30, for: 3, versions: [], at: Self.noon.addingTimeInterval(0.6))  // replaces: nothing dropped
        #expect(pages.count == 3)
        pages.keep(4, for: 4, versions: [], at: Self.noon.addingTimeInterval(1.2))  // only page 1 is too old
        #expect(pages.count == 3)
        #expect(pages.page(1, versions: [], at: Self.noon.addingTimeInterval(1.2)) == nil)
        #expect(pages.page(3, versions: [], at: Self.noon.addingTimeInterval(1.2)) == 30)
        pages.keep(5, for: 5, versions: [], at: Self.noon.addingTimeInterval(1.3))  // all young: all go
        #expect(pages.count == 1)
        #expect(pages.page(5, versions: [], at: Self.noon.addingTimeInterval(1.3)) == 5)
    }
}
