import Foundation
import Synchronization

/// The process's memory as Linux counts it (`/proc/self/status`), in MiB, over a piece of work: the peak resident
/// size, and apart from it the peak of the program's own (anonymous) memory, SQLite's page caches included. The rest
/// of the resident size is mapped files — the program and its libraries (and a memory-mapped database, which
/// Huifang's connections no longer use) — pages the kernel shares with its file cache and may drop at any time.
struct PeakMemory: Sendable {
    /// Peak resident size (`VmHWM` since the work began).
    let resident: Int
    /// Peak anonymous memory (`RssAnon`, sampled every 50 ms).
    let own: Int

    /// E.g. "peak resident 537 MiB, of it the program's own memory at most 488 MiB (the rest: mapped files)".
    var summary: String {
        "peak resident \(resident) MiB, of it the program's own memory at most \(own) MiB (the rest: mapped files)"
    }

    /// Runs `work` and measures its memory; nil beside the value where `/proc` cannot say.
    static func during<T: Sendable>(_ work: () async throws -> T) async throws -> (T, PeakMemory?) {
        // `clear_refs` 5 starts a new VmHWM at the present resident size.
        let resets = (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
        let ownPeak = Mutex(field("RssAnon") ?? 0)
        let sampler = Task.detached {
            while !Task.isCancelled {
                if let own = field("RssAnon") { ownPeak.withLock { $0 = max($0, own) } }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { sampler.cancel() }
        let value = try await work()
        guard resets, let resident = field("VmHWM"), let own = field("RssAnon") else { return (value, nil) }
        return (value, PeakMemory(resident: resident, own: ownPeak.withLock { max($0, own) }))
    }

    /// A field of `/proc/self/status` in MiB.
    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 / 1024 }
    }
}
