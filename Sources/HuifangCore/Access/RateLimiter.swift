/// At most `limit` requests per key (an address) in each `window` seconds; pages open to the
/// public (the customer's survey link) use it so that nobody can try tokens or flood answers.
public struct RateLimiter: Sendable {
    public let limit: Int
    public let window: Double
    private var counts: [String: (start: Double, count: Int)] = [:]

    public init(limit: Int, window: Double) {
        self.limit = limit
        self.window = window
    }

    /// Counts one request and says whether it is allowed.
    public mutating func allow(_ key: String, now: Double) -> Bool {
        if counts.count > 50_000 { counts = counts.filter { now - $0.value.start < window } }
        var entry = counts[key] ?? (now, 0)
        if now - entry.start >= window { entry = (now, 0) }
        entry.count += 1
        counts[key] = entry
        return entry.count <= limit
    }
}
