import Foundation

/// Pages kept in memory for the requests that follow, by key. A kept page serves a request while the versions of
/// what it shows are those it was read under and until the instant it was kept until (from when it was read): what
/// changes in the database shows at once, as the versions move on, and what changes with time alone (a callback
/// falling due) at the instant the keeper names. At most `capacity` pages are kept; keeping one more first drops
/// those that can no longer serve, then all.
public struct KeptPages<Key: Hashable & Sendable, Body: Sendable>: Sendable {
    public struct Page: Sendable {
        public let versions: [Int]
        public let readAt: Date
        public let until: Date
        public let body: Body
    }

    public let capacity: Int
    private var pages: [Key: Page] = [:]

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public var count: Int { pages.count }

    /// The page kept for `key`, if it may serve a request at `now` that found `versions`.
    public func page(_ key: Key, versions: [Int], at now: Date) -> Body? {
        guard let page = pages[key], page.versions == versions, serves(page, at: now) else { return nil }
        return page.body
    }

    /// The page kept for `key` that may serve a request at `now`, if its versions are still those it was read under.
    public func candidate(_ key: Key, at now: Date) -> Page? {
        guard let page = pages[key], serves(page, at: now) else { return nil }
        return page
    }

    /// Keeps `body`, read at `now` under `versions`, for `key` until the instant `until`.
    public mutating func keep(_ body: Body, for key: Key, versions: [Int], at now: Date, until: Date) {
        if pages[key] == nil, pages.count >= capacity {
            pages = pages.filter { serves($0.value, at: now) }
            if pages.count >= capacity { pages.removeAll() }
        }
        pages[key] = Page(versions: versions, readAt: now, until: until, body: body)
    }

    private func serves(_ page: Page, at now: Date) -> Bool {
        now >= page.readAt && now < page.until
    }
}
