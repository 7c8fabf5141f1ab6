import NIOCore
import NIOPosix

// Before anything runs: Swift's tasks run on the event loops that serve the requests (NIO's threads), so an
// `await` on the database or the network does not hop to a second pool of threads and back (BENCHMARKS.md).
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// The command line's asynchronous entry (at the top level, `main()` would pick the synchronous one).
func runCommandLine() async {
    await Huifang.main()
}
await runCommandLine()
