import Foundation
import Logging
import SQLKit
import Testing
import VestnikStore
import VestnikTestSupport

/// Nodes started together on a new database: each migration is applied once, and every node starts.
@Suite struct ConcurrentMigrationTests {
    /// Another connection to the same database (file or schema), as a second node would open.
    static func sameDatabase(as database: Database) async throws -> Database {
        let schema = try await database.read { db in
            try await db.raw("SELECT current_schema() AS s").first()!.decode(column: "s", as: String.self)
        }
        let url = ProcessInfo.processInfo.environment["VESTNIK_TEST_POSTGRES_URL"]!
        return try await Database.open(.postgres(url: url), connections: 2, searchPath: schema, logger: Logger(label: "node"))
    }

    /// PostgreSQL only: several nodes are a PostgreSQL arrangement (SQLite has one server process).
    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func threeNodesMigratingAtOnceApplyEachMigrationOnce(_ kind: TestDatabase) async throws {
        try await kind.with(migrate: false) { first in
            let second = try await Self.sameDatabase(as: first)
            let third = try await Self.sameDatabase(as: first)
            let outcomes = await withTaskGroup(of: Result<[Int], any Error>.self) { group in
                for node in [first, second, third] {
                    group.addTask {
                        do { return .success(try await Migrator().migrate(node)) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: [Result<[Int], any Error>]()) { $0.append($1) }
            }
            await second.close()
            await third.close()
            let applied = try outcomes.flatMap { try $0.get() }
            let all = Migrations.all.map(\.version)
            #expect(applied.sorted() == all.sorted())
            #expect(try await Migrator().appliedVersions(first) == Set(all))
        }
    }
}
