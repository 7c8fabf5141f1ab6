import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`. Foundation's `Process.run()` on Linux (Swift 6.3.1) now and then
/// crashes the whole test process with a buffer over-read while it lists the descriptors to close in the child
/// (swift-corelibs-foundation #5472); it took a test run down here. The child gets the three standard streams
/// given, its own directory and environment, and no other descriptor of the test process.
final class Spawned: Sendable {
    let pid: pid_t
    private let status = NIOLockedValueBox<Int32?>(nil)
    private let exited: AsyncStream<Int32>

    private typealias AddChdir =
        @convention(c) (
            UnsafeMutablePointer<posix_spawn_file_actions_t>,
            UnsafePointer<CChar>
        ) -> Int32
    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `stdin`, `stdout` and `stderr` become the child's 0, 1 and 2.
    // Long: posix_spawn's C set-up in the order it needs (file actions, argv, envp, signals), then the waiter.
    init(
        _ binary: URL, _ arguments: [String], environment: [String: String], directory: URL,
        stdin: Int32, stdout: Int32, stderr: Int32
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (from, to) in [(stdin, 0), (stdout, 1), (stderr, 2)] {
            posix_spawn_file_actions_adddup2(&actions, from, Int32(to))
        }
        // glibc's GNU extensions, which the Glibc module does not declare.
        let libc = dlopen(nil, RTLD_NOW)
        guard let chdirSymbol = dlsym(libc, "posix_spawn_file_actions_addchdir_np"),
            let closefromSymbol = dlsym(libc, "posix_spawn_file_actions_addclosefrom_np")
        else {
            throw SpawnError(message: "glibc without posix_spawn_file_actions_addchdir_np/addclosefrom_np")
        }
        _ = unsafeBitCast(chdirSymbol, to: AddChdir.self)(&actions, directory.path)
        _ = unsafeBitCast(closefromSymbol, to: AddClosefrom.self)(&actions, 3)
        let argv: [UnsafeMutablePointer<CChar>?] =
            ([binary.path] + arguments).map { (text: String) in strdup(text) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] =
            environment.map { (key: String, value: String) in
                strdup("\(key)=\(value)")
            } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        // As Foundation's Process: the child starts with no signal blocked and every signal handled by default
        // (the thread spawning it may block some).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, binary.path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(message: "posix_spawn \(binary.path): \(String(cString: strerror(result)))")
        }
        let pid = spawned
        self.pid = pid
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        exited = stream
        let status = self.status
        // waitpid blocks: on a thread of its own, never on the concurrency pool.
        Thread.detachNewThread {
            var raw: Int32 = 0
            var waited: pid_t = -1
            repeat { waited = waitpid(pid, &raw, 0) } while waited == -1 && errno == EINTR
            // The exit code, or the number of the signal that ended it (as Foundation's terminationStatus);
            // -1 when it could not be waited for.
            let code = waited == -1 ? -1 : raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
            status.withLockedValue { $0 = code }
            continuation.yield(code)
            continuation.finish()
        }
    }

    var isRunning: Bool { status.withLockedValue { $0 == nil } }

    /// Kills it at once, as a power cut or `kill -9` would: no clean-up runs.
    func kill() {
        if isRunning { _ = Glibc.kill(pid, SIGKILL) }
    }

    /// Kills it after `limit` unless the task answered is cancelled first: a test waiting on a child that never
    /// ends (or never stops) fails instead of hanging the suite.
    func watchdog(_ limit: Duration) -> Task<Void, any Error> {
        Task { [self] in
            try await Task.sleep(for: limit)
            kill()
        }
    }

    /// Waits for it to end: its exit code, or the signal that ended it.
    func exitStatus() async -> Int32 {
        for await code in exited { return code }
        return status.withLockedValue { $0 } ?? -1
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
