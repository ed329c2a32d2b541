import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// Where the data lives: an embedded SQLite file (the default) or a PostgreSQL server (scale-out).
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// Accepts `postgres://…` / `postgresql://…` URLs; anything else is a SQLite file path.
    public init(_ text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            self = .sqlite(path: text.hasPrefix("sqlite://") ? String(text.dropFirst("sqlite://".count)) : text)
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            // Never print a password.
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://…"
        }
    }
}

/// A failure to reach the database, with a message meant for a person.
public struct DatabaseOpenError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// The database cannot be reached right now: the server is down or refuses connections, the network is gone, no
/// connection came free within the lease timeout, or this process has closed the database. Nothing was done (or a
/// transaction was rolled back, or its commit could not be confirmed); the same request may succeed in a moment,
/// which is why the web side answers it with 503 and `Retry-After` rather than 500.
public struct DatabaseUnavailableError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// The one door to storage. Reads may run in parallel; writes run in a transaction on one connection.
///
/// On SQLite the file is in WAL mode with a single writer connection and a small pool of readers, which is
/// what SQLite is good at. On PostgreSQL every call leases a pooled connection.
public final class Database: Sendable {
    public enum Dialect: Sendable { case sqlite, postgres }

    public let dialect: Dialect
    /// Where this database is, and the PostgreSQL schema it uses (nil: the server's default search path): enough to
    /// open it again, as another process of the same installation would.
    public let location: DatabaseLocation
    public let schema: String?
    /// Change events of this process (see `ChangeFeed`); `announce(_:)` feeds it.
    public let changes: ChangeFeed
    let logger: Logger
    private let backend: Backend
    /// Set by `close()`: later calls fail at once with `DatabaseUnavailableError`.
    private let closed = ClosedFlag()
    /// How long a PostgreSQL call waits for a pooled connection before it checks whether the server accepts
    /// connections at all (and gives up as unavailable if not). The pool itself would keep a request waiting for a
    /// minute while the server refuses connections.
    let leaseTimeout: Duration
    /// Whether the server accepts a connection now (PostgreSQL only).
    private let probe: ServerProbe

    /// How many write transactions have run through this `Database`: what in-memory copies of rarely changing data
    /// (the section list, "Новините днес") compare to know they may be stale, announced or not. Other processes'
    /// writes are not counted here; such copies hear of them through `changes`, or expire by age.
    public var writeCount: Int { writes.withLock { $0 } }
    private let writes = LockedCounter()

    private enum Backend: Sendable {
        case sqlite(SQLiteConnections)
        /// The pool, its run task, and how to open a connection of our own outside it (the change listener's).
        case postgres(PostgresClient, Task<Void, Never>, PostgresConnection.Configuration)
    }

    private init(
        dialect: Dialect, location: DatabaseLocation, backend: Backend, schema: String? = nil, leaseTimeout: Duration = .seconds(5),
        logger: Logger
    ) {
        self.dialect = dialect
        self.location = location
        self.schema = schema
        self.backend = backend
        self.changes = ChangeFeed(schema: schema)
        self.leaseTimeout = leaseTimeout
        self.logger = logger
        if case .postgres(_, _, let configuration) = backend {
            self.probe = ServerProbe(configuration: configuration, logger: logger)
        } else {
            self.probe = ServerProbe(configuration: nil, logger: logger)
        }
    }

