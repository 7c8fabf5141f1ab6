import XCTest

@testable import HuifangCore

final class PersonalRedactionTests: XCTestCase {
    private func redaction() -> PersonalRedaction {
        var r = PersonalRedaction()
        r.addPhone("+8613812345678")
        r.addName("王小芳")
        r.addName("HY0001")
        r.addEmail("wang@example.com")
        return r
    }

    func testAPhoneNumberIsFoundHoweverItWasTyped() {
        let r = redaction()
        for written in [
            "13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678",
            "008613812345678", "138.1234.5678", "１３８１２３４５６７８", "138/1234/5678",
        ] {
            XCTAssertEqual(r.redacted("来电 \(written) 投诉"), "来电 [已删除] 投诉", written)
        }
    }

    func testALongerNumberContainingItIsLeftAlone() {
        let r = redaction()
        XCTAssertEqual(r.redacted("订单 9138123456789"), "订单 9138123456789")
        XCTAssertFalse(r.mentions("尾号 5678"))
    }

    func testNamesAndIdentifiersAreStruckOutAndOthersKept() {
        let r = redaction()
        XCTAssertEqual(
            r.redacted("王小芳（hy0001）来电，李四陪同；回邮 WANG@example.com"),
            "[已删除]（[已删除]）来电，李四陪同；回邮 [已删除]")
        XCTAssertTrue(r.mentions("回邮 WANG@example.com"))
        XCTAssertTrue(r.names(in: "客户王小芳"))
    }

    func testANameAloneIsNoIdentifierSoNamesakesAreLeftAlone() {
        let r = redaction()
        XCTAssertFalse(r.mentions("客户王小芳来电"), "another 王小芳 is not her")
        XCTAssertFalse(r.mentions("count=HY0001"))
        XCTAssertTrue(r.mentions("王小芳 13812345678"))
        XCTAssertEqual(r.redacted("来电，全角逗号"), "来电，全角逗号", "nothing else in the text changes")
    }

    func testOneCharacterNamesAndShortNumbersAreNotSearchedFor() {
        var r = PersonalRedaction()
        r.addName("王")
        r.addPhone("110")
        XCTAssertTrue(r.isEmpty)
        XCTAssertEqual(r.redacted("王先生拨打 110"), "王先生拨打 110")
    }

    func testSearchFragmentsFindEveryMention() {
        let r = redaction()
        XCTAssertEqual(Set(r.searchFragments), ["wang@example.com", "5678", "５６７８"])
        for text in ["来电 138 1234 5678", "+86-138-1234-5678", "Wang@Example.com", "１３８１２３４５６７８"] {
            XCTAssertTrue(r.searchFragments.contains { text.lowercased().contains($0) }, text)
        }
    }
}

final class ErasureRequestTests: XCTestCase {
    func testBothTextsAreRequiredAndNamedWhenMissing() {
        XCTAssertThrowsError(try ErasureRequest(requestedBy: " ", reason: nil)) { error in
            XCTAssertEqual((error as? NamedFieldErrors)?.errors.map(\.field), ["requestedBy", "reason"])
        }
        XCTAssertThrowsError(try ErasureRequest(requestedBy: "本人", reason: String(repeating: "x", count: 501))) {
            XCTAssertEqual(($0 as? NamedFieldErrors)?.errors, [.tooLong("reason", 500)])
        }
        XCTAssertEqual(try ErasureRequest(requestedBy: " 本人来电 ", reason: "注销会员").requestedBy, "本人来电")
    }

    func testConfirmationNamesTheMemberIDOrElseTheCustomerNumber() {
        XCTAssertTrue(ErasureRequest.confirms(" hy0001 ", customerID: 7, memberID: "HY0001"))
        XCTAssertFalse(ErasureRequest.confirms("7", customerID: 7, memberID: "HY0001"))
        XCTAssertTrue(ErasureRequest.confirms("7", customerID: 7, memberID: nil))
        XCTAssertFalse(ErasureRequest.confirms("", customerID: 7, memberID: nil))
        XCTAssertFalse(ErasureRequest.confirms("8", customerID: 7, memberID: ""))
    }
}
