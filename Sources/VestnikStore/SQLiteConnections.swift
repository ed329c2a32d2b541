import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLite connections to one file: one writer (SQLite allows only one at a time anyway) and a pool of readers,
/// which WAL lets run beside the writer. The writer is sqlite-nio's; the readers are our own (`SQLiteReadConnection`),
/// which keep their statements prepared and run them without leaving the calling thread.
final class SQLiteConnections: Sendable {
    private let writer: SQLiteConnection
    /// A bulk import's writer (`Database.open(bulkWrites:)`): write transactions run on it instead of `writer`, under
    /// the same lock, with their statements kept prepared and run on the calling thread.
    private let bulkWriter: SQLiteReadConnection?
    private let writerLock = AsyncGate(permits: 1)
    private let readers: [SQLiteReadConnection]
    private let readerGate: AsyncGate
    private let readerSlots: ReaderSlots

    /// The writer's event loop, for SQLKit's futures API on the readers.
    var eventLoop: any EventLoop { writer.eventLoop }

    private init(writer: SQLiteConnection, bulkWriter: SQLiteReadConnection?, readers: [SQLiteReadConnection]) {
        self.writer = writer
        self.bulkWriter = bulkWriter
        self.readers = readers
        self.readerGate = AsyncGate(permits: readers.count)
        self.readerSlots = ReaderSlots(count: readers.count)
    }

    /// How long (ms) a write waits for another process's write transaction on the same file (a `vestnik` command
    /// beside the server: an import's batch, a rebuild, a second node in the tests) before it fails with "database is
    /// locked". 5 s was seen to run out on a busy machine (a sign-in failed while another process wrote); a newsroom
    /// request had better wait than fail.
    static let writerBusyTimeout = 30_000

    static func open(path: String, readers: Int, bulkWrites: Bool = false, logger: Logger) async throws -> SQLiteConnections {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory) else {
            throw DatabaseOpenError(description: "cannot open SQLite database \(path): folder \(directory) does not exist")
        }
        func connect() async throws -> SQLiteConnection {
            let connection: SQLiteConnection
            do {
                connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            } catch {
                throw DatabaseOpenError(description: "cannot open SQLite database \(path): \(error)")
            }
            do {
                for pragma in ["PRAGMA busy_timeout = \(writerBusyTimeout)", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"] {
                    _ = try await connection.query(pragma)
                }
            } catch {
                try? await connection.close()
                throw DatabaseOpenError(description: "cannot use SQLite database \(path): \(error)")
            }
            return connection
        }
        let writer = try await connect()
        do {
            _ = try await writer.query("PRAGMA journal_mode = WAL")
        } catch {
            try? await writer.close()
            throw DatabaseOpenError(description: "cannot use SQLite database \(path): \(error)")
        }
        var pool: [SQLiteReadConnection] = []
        var bulkWriter: SQLiteReadConnection?
        do {
            for _ in 0..<max(1, readers) { pool.append(try SQLiteReadConnection.open(path: path)) }
            if bulkWrites {
                // Enough room for every distinct statement of an import's batch (the multi-row inserts of search
                // terms differ by their number of rows), so that they are prepared once.
                bulkWriter = try SQLiteReadConnection.open(
                    path: path, pragmas: SQLiteReadConnection.bulkWriterPragmas, statementLimit: 1024)
            }
        } catch {
            for reader in pool { reader.close() }
            try? await writer.close()
            throw error
        }
        return SQLiteConnections(writer: writer, bulkWriter: bulkWriter, readers: pool)
    }

    func withWriter<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        await writerLock.acquire()
        defer { writerLock.release() }
        return try await body(writer)
    }

    /// Runs `body` with the connection write transactions use: the bulk writer when there is one, else `writer`.
    func withWriterSQL<T: Sendable>(logger: Logger, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        await writerLock.acquire()
        defer { writerLock.release() }
        guard let bulkWriter else { return try await body(writer.sql()) }
        return try await body(SQLiteReadDatabase(connection: bulkWriter, logger: logger, eventLoop: writer.eventLoop))
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
        bulkWriter?.close()
        try? await writer.close()
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
