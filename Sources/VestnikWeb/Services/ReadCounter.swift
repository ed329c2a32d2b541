import Foundation
import Logging
import ServiceLifecycle
import VestnikStore

/// Adds up reads in memory and writes them in batches: the reason a read costs a beacon nothing but a lock.
///
/// Runs beside the server as a service of the application. Every `flushInterval` it swaps out what it has counted
/// and adds it to the database in one transaction (one `UPDATE … SET reads = reads + n` per article and one upsert
/// per article and hour); a graceful stop flushes everything after the server has answered its last request. Each
/// node of a cluster counts and flushes its own reads, so the totals are exact sums. A failed flush keeps its counts
/// for the next one.
public final class ReadCounter: Service, @unchecked Sendable {
    private struct Key: Hashable {
        var articleID: Int
        var hour: Date
    }

    private let repository: ReadRepository
    private let interval: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger

    private let lock = NSLock()
    private var pending: [Key: Int] = [:]
    /// `pending` by article, and the same for the batch a flush is writing (still this node's to report until the
    /// database has it): what a beacon's answer adds to the stored count.
    private var pendingByArticle: [Int: Int] = [:]
    private var writingByArticle: [Int: Int] = [:]
    /// Bumped when a flush has reached the database, so that copies of stored counts know they are behind.
    private var flushes = 0
    /// The latest flush; the next one starts when it has finished, so flushes never overlap.
    private var flushing: Task<Bool, Never>?

    public init(repository: ReadRepository, flushInterval: Duration = .seconds(1), now: @escaping @Sendable () -> Date, logger: Logger) {
        self.repository = repository
        self.interval = flushInterval
        self.now = now
        self.logger = logger
    }

    /// Counts one read of `articleID`, now.
    public func record(articleID: Int) {
        let key = Key(articleID: articleID, hour: ReadIncrement.hour(containing: now()))
        lock.withLock {
            pending[key, default: 0] += 1
            pendingByArticle[articleID, default: 0] += 1
        }
    }

    /// Reads counted and not yet written.
    public var unflushed: Int { lock.withLock { pending.values.reduce(0, +) } }

    /// The reads of `articleID` this node has counted and the database does not hold yet (counted, or being
    /// written), and how many flushes have reached the database so far.
    public func unflushed(articleID: Int) -> (reads: Int, flushes: Int) {
        lock.withLock { ((pendingByArticle[articleID] ?? 0) + (writingByArticle[articleID] ?? 0), flushes) }
    }

    /// Writes everything counted before the call, after any flush already under way. Returns false (and keeps the
    /// counts for the next flush) when the database refused. The write runs in a task of its own, so cancelling the
    /// caller never cuts a transaction short.
    @discardableResult
    public func flush() async -> Bool {
        let next: Task<Bool, Never> = lock.withLock {
            let previous = flushing
            let next = Task {
                _ = await previous?.value
                return await self.write()
            }
            flushing = next
            return next
        }
        return await next.value
    }

    private func write() async -> Bool {
        let batch: [Key: Int] = lock.withLock {
            defer {
                pending.removeAll(keepingCapacity: true)
                pendingByArticle.removeAll(keepingCapacity: true)
            }
            writingByArticle = pendingByArticle
            return pending
        }
        guard !batch.isEmpty else { return true }
        let start = Instruments.now
        do {
            try await repository.add(batch.map { ReadIncrement(articleID: $0.key.articleID, hour: $0.key.hour, count: $0.value) })
            Instruments.readFlush(since: start, failed: false)
            lock.withLock {
                writingByArticle = [:]
                flushes += 1
            }
            return true
        } catch {
            Instruments.readFlush(since: start, failed: true)
            lock.withLock {
                pending.merge(batch, uniquingKeysWith: +)
                pendingByArticle.merge(writingByArticle, uniquingKeysWith: +)
                writingByArticle = [:]
            }
            logger.error(
                "could not write read counts; keeping them for the next flush", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }

    /// Flushes every `flushInterval` until the application stops, then once more.
    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { break }
                await flush()
            }
        }
        await flush()
    }
}
