import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLite connections to one file: one writer (SQLite allows only one at a time anyway) and a pool of readers,
/// which WAL lets run beside the writer. All are our own `SQLiteReadConnection`s, which keep their statements
/// prepared and run them on the calling thread; the writer's calling thread is always its own (`writerThread`).
final class SQLiteConnections: Sendable {
    /// The one connection that writes. Its transactions run on a thread of their own (`withWriterSQL`), not on
    /// sqlite-nio's: that connection sent each statement to NIO's thread pool and resumed the caller through an event
    /// loop and then Swift's cooperative pool, three queues that readers fill (a publish is ~170 statements, and
    /// under readers at c64 it waited 0.1-1 s in them).
    private let writer: SQLiteReadConnection
    private let writerLock = AsyncGate(permits: 1)
    /// Where write transactions run: one that waits for another process's lock (up to the busy timeout) or runs long
    /// holds this thread, none that answers requests. One per open database, as a second process would have its own.
    private let writerThread = ThreadExecutor(name: "sqlite-writer", threads: 1)
    private let readers: [SQLiteReadConnection]
    private let readerGate: AsyncGate
    private let readerSlots: ReaderSlots
    /// For SQLKit's futures API, which wants an event loop; nothing runs on it.
    let eventLoop: any EventLoop

    private init(writer: SQLiteReadConnection, readers: [SQLiteReadConnection]) {
        self.writer = writer
        self.readers = readers
        self.readerGate = AsyncGate(permits: readers.count)
        self.readerSlots = ReaderSlots(count: readers.count)
        self.eventLoop = MultiThreadedEventLoopGroup.singleton.next()
    }

    /// How long (ms) a write waits for another process's write transaction on the same file (a `vestnik` command
    /// beside the server: an import's batch, a rebuild, a second node in the tests) before it fails with "database is
    /// locked". 5 s was seen to run out on a busy machine (a sign-in failed while another process wrote); a newsroom
    /// request had better wait than fail. The wait holds the writer's own thread, no thread that answers requests.
    static let writerBusyTimeout = 30_000

    /// A server's writer: WAL, `synchronous = NORMAL` (in WAL mode no committed transaction is lost when the process
    /// dies, and the file is never corrupted), foreign keys.
    static let writerPragmas = [
        "PRAGMA busy_timeout = \(writerBusyTimeout)", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL",
    ]

    /// `bulkWrites`: the writer of a bulk import's process, with `SQLiteReadConnection.bulkWriterPragmas` and room
    /// for every distinct statement of a batch.
    static func open(path: String, readers: Int, bulkWrites: Bool = false, logger: Logger) async throws -> SQLiteConnections {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory) else {
            throw DatabaseOpenError(description: "cannot open SQLite database \(path): folder \(directory) does not exist")
        }
        // The writer comes first and makes the file WAL (a setting of the file), before any reader opens it.
        let writer = try SQLiteReadConnection.open(
            path: path, pragmas: ["PRAGMA journal_mode = WAL"] + (bulkWrites ? SQLiteReadConnection.bulkWriterPragmas : writerPragmas),
            statementLimit: bulkWrites ? 1024 : 256, creating: true)
        var pool: [SQLiteReadConnection] = []
        do {
            for _ in 0..<max(1, readers) { pool.append(try SQLiteReadConnection.open(path: path)) }
        } catch {
            for reader in pool { reader.close() }
            writer.close()
            throw error
        }
        return SQLiteConnections(writer: writer, readers: pool)
    }

    /// Runs `body` with the writer, alone, on the writer's thread (outside any transaction unless `body` begins one).
    func withWriterSQL<T: Sendable>(logger: Logger, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await writerThread.run {
            await writerLock.acquire()
            defer { writerLock.release() }
            return try await body(SQLiteReadDatabase(connection: writer, logger: logger, eventLoop: eventLoop))
        }
    }

    /// Runs `body` with a reader of its own, inside one read transaction: all its statements see the same snapshot.
    func withReader<T: Sendable>(_ body: (SQLiteReadConnection) async throws -> T) async throws -> T {
        await readerGate.acquire()
        let slot = readerSlots.take()
        let reader = readers[slot]
        defer {
            reader.endTransaction()
            readerSlots.give(slot)
            readerGate.release()
        }
        try reader.beginTransaction()
        return try await body(reader)
    }

    func close() async {
        for reader in readers { reader.close() }
        writer.close()
        writerThread.stop()
    }
}

/// A counter many tasks bump.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() { lock.withLock { value += 1 } }
    func withLock<T>(_ body: (Int) -> T) -> T { lock.withLock { body(value) } }
}

/// Which reader connections are free; guarded by a lock because it is touched from many tasks.
private final class ReaderSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [Int]

    init(count: Int) { free = Array(0..<count) }

    func take() -> Int { lock.withLock { free.removeLast() } }
    func give(_ slot: Int) { lock.withLock { free.append(slot) } }
}

/// A counting semaphore for async code: waiters resume in arrival order.
public final class AsyncGate: @unchecked Sendable {
    private let lock = NSLock()
    private var permits: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(permits: Int) { self.permits = permits }

    public func acquire() async {
        // A free permit is taken without a continuation: the common case on a page read.
        let taken: Bool = lock.withLock {
            guard permits > 0, waiters.isEmpty else { return false }
            permits -= 1
            return true
        }
        if taken { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if permits > 0 {
                    permits -= 1
                    return true
                }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    public func release() {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            if waiters.isEmpty {
                permits += 1
                return nil
            }
            return waiters.removeFirst()
        }
        next?.resume()
    }
}
