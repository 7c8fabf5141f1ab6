import Testing

@testable import HuifangCore

@Suite struct HexTests {
    @Test func bytesAreWrittenAsTwoLowercaseDigitsEach() {
        #expect([UInt8]().lowercaseHex == "")
        #expect([0x00, 0x0f, 0xa0, 0xff, 0x5c].lowercaseHex == "000fa0ff5c")
        #expect((0...255).map { UInt8($0) }.lowercaseHex.count == 512)
    }
}
