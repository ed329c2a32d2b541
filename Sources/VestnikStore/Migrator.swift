import Foundation
import SQLKit

/// One numbered, append-only schema change. Never edit a migration that has shipped: add a new one.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// Statements, written once for both dialects with the `{id}` and `{bigint}` placeholders.
    public var statements: [String]
    /// Statements for one dialect only, run after the shared ones (full-text search differs most).
    public var sqliteOnly: [String]
    public var postgresOnly: [String]

    public init(version: Int, name: String, statements: [String], sqliteOnly: [String] = [], postgresOnly: [String] = []) {
        self.version = version
        self.name = name
        self.statements = statements
        self.sqliteOnly = sqliteOnly
        self.postgresOnly = postgresOnly
    }

    func statements(for dialect: Database.Dialect) -> [String] {
        statements + (dialect == .sqlite ? sqliteOnly : postgresOnly)
    }
}

/// Applies the numbered migrations that a database has not seen yet, recording each in `schema_migrations`.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migrations.all) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Returns the versions it applied. Each migration runs in its own transaction, holding a lock on PostgreSQL so
    /// that nodes started together on a new database apply each migration once.
    @discardableResult
    public func migrate(_ database: Database) async throws -> [Int] {
        let dialect = database.dialect
        try await database.write { db in
            try await Database.serialize(LockKeys.migrations, dialect: dialect, in: db)
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """
            ).run()
        }
        let applied = try await appliedVersions(database)
        var done: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            let statements = migration.statements(for: database.dialect).map { Self.expand($0, for: database.dialect) }
            let ran = try await database.write { db -> Bool in
                try await Database.serialize(LockKeys.migrations, dialect: dialect, in: db)
                // Another node may have applied it while this one waited for the lock.
                let already = try await db.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                if already != nil { return false }
                for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
                try await db.raw(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Int(Date().timeIntervalSince1970)))
                    """
                ).run()
                return true
            }
            if ran { done.append(migration.version) }
        }
        // Articles written before the search index existed are indexed once, when its migration lands.
        if done.contains(Migrations.searchIndexVersion),
            try await database.read({ db in try await db.raw("SELECT COUNT(*) AS n FROM articles").first()?.int("n") ?? 0 }) > 0
        {
            try await SearchIndexer.reindexAll(database, now: Date())
        }
        if done.contains(Migrations.tagKeysVersion) { try await TaxonomyRepository.fillTagKeys(database) }
        // The lemma index needs no rebuild where there was nothing to index, or where everything was just indexed.
        if done.contains(Migrations.lemmaSearchVersion) {
            var whole = done.contains(Migrations.searchIndexVersion)
            if !whole {
                whole = try await database.read { db in try await db.raw("SELECT COUNT(*) AS n FROM articles").first()?.int("n") ?? 0 } == 0
            }
            if whole { try await SearchRebuild(database: database).markBuilt() }
        }
        return done
    }

    public func appliedVersions(_ database: Database) async throws -> Set<Int> {
        try await database.read { db in
            Set(try await db.raw("SELECT version FROM schema_migrations").all().map { try $0.decode(column: "version", as: Int.self) })
        }
    }

    /// `{id}` is an auto-numbered primary key; `{bigint}` a 64-bit integer.
    static func expand(_ statement: String, for dialect: Database.Dialect) -> String {
        switch dialect {
        case .sqlite:
            return statement.replacingOccurrences(of: "{id}", with: "INTEGER PRIMARY KEY AUTOINCREMENT")
                .replacingOccurrences(of: "{bigint}", with: "INTEGER")
        case .postgres:
            return statement.replacingOccurrences(of: "{id}", with: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                .replacingOccurrences(of: "{bigint}", with: "BIGINT")
        }
    }
}
