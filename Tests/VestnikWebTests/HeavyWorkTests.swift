import Foundation
import Testing
@testable import VestnikWeb

/// Heavy requests take turns, so some thread always stays free for cached pages.
@Suite struct HeavyWorkTests {
    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var running = 0
        var most = 0
        func enter() {
            lock.withLock {
                running += 1; most = max(most, running)
            }
        }
        func leave() { lock.withLock { running -= 1 } }
    }

    @Test("no more than its permits run at once, however many arrive; the rest wait and all finish")
    func permits() async throws {
        let heavy = HeavyWork(permits: 1)
        let counter = Counter()
        let done = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<12 {
                group.addTask {
                    try await heavy.run {
                        counter.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        counter.leave()
                        return n
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(done.sorted() == Array(0..<12) && counter.most == 1)
        #expect(HeavyWork.shared.permits == max(1, ProcessInfo.processInfo.activeProcessorCount - 1))
    }
}
