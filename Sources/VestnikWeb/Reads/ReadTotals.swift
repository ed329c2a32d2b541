import Foundation

/// The number a read beacon's answer gives the page (`Vestnik-Reads`): the article's reads as this node knows them
/// now, the stored count (every node's flushes) plus this node's reads the database does not hold yet.
///
/// Why: an article page may come from the page cache or a CDN up to a minute old, and its read count with it;
/// `reads.js` puts this number in its place, so a reader sees the count as of their own read.
///
/// The stored count is remembered per article for up to `maxAge` and never across one of this node's flushes, so a
/// burst of beacons on one story costs a query a second instead of one each; other nodes' reads show within that
/// time.
final class ReadTotals: @unchecked Sendable {
    private let counter: ReadCounter
    private let stored: @Sendable (Int) async throws -> Int?
    private let now: @Sendable () -> Date
    private let maxAge: TimeInterval
    private let capacity: Int
    private let lock = NSLock()
    private var known: [Int: (reads: Int, flushes: Int, at: Date)] = [:]

    init(
        counter: ReadCounter, maxAge: TimeInterval = 1, capacity: Int = 50_000, now: @escaping @Sendable () -> Date,
        stored: @escaping @Sendable (Int) async throws -> Int?
    ) {
        self.counter = counter
        self.maxAge = maxAge
        self.capacity = max(1, capacity)
        self.now = now
        self.stored = stored
    }

    /// The reads of `articleID`, or nil when there is no such article.
    func total(articleID: Int) async throws -> Int? {
        let date = now()
        let before = counter.unflushed(articleID: articleID)
        if let entry = lock.withLock({ known[articleID] }), entry.flushes == before.flushes, entry.at <= date,
            date.timeIntervalSince(entry.at) < maxAge
        {
            return entry.reads + before.reads
        }
        // A flush that lands while the count is read may or may not be in it: then read it once more.
        for _ in 0..<2 {
            let flushes = counter.unflushed(articleID: articleID).flushes
            guard let reads = try await stored(articleID) else { return nil }
            let after = counter.unflushed(articleID: articleID)
            guard after.flushes == flushes else { continue }
            lock.withLock {
                if known.count >= capacity { known.removeAll(keepingCapacity: true) }
                known[articleID] = (reads, flushes, date)
            }
            return reads + after.reads
        }
        return try await stored(articleID).map { $0 + counter.unflushed(articleID: articleID).reads }
    }
}