    /// Opens the database; fails with a readable error if the file or server cannot be reached. `readers` is the
    /// number of SQLite reader connections, `connections` the most PostgreSQL connections this process opens (the
    /// change listener's own connection comes on top), `leaseTimeout` how long a PostgreSQL call waits for one of
    /// them before it fails with `DatabaseUnavailableError`. `bulkWrites` (a bulk import's process, never a server):
    /// on SQLite, the writer keeps more statements prepared and more pages in memory
    /// (`SQLiteReadConnection.bulkWriterPragmas`); PostgreSQL is unchanged.
    public static func open(
        _ location: DatabaseLocation, readers: Int = 4, connections: Int = 16, searchPath: String? = nil,
        leaseTimeout: Duration = .seconds(5), bulkWrites: Bool = false, logger: Logger
    ) async throws -> Database {
        switch location {
        case .sqlite(let path):
            let connections = try await SQLiteConnections.open(path: path, readers: readers, bulkWrites: bulkWrites, logger: logger)
            return Database(dialect: .sqlite, location: location, backend: .sqlite(connections), logger: logger)
        case .postgres(let url):
            var configuration = try PostgresURL.configuration(url, searchPath: searchPath)
            configuration.options.maximumConnections = max(1, connections)
            if !PostgresURL.usesTLS(url) { try await PostgresURL.probe(configuration, location: location, logger: logger) }
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let runner = Task { await client.run() }
            let direct = try PostgresURL.connectionConfiguration(url, searchPath: searchPath)
            let database = Database(
                dialect: .postgres, location: location, backend: .postgres(client, runner, direct), schema: searchPath,
                leaseTimeout: leaseTimeout,
                logger: logger)
            do {
                _ = try await database.read { db in try await db.raw("SELECT 1").all() }
            } catch {
                await database.close()
                throw DatabaseOpenError(description: "cannot connect to PostgreSQL at \(location): \(String(reflecting: error))")
            }
            return database
        }
    }

