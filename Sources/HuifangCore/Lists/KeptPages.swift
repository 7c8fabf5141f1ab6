import Foundation

/// Pages kept in memory for the requests that follow, by key. A kept page serves a request while the versions of
/// what it shows are those it was read under and it is younger than `maxAge`: what changes with time alone (a
/// callback falling due) shows at most that late, and what changes in the database shows at once, as the versions
/// move on. At most `capacity` pages are kept; keeping one more first drops those too old to serve, then all.
public struct KeptPages<Key: Hashable & Sendable, Body: Sendable>: Sendable {
    public struct Page: Sendable {
        public let versions: [Int]
        public let readAt: Date
        public let body: Body
    }

    public let maxAge: TimeInterval
    public let capacity: Int
    private var pages: [Key: Page] = [:]

    public init(maxAge: TimeInterval, capacity: Int) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    public var count: Int { pages.count }

    /// The page kept for `key`, if it may serve a request at `now` that found `versions`.
    public func page(_ key: Key, versions: [Int], at now: Date) -> Body? {
        guard let page = pages[key], page.versions == versions, serves(page, at: now) else { return nil }
        return page.body
    }

    /// Keeps `body`, read at `now` under `versions`, for `key`.
    public mutating func keep(_ body: Body, for key: Key, versions: [Int], at now: Date) {
        if pages[key] == nil, pages.count >= capacity {
            pages = pages.filter { serves($0.value, at: now) }
            if pages.count >= capacity { pages.removeAll() }
        }
        pages[key] = Page(versions: versions, readAt: now, body: body)
    }

    private func serves(_ page: Page, at now: Date) -> Bool {
        now >= page.readAt && now.timeIntervalSince(page.readAt) < maxAge
    }
}
