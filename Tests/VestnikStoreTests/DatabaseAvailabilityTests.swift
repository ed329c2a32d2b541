import Foundation
import Logging
import SQLKit
import Testing
import VestnikStore
import VestnikTestSupport

/// A database that cannot be reached fails with `DatabaseUnavailableError` (the web side's 503), quickly, rather
/// than with some other error after the pool's minute of retries.
struct DatabaseAvailabilityTests {
    @Test(arguments: TestDatabase.all)
    func aClosedDatabaseIsUnavailable(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            await database.close()
            await #expect(throws: DatabaseUnavailableError.self) { try await database.read { db in try await db.raw("SELECT 1").run() } }
            await #expect(throws: DatabaseUnavailableError.self) { try await database.write { db in try await db.raw("SELECT 1").run() } }
        }
    }

    /// A real PostgreSQL that refuses this user's connections (its connection limit is set to 0 and its open
    /// connection is ended): reads and writes fail as unavailable within the lease timeout, and work again once the
    /// server accepts connections again.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VESTNIK_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true))
    func aServerThatRefusesConnectionsIsUnavailableWithinTheLeaseTimeout() async throws {
        let url = ProcessInfo.processInfo.environment["VESTNIK_TEST_POSTGRES_URL"]!
        let logger = Logger(label: "test")
        let role = "t_role_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        let admin = try await Database.open(.postgres(url: url), connections: 1, logger: logger)
        try await admin.closing {
            try await admin.write { db in try await db.raw("CREATE ROLE \(ident: role) LOGIN").run() }
            var components = URLComponents(string: url)!
            components.user = role
            components.password = nil
            let limited = try await Database.open(
                .postgres(url: components.string!), connections: 1, leaseTimeout: .seconds(1), logger: logger)
            do {
                #expect(try await limited.read { db in try await db.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) } == 1)
                try await admin.write { db in
                    try await db.raw("ALTER ROLE \(ident: role) CONNECTION LIMIT 0").run()
                    try await db.raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \(bind: role)").run()
                }
                for attempt in 0..<2 {
                    let start = ContinuousClock.now
                    let error = await #expect(throws: DatabaseUnavailableError.self, "attempt \(attempt)") {
                        try await limited.write { db in try await db.raw("SELECT 1").run() }
                    }
                    #expect(ContinuousClock.now - start < .seconds(4), "\(String(describing: error)) took too long")
                }
                try await admin.write { db in try await db.raw("ALTER ROLE \(ident: role) CONNECTION LIMIT -1").run() }
                // The pool comes back on its own (its backoff is under a few seconds after a few failures).
                var back = false
                for _ in 0..<40 where !back {
                    back = (try? await limited.read { db in try await db.raw("SELECT 1").run() }) != nil
                    if !back { try await Task.sleep(for: .milliseconds(250)) }
                }
                #expect(back, "the database did not come back after the server accepted connections again")
            } catch {
                await limited.close()
                try? await admin.write { db in try await db.raw("DROP ROLE IF EXISTS \(ident: role)").run() }
                throw error
            }
            await limited.close()
            try await admin.write { db in
                try await db.raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \(bind: role)").run()
            }
            // The backends may take a moment to go; DROP ROLE waits for nothing, so retry briefly.
            for attempt in 0..<20 {
                do {
                    try await admin.write { db in try await db.raw("DROP ROLE IF EXISTS \(ident: role)").run() }
                    break
                } catch where attempt < 19 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }
}