    /// Runs `body` with a connection for reading.
    ///
    /// On SQLite the statements run on the calling thread (see `SQLiteReadConnection`): right for the indexed lookups
    /// of a page, which take microseconds. Reads whose cost a visitor decides (search) or that walk many rows
    /// (sitemaps, the archive) use `readAside`.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await read(aside: false, body)
    }

    /// Runs `body` like `read`, but on SQLite each statement runs on a thread of NIO's pool, so that a long one
    /// does not hold up a thread of the few that answer every other request (cached pages included).
    public func readAside<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await read(aside: true, body)
    }

    private func read<T: Sendable>(aside: Bool, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try closed.check()
        let start = Instruments.now
        defer { Instruments.transaction(write: false, since: start) }
        switch backend {
        case .sqlite(let connections):
            return try await connections.withReader { connection in
                Instruments.poolWait(write: false, since: start)
                return try await body(
                    SQLiteReadDatabase(
                        connection: connection, logger: logger, eventLoop: connections.eventLoop,
                        threadPool: aside ? NIOThreadPool.singleton : nil))
            }
        case .postgres(let client, _, _):
            return try await reachable {
                try await leased(client) {
                    Instruments.poolWait(write: false, since: start)
                    return try await body(LiveConnection(connection: $0).sql())
                }
            }
        }
    }

    /// Runs `body` inside one transaction; it commits when `body` returns and rolls back when it throws.
    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try closed.check()
        // Counted before and after: a reader that copies data while the transaction runs sees a count that moves on.
        writes.increment()
        let start = Instruments.now
        defer {
            writes.increment()
            Instruments.transaction(write: true, since: start)
        }
        switch backend {
        case .sqlite(let connections):
            return try await connections.withWriterSQL(logger: logger) { db in
                Instruments.poolWait(write: true, since: start)
                return try await Self.transaction(db, begin: "BEGIN IMMEDIATE", body)
            }
        case .postgres(let client, _, _):
            // Concurrent writers may deadlock on shared rows (term statistics, tags); PostgreSQL then aborts one of
            // them, and running that transaction again is the documented remedy.
            var attempt = 0
            while true {
                do {
                    return try await reachable {
                        try await leased(client) { connection in
                            Instruments.poolWait(write: true, since: start)
                            return try await Self.transaction(LiveConnection(connection: connection).sql(), begin: "BEGIN", body)
                        }
                    }
                } catch let error as PSQLError where attempt < 5 && Self.isRetryable(error) {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(Int.random(in: 5...40) * attempt))
                }
            }
        }
    }

    /// Runs `body` on a pooled connection, giving up after `leaseTimeout` if none comes (the server is down or
    /// refuses connections: the pool retries quietly and would keep the request waiting for a minute).
    private func leased<T: Sendable>(
        _ client: PostgresClient, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let timeout = leaseTimeout
        let lease = LeaseState()
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        lease.markLeased()
                        return try await body(connection)
                    }
                }
                group.addTask { [probe] in
                    // A busy pool only makes a request wait; a server that refuses connections makes it fail. After
                    // each `timeout` without a connection, one direct connection attempt (shared by every waiting
                    // request) tells the two apart.
                    while true {
                        try await Task.sleep(for: timeout)
                        if lease.isLeased { return nil }
                        if let failure = await probe.failure() {
                            throw DatabaseUnavailableError(
                                description: "no PostgreSQL connection within \(timeout), and the server refuses a new one: \(failure)")
                        }
                    }
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw CancellationError()
            }
        }
    }

    /// Runs `body`, turning a failure to reach PostgreSQL into `DatabaseUnavailableError`; other errors pass as they are.
    private func reachable<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where Self.isConnectionFailure(error) {
            throw DatabaseUnavailableError(description: "PostgreSQL is unreachable: \(String(reflecting: error))")
        } catch let error where String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError") {
            // The pool's own errors (its circuit breaker after a minute of failed connections, a pool shut down);
            // the type lives in a module postgres-nio does not export.
            throw DatabaseUnavailableError(description: "PostgreSQL is unreachable: \(String(reflecting: error))")
        }
    }

    /// Whether `error` says the connection, not the statement, failed: it could not be made or was lost, or the
    /// server is shutting down, starting up or out of connections (SQLSTATE classes 08 and 57P, and 53300).
    static func isConnectionFailure(_ error: PSQLError) -> Bool {
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300"
        default:
            return false
        }
    }

    /// Runs `body` on the SQLite writer connection outside any transaction (SQLite only).
    func withSQLiteWriter<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        guard case .sqlite(let connections) = backend else { preconditionFailure("withSQLiteWriter on PostgreSQL") }
        return try await connections.withWriterSQL(logger: logger, body)
    }

    /// Makes the calling write transaction wait for any other holding the same `key` (on any node). SQLite has one
    /// writer already, so there it does nothing. Article saves take one, so that their shared bookkeeping (term
    /// statistics, "Още:" lists) never deadlocks.
    public static func serialize(_ key: Int, dialect: Dialect, in db: any SQLDatabase) async throws {
        guard dialect == .postgres else { return }
        // Keyed by schema too, so that installations sharing one database (and parallel tests) do not wait on each other.
        try await db.raw("SELECT pg_advisory_xact_lock(hashtext(current_schema()), \(literal: key))").run()
    }

    /// Ranges covering `0..<count` for multi-row statements: groups of `largest` (a power of two), then the rest in
    /// falling powers of two. So a statement has one of a few shapes (SQL texts), and SQLite's bulk writer, which
    /// keeps its statements prepared by text, holds a few of each kind instead of one for every row count.
    static func rowGroups(_ count: Int, largest: Int) -> [Range<Int>] {
        precondition(largest > 0 && largest & (largest - 1) == 0, "largest must be a power of two")
        var groups: [Range<Int>] = []
        var start = 0
        var size = largest
        while start < count {
            while size > count - start { size /= 2 }
            groups.append(start..<start + size)
            start += size
        }
        return groups
    }

    /// Deadlock detected (40P01) or serialization failure (40001).
    private static func isRetryable(_ error: PSQLError) -> Bool {
        ["40P01", "40001"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    private static func transaction<T: Sendable>(
        _ db: any SQLDatabase, begin: String, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await db.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Runs `body`, then closes the database whether `body` succeeded or not.
    public func closing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }

    public func close() async {
        closed.set()
        switch backend {
        case .sqlite(let connections): await connections.close()
        case .postgres(_, let runner, _):
            runner.cancel()
            await runner.value
        }
    }

    /// How to open a PostgreSQL connection outside the pool (nil on SQLite), for the change listener.
    var directConfiguration: PostgresConnection.Configuration? {
        guard case .postgres(_, _, let configuration) = backend else { return nil }
        return configuration
    }

    /// Fails with `DatabaseUnavailableError` once the database is closed.
    func checkOpen() throws { try closed.check() }
}

/// Whether `Database.close()` has been called.
private final class ClosedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isClosed = false

    func set() { lock.withLock { isClosed = true } }

    func check() throws {
        if lock.withLock({ isClosed }) { throw DatabaseUnavailableError(description: "the database is closed") }
    }
}
