import NIOPosix

/// Runs a long stretch of CPU work of a request — parsing an upload, writing an export — on the thread pool.
/// Request handlers run on the event loops (`Sources/huifang/main.swift` makes them Swift's executor), where such
/// work would hold up every other connection on that loop until it ends.
func offTheEventLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(work)
}
