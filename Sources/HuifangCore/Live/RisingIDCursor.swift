/// Where one watch over a table's rising ids stands (the live notifications' poll): the highest id seen, and the
/// ids below it not seen yet.
///
/// On PostgreSQL a row takes its id when it is inserted but becomes visible when its transaction commits, so a
/// lower id can appear after a higher one was seen (two requests writing at once). Such a gap is asked for again
/// at every poll until it shows up — then it counts as late — or until `gapPolls` polls have passed: an insert
/// that was rolled back leaves a gap that never fills. SQLite writes one transaction at a time, so there only
/// rollbacks leave gaps.
public struct RisingIDCursor: Sendable, Equatable {
    /// The highest id seen.
    public private(set) var last: Int
    /// Ids below `last` not seen yet, with the poll at which each was first missed.
    public private(set) var gaps: [Int: Int] = [:]
    /// Polls a gap is asked for before it is given up.
    public let gapPolls: Int
    /// At most this many gaps are kept (the highest ones), however large a hole a rolled-back batch left.
    public let maxGaps: Int
    private var polls = 0

    public init(after last: Int, gapPolls: Int = 60, maxGaps: Int = 500) {
        self.last = last
        self.gapPolls = max(1, gapPolls)
        self.maxGaps = max(0, maxGaps)
    }

    /// The ids a poll asks for besides those above `last`, lowest first.
    public var awaited: [Int] { gaps.keys.sorted() }

    /// Takes the ids one poll found — those above `last` and those of `awaited` that showed up — and returns the
    /// ones that arrived late (they filled a gap, below an id seen before).
    public mutating func advance(found ids: [Int]) -> Set<Int> {
        polls += 1
        var late = Set<Int>()
        var above = Set<Int>()
        for id in ids {
            if gaps.removeValue(forKey: id) != nil {
                late.insert(id)
            } else if id > last {
                above.insert(id)
            }
        }
        if let top = above.max() {
            let first = max(last + 1, top - maxGaps - above.count)
            for id in first..<top where !above.contains(id) { gaps[id] = polls }
            last = top
        }
        gaps = gaps.filter { polls - $0.value < gapPolls }
        if gaps.count > maxGaps {
            for id in gaps.keys.sorted().prefix(gaps.count - maxGaps) { gaps[id] = nil }
        }
        return late
    }
}
