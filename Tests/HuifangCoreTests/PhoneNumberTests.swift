import HuifangCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0086-13812345678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("+44 7911 123456", "+447911123456"),
        ("001 415 555 2671", "+14155552671"),
    ])
    func normalisesWhatSpreadsheetsHold(raw: String, expected: String) throws {
        #expect(try PhoneNumber(parsing: raw).e164 == expected)
    }

    @Test(arguments: [
        "12812345678", "1381234567", "138123456789", "02112345678", "+86 21 1234 5678", "abc", "138x1234x5678", "+1234",
        "",
    ])
    func refusesWhatIsNotAMobile(raw: String) {
        #expect(throws: FieldProblem.invalidMobile) { try PhoneNumber(parsing: raw) }
    }

    @Test func displaysMainlandNumbersWithoutTheCountryCode() throws {
        #expect(try PhoneNumber(parsing: "+8613812345678").display == "13812345678")
        #expect(try PhoneNumber(parsing: "+447911123456").display == "+447911123456")
    }

    @Test func masksTheMiddleDigits() throws {
        #expect(try PhoneNumber(parsing: "13812345678").masked == "138****5678")
        #expect(try PhoneNumber(parsing: "+447911123456").masked == "+4479****3456")
        #expect(Masking.maskEmail("zhang.wei@example.com") == "z***@example.com")
    }

    @Test func decidesWhoSeesContactDetails() {
        #expect(canSeeContactDetails(role: .supervisor, isAssignedAgent: false))
        #expect(canSeeContactDetails(role: .agent, isAssignedAgent: true))
        #expect(!canSeeContactDetails(role: .agent, isAssignedAgent: false))
        #expect(!canSeeContactDetails(role: .analyst, isAssignedAgent: true))
    }
}
