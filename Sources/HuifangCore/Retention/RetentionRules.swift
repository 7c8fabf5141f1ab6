import Foundation

/// How long personal information is kept (PIPL: no longer than its purpose needs), as an admin sets it.
///
/// - `inactiveCustomerYears`: a customer with no activity (no change, event, contact, call or ticket, and no open
///   follow-up) for this many years has their personal information erased; `nil` is off (the default).
/// - `messageBodyDays`: a sent or failed message's subject and body (SMS and email) are emptied after this many days.
/// - `notificationDays`: in-app notifications (read or not) are deleted after this many days.
/// - `auditDetailYears`: audit entries are kept, but lose their details and network address after this many years.
public struct RetentionRules: Codable, Equatable, Sendable {
    public var inactiveCustomerYears: Int?
    public var messageBodyDays: Int
    public var notificationDays: Int
    public var auditDetailYears: Int

    public static let defaults = RetentionRules(
        inactiveCustomerYears: nil, messageBodyDays: 180, notificationDays: 180, auditDetailYears: 3)

    public static let yearRange = 1...50
    public static let dayRange = 1...3650

    public init(inactiveCustomerYears: Int?, messageBodyDays: Int, notificationDays: Int, auditDetailYears: Int) {
        self.inactiveCustomerYears = inactiveCustomerYears
        self.messageBodyDays = messageBodyDays
        self.notificationDays = notificationDays
        self.auditDetailYears = auditDetailYears
    }

    /// Every value outside its range, named.
    public func problems() -> [NamedFieldError] {
        var errors: [NamedFieldError] = []
        func check(_ value: Int, _ range: ClosedRange<Int>, _ field: String) {
            guard !range.contains(value) else { return }
            errors.append(
                NamedFieldError(
                    field: field, key: "problem.range", arguments: [String(range.lowerBound), String(range.upperBound)])
            )
        }
        if let years = inactiveCustomerYears { check(years, Self.yearRange, "inactiveCustomerYears") }
        check(messageBodyDays, Self.dayRange, "messageBodyDays")
        check(notificationDays, Self.dayRange, "notificationDays")
        check(auditDetailYears, Self.yearRange, "auditDetailYears")
        return errors
    }

    /// The instants before which each kind of data is purged, counted back from `now` in `timeZone`.
    public func cutoffs(now: Date, timeZone: TimeZone) -> Cutoffs {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func back(_ component: Calendar.Component, _ value: Int) -> Date {
            calendar.date(byAdding: component, value: -value, to: now) ?? now
        }
        return Cutoffs(
            inactiveCustomers: inactiveCustomerYears.map { back(.year, $0) },
            messageBodies: back(.day, messageBodyDays), notifications: back(.day, notificationDays),
            auditDetails: back(.year, auditDetailYears))
    }

    public struct Cutoffs: Equatable, Sendable {
        public let inactiveCustomers: Date?
        public let messageBodies: Date
        public let notifications: Date
        public let auditDetails: Date
    }
}
