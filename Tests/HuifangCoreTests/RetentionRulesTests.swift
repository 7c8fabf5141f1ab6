import Foundation
import XCTest

@testable import HuifangCore

final class RetentionRulesTests: XCTestCase {
    func testDefaultsKeepCustomersAndThreeYearsOfAuditDetails() {
        XCTAssertNil(RetentionRules.defaults.inactiveCustomerYears)
        XCTAssertEqual(RetentionRules.defaults.auditDetailYears, 3)
        XCTAssertEqual(RetentionRules.defaults.problems(), [])
    }

    func testEveryValueOutOfRangeIsNamed() {
        let rules = RetentionRules(
            inactiveCustomerYears: 0, messageBodyDays: 0, notificationDays: 4000, auditDetailYears: 51)
        XCTAssertEqual(
            rules.problems().map(\.field),
            ["inactiveCustomerYears", "messageBodyDays", "notificationDays", "auditDetailYears"])
        XCTAssertEqual(rules.problems().first?.arguments, ["1", "50"])
    }

    func testCutoffsCountBackCalendarYearsAndDaysInTheOrganisationsZone() {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let now = Date(timeIntervalSince1970: 1_772_416_800)  // 2026-03-02 10:00 in Shanghai
        let rules = RetentionRules(
            inactiveCustomerYears: 2, messageBodyDays: 30, notificationDays: 1, auditDetailYears: 3)
        let cutoffs = rules.cutoffs(now: now, timeZone: shanghai)
        XCTAssertEqual(cutoffs.inactiveCustomers, Date(timeIntervalSince1970: 1_709_344_800))  // 2024-03-02 10:00
        XCTAssertEqual(cutoffs.messageBodies, now.addingTimeInterval(-30 * 86_400))
        XCTAssertEqual(cutoffs.notifications, now.addingTimeInterval(-86_400))
        XCTAssertEqual(cutoffs.auditDetails, Date(timeIntervalSince1970: 1_677_722_400))  // 2023-03-02 10:00
        XCTAssertNil(RetentionRules.defaults.cutoffs(now: now, timeZone: shanghai).inactiveCustomers)
    }
}
