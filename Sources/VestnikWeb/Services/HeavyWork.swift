import Foundation
import VestnikStore

/// Requests whose work is CPU-heavy (full-text search with its snippets, the preview of a whole article
/// body) take turns: at most `permits` run at once, one fewer than the cores, and the rest wait without holding a
/// thread. However many such requests arrive, a thread stays free for cached pages and light requests (security
/// probe finding: searches and previews in a loop held every thread, and cached pages waited behind them).
final class HeavyWork: Sendable {
    static let shared = HeavyWork(permits: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    private let gate: AsyncGate
    let permits: Int

    init(permits: Int) {
        self.permits = permits
        gate = AsyncGate(permits: permits)
    }

    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await gate.acquire()
        defer { gate.release() }
        return try await body()
    }
}
