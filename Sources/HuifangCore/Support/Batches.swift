/// Work that arrives while earlier work runs, gathered to run together: an item that finds a run free starts one
/// at once, alone; items that arrive while every run is busy wait, and the first run to end takes them all (up to
/// `limit`) as its next batch. Idle, nothing waits; under load, one run serves many items. A runner asks for its
/// next batch when it ends one, and stops when there is none.
public struct Batches<Item> {
    /// Runs at a time.
    public let concurrent: Int
    /// Items a batch takes at most.
    public let limit: Int
    public private(set) var waiting: [Item] = []
    public private(set) var running = 0

    public init(concurrent: Int, limit: Int) {
        precondition(concurrent > 0 && limit > 0, "a batch runs somewhere and holds something")
        self.concurrent = concurrent
        self.limit = limit
    }

    /// Queues `item`; the batch a new runner is to run at once, when fewer than `concurrent` run.
    public mutating func add(_ item: Item) -> [Item]? {
        waiting.append(item)
        guard running < concurrent else { return nil }
        running += 1
        return take()
    }

    /// A runner ended its batch: its next one, or nil when nothing waits (it stops then).
    public mutating func ended() -> [Item]? {
        guard !waiting.isEmpty else {
            running -= 1
            return nil
        }
        return take()
    }

    private mutating func take() -> [Item] {
        let batch = Array(waiting.prefix(limit))
        waiting.removeFirst(batch.count)
        return batch
    }
}

extension Batches: Sendable where Item: Sendable {}
