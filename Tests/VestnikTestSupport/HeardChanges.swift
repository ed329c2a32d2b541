import Foundation
import VestnikStore

/// What a `ChangeFeed` subscriber heard, in order: for tests that check what a write announced and when.
public final class HeardChanges: @unchecked Sendable {
    private let lock = NSLock()
    private var changes: [ContentChange] = []

    public init() {}

    public func append(_ change: ContentChange) { lock.withLock { changes.append(change) } }
    public var all: [ContentChange] { lock.withLock { changes } }

    /// The keys heard since the last call, forgotten as they are returned.
    public func take() -> Set<String> {
        lock.withLock {
            defer { changes = [] }
            return changes.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
        }
    }

    /// Waits until `condition` holds for what was heard, at most `seconds`; returns how long it took, or nil.
    public func wait(upTo seconds: Double, _ condition: ([ContentChange]) -> Bool) async throws -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .milliseconds(Int(seconds * 1000)) {
            if condition(all) {
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
