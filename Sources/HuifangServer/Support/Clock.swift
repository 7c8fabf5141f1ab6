import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import Vapor

/// Where Huifang reads the time. The application has one clock (`app.clock`, the system's by default); a
/// request reads it once (`req.now`) and hands that instant to the services it builds, and the schedulers
/// read it at each tick. Services take the instant as a value and never read the wall clock themselves,
/// so a test can run the real routes at a chosen moment (`app.clock = .fixed(…)`) and move it on.
struct HuifangClock: Sendable {
    private let read: @Sendable () -> Date

    init(_ read: @escaping @Sendable () -> Date) { self.read = read }

    func now() -> Date { read() }

    static let system = HuifangClock { Date() }

    /// Always the same instant.
    static func fixed(_ instant: Date) -> HuifangClock { HuifangClock { instant } }

    /// A clock that stands still until moved (`ManualTime.advance`).
    static func manual(_ start: Date) -> (clock: HuifangClock, time: ManualTime) {
        let time = ManualTime(start)
        return (HuifangClock { time.now }, time)
    }
}

/// The instant of a manual clock.
final class ManualTime: Sendable {
    private let instant: NIOLockedValueBox<Date>

    init(_ start: Date) { instant = NIOLockedValueBox(start) }

    var now: Date { instant.withLockedValue { $0 } }

    func set(_ date: Date) { instant.withLockedValue { $0 = date } }

    func advance(by seconds: TimeInterval) { instant.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = HuifangClock }

    /// The application's clock: the system's unless a test set another.
    var clock: HuifangClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    private struct NowKey: StorageKey { typealias Value = Date }

    /// The request's instant, read from the application's clock at first use and kept: everything one request
    /// does happens at one moment.
    var now: Date {
        if let now = storage[NowKey.self] { return now }
        let now = application.clock.now()
        storage[NowKey.self] = now
        return now
    }
}

extension Application {
    /// Today in the organisation's time zone, by the application's clock.
    var today: LocalDate { huifang.today(now: clock.now()) }
}

extension Request {
    /// The request's date in the organisation's time zone.
    var today: LocalDate { application.huifang.today(now: now) }
}
