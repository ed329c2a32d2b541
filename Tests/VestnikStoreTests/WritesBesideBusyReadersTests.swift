import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Issue 20: "the newsroom must never wait behind readers". Readers' cache-miss renders run on Swift's cooperative
/// pool; these tests hold every thread of that pool, as renders that take long would, and a publish must still be
/// stored, its "Още:" lists refreshed and its change announced: the write path needs no thread of that pool.
@Suite struct WritesBesideBusyReadersTests {
    @Test("a publish completes while every thread of the cooperative pool is held", arguments: TestDatabase.all)
    func publishNeedsNoCooperativeThread(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let chief = try await ArticleWriteServiceTests.user(database, "chief@vestnik.bg", .chief)
            // One publish before: connections open, statements prepared.
            _ = try await writes.save(input("Първа новина", tags: ["Транспорт"]), articleID: nil, baseRevision: 0, by: chief, now: testNow)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            // The newsroom's side runs on a thread of its own, as `NewsroomLane` runs its requests.
            let newsroom = ThreadExecutor(name: "test-newsroom", threads: 1)
            defer { newsroom.stop() }
            let held = try await newsroom.run {
                try await CooperativePoolHold.whileHeld {
                    try await writes.save(
                        input("Втора новина", tags: ["Транспорт"]), articleID: nil, baseRevision: 0, by: chief, now: testNow)
                }
            }
            #expect(held.threads > 0)
            #expect(held.finishedWhileHeld, "the publish waited for a thread of the cooperative pool")
            guard case .saved(let id, _) = try held.result.get() else { Issue.record("not saved"); return }
            #expect(try await ArticleRepository(database: database).article(slug: "vtora-novina")?.status == .published)
            #expect(heard.take().contains(CacheKey.articlePage(id)))
            // The refresh after the save ran too: the first article's "Още:" list now holds the second.
            let related = try await database.read { db in
                try await db.raw("SELECT related_id FROM article_related WHERE related_id = \(bind: id)").all()
            }
            #expect(!related.isEmpty)
        }
    }

    @Test("the hold holds: work that needs a thread of the cooperative pool waits until the threads are let go")
    func holdHolds() async throws {
        let newsroom = ThreadExecutor(name: "test-hold", threads: 1)
        defer { newsroom.stop() }
        let held = try await newsroom.run {
            try await CooperativePoolHold.whileHeld(watchdog: 1) { await Task.detached { 1 }.value }
        }
        #expect(held.threads > 0)
        #expect(try held.result.get() == 1)
        #expect(!held.finishedWhileHeld)
    }
}

/// Holds every thread of Swift's cooperative pool (one task per core, each blocking its thread) while `body` runs.
/// Call it from a thread of one's own (a `ThreadExecutor`): it blocks its caller while the pool fills.
enum CooperativePoolHold {
    struct Outcome<T: Sendable>: Sendable {
        var result: Result<T, any Error>
        /// How many of the pool's threads were held.
        var threads: Int
        /// False when `body` ended only after a watchdog let the threads go (it needed one of them).
        var finishedWhileHeld: Bool
    }

    static func whileHeld<T: Sendable>(
        watchdog seconds: Double = 60, _ body: () async throws -> T
    ) async throws -> Outcome<T> {
        let width = ProcessInfo.processInfo.activeProcessorCount
        let started = Latch()
        let release = Latch()
        for _ in 0..<width {
            Task.detached {
                started.count()
                release.waitOpen()
            }
        }
        // Every thread the pool has is held once as many tasks have started as it has threads (a pool narrower than
        // the cores stops the count early). Other tests running meanwhile may keep the pool's threads a while first.
        let threads = started.waitForCount(width, first: 300, then: 10)
        let finished = Latch()
        let watchdog = Thread {
            if !finished.waitOpen(seconds: seconds) { release.open() }
        }
        watchdog.start()
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        let inTime = !release.isOpen
        finished.open()
        release.open()
        return Outcome(result: result, threads: threads, finishedWhileHeld: inTime)
    }
}

/// A gate that opens once, and a count, for threads that block (never for tasks that may suspend).
private final class Latch: @unchecked Sendable {
    private let condition = NSCondition()
    private var opened = false
    private var counted = 0

    func open() {
        condition.lock()
        opened = true
        condition.broadcast()
        condition.unlock()
    }

    var isOpen: Bool {
        condition.lock()
        defer { condition.unlock() }
        return opened
    }

    /// Waits until open, at most `seconds`; whether it opened.
    @discardableResult
    func waitOpen(seconds: Double = .infinity) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard seconds.isFinite else {
            while !opened { condition.wait() }
            return true
        }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !opened { if !condition.wait(until: deadline) { return opened } }
        return true
    }

    func count() {
        condition.lock()
        counted += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `target` counts: at most `first` seconds for the first, then `then` seconds for each next one;
    /// the count reached.
    func waitForCount(_ target: Int, first: Double, then: Double) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while counted < target {
            if !condition.wait(until: Date(timeIntervalSinceNow: counted == 0 ? first : then)) { break }
        }
        return counted
    }
}
