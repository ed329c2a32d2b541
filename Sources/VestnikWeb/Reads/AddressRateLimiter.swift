import Foundation

/// A token bucket per address: a flood of beacons from one address is turned away before it costs anything.
///
/// Memory is bounded: at most `capacity` addresses are tracked. A bucket that has refilled is the same as no bucket,
/// so full ones are swept out when the table fills; if it is still full (a flood from very many addresses at once),
/// new addresses pass unlimited until a sweep makes room, and de-duplication still keeps each of them to one read.
final class AddressRateLimiter: @unchecked Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let rate: Double
    private let burst: Double
    private let capacity: Int
    private let now: @Sendable () -> Date

    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]
    private var nextSweep = -Double.infinity

    init(_ limit: ReadSettings.RateLimit, capacity: Int, now: @escaping @Sendable () -> Date) {
        rate = max(limit.perSecond, 0.001)
        burst = max(limit.burst, 1)
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// Takes a token for `address`; false when its bucket is empty.
    func allow(_ address: String) -> Bool {
        let time = now().timeIntervalSince1970
        return lock.withLock {
            if var bucket = buckets[address] {
                bucket.tokens = min(burst, bucket.tokens + max(0, time - bucket.updated) * rate)
                bucket.updated = time
                guard bucket.tokens >= 1 else {
                    buckets[address] = bucket
                    return false
                }
                bucket.tokens -= 1
                buckets[address] = bucket
                return true
            }
            if buckets.count >= capacity {
                guard time >= nextSweep else { return true }
                sweep(at: time)
                guard buckets.count < capacity else { return true }
            }
            buckets[address] = Bucket(tokens: burst - 1, updated: time)
            return true
        }
    }

    /// How many addresses are tracked now.
    var count: Int { lock.withLock { buckets.count } }

    /// Drops the buckets that have refilled; at most one sweep a second, so a flood cannot make every request pay
    /// for one.
    private func sweep(at time: Double) {
        buckets = buckets.filter { _, bucket in bucket.tokens + max(0, time - bucket.updated) * rate < burst }
        nextSweep = time + 1
    }
}
