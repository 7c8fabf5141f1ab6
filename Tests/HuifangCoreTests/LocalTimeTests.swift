import Foundation
import HuifangCore
import Testing

/// The one reader of local date-times (event files, calls, contact records, extensions, the API).
@Suite struct LocalTimeTests {
    @Test func localTextIsReadInTheOrganisationsZoneAndAnOffsetIsKept() {
        #expect(LocalTime.parse("2025-03-01", in: shanghai)?.instant == at("2025-03-01T00:00"))
        #expect(LocalTime.parse(" 2025-03-01 14:30 ", in: shanghai)?.instant == at("2025-03-01T14:30"))
        #expect(
            LocalTime.parse("2025-03-01T14:30:05", in: shanghai)?.instant
                == at("2025-03-01T14:30").addingTimeInterval(5))
        let utc = LocalTime.parse("2025-02-28T23:30:00Z", in: shanghai)
        #expect(
            utc?.instant == at("2025-03-01T07:30") && utc?.date == date("2025-03-01"), "the local date of the instant")
        for wrong in ["2025-03-01 24:00", "2025-03-01 14:60", "2025-02-30", "明天", "2025-03-01 14"] {
            #expect(LocalTime.parse(wrong, in: shanghai) == nil, "\(wrong)")
        }
    }
}
