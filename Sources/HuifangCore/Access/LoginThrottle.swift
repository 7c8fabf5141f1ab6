/// When repeated failed logins lock an account or an address out.
///
/// Failures are counted inside a sliding window; reaching a limit locks
/// further attempts until the oldest failure leaves the window.
public struct LoginThrottlePolicy: Sendable, Equatable {
    public var maxFailuresPerAccount: Int
    public var maxFailuresPerAddress: Int
    /// Length of the counting window, and so of the lock-out, in seconds.
    public var window: Double

    public init(maxFailuresPerAccount: Int = 5, maxFailuresPerAddress: Int = 20, window: Double = 15 * 60) {
        self.maxFailuresPerAccount = maxFailuresPerAccount
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.window = window
    }

    /// Whether a login is refused before its password is even checked.
    public func isLocked(accountFailures: Int, addressFailures: Int) -> Bool {
        accountFailures >= maxFailuresPerAccount || addressFailures >= maxFailuresPerAddress
    }

    /// Whether the failure just recorded is the one that locks (and so is audited).
    public func failureLocks(accountFailures: Int, addressFailures: Int) -> Bool {
        accountFailures == maxFailuresPerAccount || addressFailures == maxFailuresPerAddress
    }

    /// Minutes a locked user is told to wait.
    public var lockMinutes: Int { Int((window / 60).rounded(.up)) }
}
