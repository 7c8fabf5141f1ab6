import Foundation
import Testing

@testable import HuifangCore

@Suite struct HexTests {
    @Test func bytesAreWrittenAsTwoLowercaseDigitsEach() {
        #expect([UInt8]().lowercaseHex == "")
        #expect([0x00, 0x0f, 0xa0, 0xff, 0x5c].lowercaseHex == "000fa0ff5c")
        #expect((0...255).map { UInt8($0) }.lowercaseHex.count == 512)
    }
}

@Suite struct UUIDTextTests {
    @Test func anIdIsReadAsFoundationReadsIt() {
        for text in [
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5F", "e621e1f8-c36c-495a-93fc-0c247a3e6e5f",
            "00000000-0000-0000-0000-000000000000", "FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF",
        ] {
            #expect(UUID(hyphenated: text) == UUID(uuidString: text), "\(text)")
            #expect(UUID(hyphenated: text) != nil)
        }
        for _ in 0..<100 {
            let id = UUID()
            #expect(UUID(hyphenated: id.uuidString) == id)
            #expect(UUID(hyphenated: id.uuidString.lowercased()) == id)
        }
    }

    @Test func anythingElseIsNoId() {
        for text in [
            "", "E621E1F8C36C495A93FC0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5",
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5F0",
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5G", "E621E1F8-C36C-495A-93FC+0C247A3E6E5F",
            "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}",
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5Ｆ",
        ] {
            #expect(UUID(hyphenated: text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation agrees: \(text)")
        }
        // Foundation's `sscanf` reads "-6" as the byte 0xFA; a sign is no hex digit.
        #expect(UUID(hyphenated: "-621E1F8-C36C-495A-93FC-0C247A3E6E5F") == nil)
    }
}
