import Foundation
import SQLKit
import VestnikCore

/// Rebuilds the search index while the site serves: after an upgrade whose analysis changed (migration 10), when
/// the dictionary that built the index is no longer the one in use, or by hand (`vestnik search reindex`).
///
/// It goes newest article first, a batch per write transaction, and keeps its place in `search_rebuild`, so a
/// restart goes on where it stopped and nodes that run it at once share the batches (each reads the place under the
/// article-write lock). Articles saved meanwhile are indexed as usual. Until it ends, older articles are missing
/// from search results; "Още:" lists stay as they were stored.
public struct SearchRebuild: Sendable {
    let database: Database
    let analyzer: SearchAnalyzer
    /// Articles per transaction: long enough to be quick, short enough that a newsroom save never waits long.
    public static let batchSize = 50

    public init(database: Database, analyzer: SearchAnalyzer = .shared) {
        self.database = database
        self.analyzer = analyzer
    }

    public struct Progress: Sendable, Equatable {
        /// What the index is (being) built with: a `SearchAnalyzer.identity`.
        public var analyser: String
        public var done: Int
        public var total: Int
        public var finished: Bool
    }

    public func progress() async throws -> Progress? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT analyser, done, total, finished_at FROM search_rebuild WHERE id = 1").first()
            else { return nil }
            return Progress(
                analyser: try row.string("analyser"), done: try row.int("done"), total: try row.int("total"),
                finished: try row.optionalInt("finished_at") != nil)
        }
    }

    /// Asks for a rebuild from the newest article (one under way starts again).
    public func schedule() async throws {
        try await database.write { db in
            try await db.raw(
                "UPDATE search_rebuild SET below = NULL, done = 0, total = 0, started_at = NULL, finished_at = NULL WHERE id = 1"
            ).run()
        }
    }

    /// Records that the index is whole, built by this analyser.
    func markBuilt(now: Date = Date()) async throws {
        try await database.write { [identity = analyzer.identity] db in
            try await db.raw(
                """
                UPDATE search_rebuild SET analyser = \(bind: identity), below = 0, finished_at = \(bind: now.unixSeconds) WHERE id = 1
                """
            ).run()
        }
    }

    /// Schedules a rebuild if the index was built by another analyser (the dictionary was installed, removed or
    /// changed); returns whether it did.
    public func scheduleIfStale() async throws -> Bool {
        guard let progress = try await progress(), progress.finished, progress.analyser != analyzer.identity else { return false }
        try await schedule()
        return true
    }

    /// Indexes the next batch of a due rebuild; returns the progress after it, or nil when none is due.
    public func step(batchSize: Int = batchSize, now: Date = Date()) async throws -> Progress? {
        let dialect = database.dialect
        let analyzer = self.analyzer
        return try await database.write { db -> Progress? in
            try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
            guard let row = try await db.raw("SELECT below, done, total, finished_at FROM search_rebuild WHERE id = 1").first(),
                try row.optionalInt("finished_at") == nil
            else { return nil }
            var below = try row.optionalInt("below")
            var done = try row.int("done")
            var total = try row.int("total")
            if below == nil {
                let counts = try await db.raw("SELECT COUNT(*) AS n, MAX(id) AS top FROM articles").first()
                total = try counts?.int("n") ?? 0
                below = (try counts?.optionalInt("top") ?? 0) + 1
                done = 0
                try await db.raw(
                    """
                    UPDATE search_rebuild SET analyser = \(bind: analyzer.identity), started_at = \(bind: now.unixSeconds)
                    WHERE id = 1
                    """
                ).run()
            }
            let ids = try await db.raw(
                "SELECT id FROM articles WHERE id < \(bind: below ?? 0) ORDER BY id DESC LIMIT \(literal: batchSize)"
            ).all().map { try $0.int("id") }
            try await SearchIndexer.reindex(batch: ids, analyzer: analyzer, dialect: dialect, in: db)
            done += ids.count
            let finished = ids.count < batchSize
            try await db.raw(
                """
                UPDATE search_rebuild SET below = \(bind: ids.last ?? 0), done = \(bind: done), total = \(bind: max(total, done)),
                    finished_at = \(bind: finished ? now.unixSeconds : nil) WHERE id = 1
                """
            ).run()
            return Progress(analyser: analyzer.identity, done: done, total: max(total, done), finished: finished)
        }
    }

    /// Runs a due rebuild to its end, calling `report` after every batch.
    public func run(report: @Sendable (Progress) async -> Void = { _ in }) async throws {
        while let progress = try await step() {
            await report(progress)
            if progress.finished { return }
            try Task.checkCancellation()
        }
    }
}

extension SearchRepository {
    /// The bytes the search index takes, table by table (the full-text table with its shadow tables or GIN index,
    /// the term tables with their indexes), for benchmarks; empty on a SQLite built without `dbstat`.
    public func indexBytes() async throws -> [(name: String, bytes: Int)] {
        let dialect = database.dialect
        return try await database.read { db in
            switch dialect {
            case .sqlite:
                let rows = try? await db.raw(
                    """
                    SELECT name, SUM(pgsize) AS bytes FROM dbstat
                    WHERE name LIKE 'article_search%' OR name LIKE 'article_terms%' OR name LIKE 'search_terms%'
                        OR name LIKE 'sqlite_autoindex_article_terms%' OR name LIKE 'sqlite_autoindex_search_terms%'
                    GROUP BY name ORDER BY name
                    """
                ).all()
                return try (rows ?? []).map { (try $0.string("name"), try $0.int("bytes")) }
            case .postgres:
                return try await db.raw(
                    """
                    SELECT name, pg_total_relation_size(CAST(name AS regclass)) AS bytes
                    FROM (VALUES ('article_search'), ('article_terms'), ('search_terms')) AS t (name)
                    """
                ).all().map { (try $0.string("name"), try $0.int("bytes")) }
            }
        }
    }
}
