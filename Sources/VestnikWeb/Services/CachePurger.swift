import Foundation
import Logging
import ServiceLifecycle
import VestnikStore

/// Tells the shared caches in front of the site (CDN, Varnish) which pages changed, by key, so they never serve a
/// stale story for the rest of their `s-maxage`. It purges what this node announced (each node purges its own
/// changes; the others' arrive by LISTEN/NOTIFY and are theirs to purge).
///
/// A target that is down is logged and retried with a growing pause (up to 30 s), keeping what it still owes,
/// merged, so the site never waits for it; if too much piles up the owed purge becomes "everything".
public final class CachePurger: Service, @unchecked Sendable {
    let targets: [PurgeTarget]
    let logger: Logger
    /// The most keys one request names (an `xkey-purge` header stays well under common 8 KB header limits).
    static let keysPerRequest = 200
    /// Past this many owed keys, purging everything is cheaper than remembering them.
    static let maxOwedKeys = 20_000
    private let lock = NSLock()
    private var owed: [Set<String>]
    private var stopping = false
    /// One wake-up signal per target, so a slow or dead target never holds back the others.
    private let signals: [(stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)]

    public init(targets: [PurgeTarget], changes: ChangeFeed, logger: Logger) {
        self.targets = targets
        self.logger = logger
        owed = Array(repeating: [], count: targets.count)
        signals = targets.map { _ in AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1)) }
        changes.subscribe(localOnly: true) { [weak self] change in self?.owe(change.keys) }
    }

    /// Adds `keys` to what every target is owed, and wakes them.
    func owe(_ keys: Set<String>) {
        for index in targets.indices { owe(keys, index) }
        for signal in signals { signal.continuation.yield() }
    }

    private func owe(_ keys: Set<String>, _ index: Int) {
        lock.withLock {
            owed[index].formUnion(keys)
            if owed[index].contains(CacheKey.site) || owed[index].count > Self.maxOwedKeys { owed[index] = [CacheKey.site] }
        }
    }

    /// What target `index` still owes, taken off the books (put back if sending fails).
    private func take(_ index: Int) -> Set<String> {
        lock.withLock {
            defer { owed[index] = [] }
            return owed[index]
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for index in targets.indices { group.addTask { await self.serve(index) } }
            }
        } onGracefulShutdown: {
            // A last round for what is owed, then the loops end.
            self.lock.withLock { self.stopping = true }
            for signal in self.signals { signal.continuation.finish() }
        }
    }

    /// Sends target `index` what it owes each time it is woken, retrying failures with a growing pause.
    private func serve(_ index: Int) async {
        let target = targets[index]
        var pause = Duration.milliseconds(250)
        for await _ in signals[index].stream {
            while true {
                let keys = take(index)
                if keys.isEmpty { break }
                do {
                    let sorted = keys.sorted()
                    for start in stride(from: 0, to: sorted.count, by: Self.keysPerRequest) {
                        try await target.purge(sorted[start..<min(start + Self.keysPerRequest, sorted.count)].joined(separator: " "))
                        Instruments.purge(failed: false)
                    }
                    pause = .milliseconds(250)
                } catch {
                    Instruments.purge(failed: true)
                    owe(keys, index)
                    logger.warning("purging \(keys.count) keys at \(target) failed, retrying in \(pause): \(error)")
                    if lock.withLock({ stopping }) { return }
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(30))
                }
            }
        }
    }
}
