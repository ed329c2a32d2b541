import Foundation
import SQLKit
import Testing
import VestnikCore
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

    /// Migration 30 packs PostgreSQL's `article_terms` by term and block of ids into `search_postings`: a row for each
    /// term of each block, its articles in order with their shares, as the saves after it keep them.
    @Test func postgresPostingsArePackedFromTheTerms() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestDatabase.postgres.with { database in
            let articles = ArticleRepository(database: database)
            for number in 0..<300 {
                let body = ["Бюджетът за пътищата.", "Пътищата и мостовете.", "Мостовете над реката."][number % 3]
                try await articles.save(SearchLemmaTests.article("Статия \(number) за пътищата", body: body), now: testNow)
            }
            // A site whose terms were written before migration 30 (the saves need its table, so it is taken away).
            try await database.write { db in
                try await db.raw("DROP TABLE search_postings").run()
                try await db.raw("DELETE FROM schema_migrations WHERE version = 30").run()
            }
            #expect(try await Migrator().migrate(database) == [30])
            let rows = try await database.read { db in
                try await db.raw("SELECT term, block, postings FROM search_postings ORDER BY term, block").all().map {
                    (term: try $0.string("term"), block: try $0.int("block"), postings: try $0.decode(column: "postings", as: Data.self))
                }
            }
            var packed: [String: SearchRepository.Postings] = [:]
            for row in rows {
                var bytes = Data()
                for value in [UInt64(row.block)] { bytes.append(contentsOf: withUnsafeBytes(of: value.bigEndian) { Array($0) }) }
                bytes.append(contentsOf: withUnsafeBytes(of: UInt32(row.postings.count).bigEndian) { Array($0) })
                SearchPostings.unpack(blocks: bytes + row.postings, into: &packed[row.term, default: SearchRepository.Postings()])
            }
            let terms = try await database.read { db in
                try await db.raw("SELECT article_id, term, rank FROM article_terms ORDER BY term, article_id").all().map {
                    (id: try $0.int("article_id"), term: try $0.string("term"), rank: try $0.decode(column: "rank", as: Float.self))
                }
            }
            var expected: [String: SearchRepository.Postings] = [:]
            for row in terms {
                expected[row.term, default: SearchRepository.Postings()].ids.append(row.id)
                expected[row.term, default: SearchRepository.Postings()].ranks.append(row.rank)
            }
            #expect(packed == expected)
            // The ids run past one block, so several blocks of a term were packed and read back in order.
            #expect(Set(rows.map(\.block)).count > 1)
        }
    }

    /// Migration 29 rebuilds SQLite's `article_terms` without a rowid: every word of every article stays, with its
    /// count; the term index is there again; and saving, the "Още:" lists and search go on as before.
    @Test func sqliteArticleTermsLoseTheirRowidAndKeepEveryWord() async throws {
        try await TestDatabase.sqlite.with(migrate: false) { database in
            try await Migrator(migrations: Migrations.all.filter { $0.version < 29 }).migrate(database)
            let articles = ArticleRepository(database: database)
            for (number, body) in ["Бюджетът за пътищата.", "Пътищата и мостовете.", "Мостовете над реката."].enumerated() {
                try await articles.save(SearchLemmaTests.article("Статия \(number) за пътищата", body: body), now: testNow)
            }
            func words() async throws -> [String] {
                try await database.read { db in
                    try await db.raw("SELECT article_id, term, tf FROM article_terms ORDER BY article_id, term").all().map {
                        "\(try $0.int("article_id")) \(try $0.string("term")) \(try $0.int("tf"))"
                    }
                }
            }
            let before = try await words()
            #expect(before.count > 9)
            #expect(try await Migrator(migrations: Migrations.all.filter { $0.version <= 29 }).migrate(database) == [29])
            #expect(try await words() == before)
            let schema = try await database.read { db in
                try await db.raw("SELECT type, sql FROM sqlite_master WHERE tbl_name = 'article_terms' ORDER BY type").all().map {
                    "\(try $0.string("type")): \(try $0.string("sql"))"
                }
            }
            #expect(schema.count == 2)
            #expect(schema.first?.hasPrefix("index: CREATE INDEX article_terms_term ON article_terms (term)") == true)
            #expect(schema.last?.hasSuffix("WITHOUT ROWID") == true)
            try await articles.save(SearchLemmaTests.article("Мостът над пътищата", body: "Мостът и реката."), now: testNow)
            #expect(try await words().count > before.count)
            try await RelatedArticles(database: database).refreshAll(now: testNow)
            let listed = try await database.read { db in
                try await db.raw("SELECT COUNT(DISTINCT article_id) AS n FROM article_related").first()?.int("n")
            }
            #expect(listed == 4)
            let found = try await SearchRepository(database: database).search(
                try SearchQuery.parse("пътищата"), page: PageRequest(), now: testNow)
            #expect(found.items.count == 4)
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
