import Foundation
import Logging
import SQLKit
import VestnikStore

/// The databases every storage test runs on: SQLite always, PostgreSQL when `VESTNIK_TEST_POSTGRES_URL` is set.
/// Each test gets a fresh, migrated database of its own (a temporary file, or a schema of its own on PostgreSQL).
public enum TestDatabase: String, CustomStringConvertible, Sendable {
    case sqlite, postgres

    public static var all: [TestDatabase] {
        ProcessInfo.processInfo.environment["VESTNIK_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true ? [.sqlite, .postgres] : [.sqlite]
    }

    public var description: String { rawValue }

    /// Runs `body` on a fresh migrated database and removes it afterwards.
    public func with<T: Sendable>(migrate: Bool = true, _ body: (Database) async throws -> T) async throws -> T {
        let logger = Logger(label: "test")
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-test-\(UUID().uuidString).sqlite").path
            let database = try await Database.open(.sqlite(path: path), logger: logger)
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            return try await run(database, migrate: migrate, body)
        case .postgres:
            // Swift Testing starts every test at once: without a bound, a few hundred test sites each holding a pool
            // and a listener ran a server with max_connections=500 out of connections (CI, 2026-12-06).
            await PostgresTestGate.shared.enter()
            defer { Task { await PostgresTestGate.shared.leave() } }
            let url = ProcessInfo.processInfo.environment["VESTNIK_TEST_POSTGRES_URL"]!
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            // Tests run in parallel: a few connections each keep the server under its connection limit.
            let admin = try await Database.open(.postgres(url: url), connections: 1, logger: logger)
            try await admin.write { db in try await db.raw("CREATE SCHEMA \(ident: schema)").run() }
            let database = try await Database.open(.postgres(url: url), connections: 3, searchPath: schema, logger: logger)
            do {
                let result = try await run(database, migrate: migrate, body)
                try await admin.write { db in try await db.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
                await admin.close()
                return result
            } catch {
                try? await admin.write { db in try await db.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
                await admin.close()
                throw error
            }
        }
    }

    /// The same database opened again, as another process (the command line, another node) would: its writes are
    /// neither counted nor announced by `database`. Close it when done.
    public static func otherProcess(of database: Database) async throws -> Database {
        try await Database.open(database.location, readers: 1, connections: 1, searchPath: database.schema, logger: Logger(label: "other"))
    }

    private func run<T: Sendable>(_ database: Database, migrate: Bool, _ body: (Database) async throws -> T) async throws -> T {
        do {
            if migrate { try await Migrator().migrate(database) }
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

/// Bounds how many PostgreSQL test databases are open at once (`VESTNIK_TEST_POSTGRES_PARALLEL`, default 24): each
/// holds a pool of a few connections, a listener and a one-connection admin pool, so 24 stay under 250 connections.
actor PostgresTestGate {
    static let shared = PostgresTestGate(
        permits: ProcessInfo.processInfo.environment["VESTNIK_TEST_POSTGRES_PARALLEL"].flatMap { Int($0) }.map { max(1, $0) } ?? 24)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) { free = permits }

    func enter() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
