import Foundation
import NIOCore
import VestnikCore

/// Remembers who read what in the last half hour, so that a reader who reloads an article counts once.
///
/// A reader is known only by a keyed hash of address, user agent and article: no cookie is set and nothing personal
/// is stored or written anywhere. The key is a random salt kept in memory and replaced every Sofia day, so a hash
/// cannot be traced back by trying addresses, nor linked from one day to the next. The hash is Swift's `Hasher`
/// (SipHash, seeded per process) fed the salt first: this is de-duplication, not security, and it needs no more.
///
/// Memory is bounded: at most `capacity` reads are remembered; when more arrive within the window the oldest are
/// forgotten first (so under a flood a reader may count twice, never zero times).
final class RepeatReads: @unchecked Sendable {
    private let window: TimeInterval
    private let capacity: Int
    private let now: @Sendable () -> Date
    private let makeSalt: @Sendable () -> (UInt64, UInt64)

    private let lock = NSLock()
    private var salt: (UInt64, UInt64)
    private var saltDay: Int
    /// Hash → when that read was counted.
    private var seen: [Int: Double] = [:]
    /// The same reads in the order they were counted, to forget them oldest first.
    private var order = CircularBuffer<(key: Int, time: Double)>()

    init(
        window: TimeInterval, capacity: Int, now: @escaping @Sendable () -> Date,
        makeSalt: @escaping @Sendable () -> (UInt64, UInt64) = { (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max)) }
    ) {
        self.window = window
        self.capacity = max(1, capacity)
        self.now = now
        self.makeSalt = makeSalt
        salt = makeSalt()
        saltDay = SofiaTime.dayNumber(of: now())
    }

    /// True when this reader has not read this article within the window; the read is then remembered.
    func isFirstRead(address: String, userAgent: String, articleID: Int) -> Bool {
        let date = now()
        let day = SofiaTime.dayNumber(of: date)
        let time = date.timeIntervalSince1970
        return lock.withLock {
            if day != saltDay {
                // A new day: yesterday's hashes can never match again, so they go with the old salt.
                salt = makeSalt()
                saltDay = day
                seen.removeAll(keepingCapacity: true)
                order.removeAll(keepingCapacity: true)
            }
            forget(before: time - window)
            let key = hash(address: address, userAgent: userAgent, articleID: articleID)
            if let counted = seen[key], counted > time - window { return false }
            while seen.count >= capacity, let oldest = order.popFirst() {
                if seen[oldest.key] == oldest.time { seen[oldest.key] = nil }
            }
            seen[key] = time
            order.append((key, time))
            return true
        }
    }

    /// How many reads are remembered now.
    var count: Int { lock.withLock { seen.count } }

    private func forget(before limit: Double) {
        while let oldest = order.first, oldest.time <= limit {
            order.removeFirst()
            if seen[oldest.key] == oldest.time { seen[oldest.key] = nil }
        }
    }

    private func hash(address: String, userAgent: String, articleID: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(salt.0)
        hasher.combine(salt.1)
        hasher.combine(address)
        hasher.combine(userAgent)
        hasher.combine(articleID)
        return hasher.finalize()
    }
}
