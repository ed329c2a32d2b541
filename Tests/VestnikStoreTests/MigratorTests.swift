import Foundation
import SQLKit
import Testing
import VestnikTestSupport
@testable import VestnikStore

@Suite struct MigratorTests {
    @Test(arguments: TestDatabase.all)
    func appliesEveryMigrationOnceAndRecordsIt(_ kind: TestDatabase) async throws {
        try await kind.with(migrate: false) { database in
            let first = try await Migrator().migrate(database)
            #expect(first == Migrations.all.map(\.version))
            let second = try await Migrator().migrate(database)
            #expect(second.isEmpty)
            #expect(try await Migrator().appliedVersions(database) == Set(Migrations.all.map(\.version)))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFailingMigrationLeavesNoTraceAndIsRetried(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let broken = Migration(version: 999, name: "broken", statements: ["CREATE TABLE half (id {bigint})", "THIS IS NOT SQL"])
            await #expect(throws: (any Error).self) { try await Migrator(migrations: Migrations.all + [broken]).migrate(database) }
            let applied = try await Migrator().appliedVersions(database)
            #expect(!applied.contains(999))
            // The first statement was rolled back with the rest, so a fixed migration can run.
            let fixed = Migration(version: 999, name: "fixed", statements: ["CREATE TABLE half (id {bigint})"])
            let retried = try await Migrator(migrations: Migrations.all + [fixed]).migrate(database)
            #expect(retried == [999])
        }
    }

    @Test func unreachableDatabasesFailWithAClearMessage() async throws {
        await #expect(throws: DatabaseOpenError.self) {
            _ = try await Database.open(.sqlite(path: "/no/such/folder/vestnik.sqlite"), logger: .init(label: "test"))
        }
        let error = await #expect(throws: DatabaseOpenError.self) {
            _ = try await Database.open(.postgres(url: "postgres://nobody:secret@127.0.0.1:1/none"), logger: .init(label: "test"))
        }
        #expect(error?.description.contains("secret") == false)
    }

    @Test func locationsAreParsedFromText() {
        #expect(DatabaseLocation("postgres://u@h/db") == .postgres(url: "postgres://u@h/db"))
        #expect(DatabaseLocation("postgresql://u@h/db") == .postgres(url: "postgresql://u@h/db"))
        #expect(DatabaseLocation("./vestnik.sqlite") == .sqlite(path: "./vestnik.sqlite"))
        #expect(DatabaseLocation("sqlite:///tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
    }
}

/// CI must really exercise PostgreSQL: a green run that skipped it would hide dialect bugs.
@Test func postgresIsConfiguredWhenRunningInCI() {
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        #expect(TestDatabase.all.contains(.postgres), "CI=true but VESTNIK_TEST_POSTGRES_URL is not set")
    }
}
