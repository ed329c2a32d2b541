import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Search by lemmas end to end, on SQLite and PostgreSQL: the dictionary's forms, exact forms ranked first, "did
/// you mean", and the background rebuild of migration 10.
@Suite struct SearchLemmaTests {
    static let hasDictionary = SearchAnalyzer.shared.lexicon != nil

    static func article(_ title: String, body: String, hoursAgo: Double = 3) -> ArticleInput {
        var article = input(title, hoursAgo: hoursAgo)
        article.kicker = ""
        article.lead = ""
        article.bodyHTML = "<p>\(body)</p>"
        return article
    }

    func titles(_ database: Database, _ text: String) async throws -> [String] {
        try await SearchRepository(database: database).search(
            try SearchQuery.parse(text), page: PageRequest(), now: testNow
        ).items.map(\.article.title)
    }

    @Test(
        .enabled(if: hasDictionary, "needs /usr/share/hunspell/bg_BG.dic: apt-get install hunspell-bg"),
        arguments: TestDatabase.all)
    func everyFormFindsTheArticleAndNothingElse(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(Self.article("Ремонт", body: "Общината ремонтира старите училища в квартала."), now: testNow)
            try await articles.save(Self.article("Спомен", body: "Тя учила в Пловдив, после заминала."), now: testNow)
            try await articles.save(Self.article("Ново", body: "Новото училище отвори врати."), now: testNow)
            for query in ["училище", "училища", "училището", "uchilishte", "uchilishta"] {
                #expect(Set(try await titles(database, query)) == ["Ремонт", "Ново"], "\(query)")
            }
            // A phrase meets other forms of its words, in order: "новите училища" finds "Новото училище".
            #expect(try await titles(database, "\"новите училища\"") == ["Ново"])
            #expect(try await titles(database, "\"училища новите\"").isEmpty)
            #expect(try await titles(database, "учил") == ["Спомен"])
            #expect(try await titles(database, "училища -ремонтира") == ["Ново"])
        }
    }

    /// Of two articles alike but for the form of the word, the one with the very form asked for comes first.
    @Test(
        .enabled(if: hasDictionary, "needs /usr/share/hunspell/bg_BG.dic: apt-get install hunspell-bg"),
        arguments: TestDatabase.all)
    func anExactFormRanksAboveAnotherForm(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(Self.article("Първа", body: "Бюджетите на общините са готови."), now: testNow)
            try await articles.save(Self.article("Втора", body: "Бюджетът на общината е готов."), now: testNow)
            #expect(try await titles(database, "бюджетите") == ["Първа", "Втора"])
            #expect(try await titles(database, "бюджетът") == ["Втора", "Първа"])
        }
    }

    /// хора is a form of хор and of хоро: both articles are found by it, and each by its own word.
    @Test(
        .enabled(if: hasDictionary, "needs /usr/share/hunspell/bg_BG.dic: apt-get install hunspell-bg"),
        arguments: TestDatabase.all)
    func aFormOfSeveralWordsIsIndexedUnderEach(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(Self.article("Песни", body: "Хорът пя на площада."), now: testNow)
            try await articles.save(Self.article("Танци", body: "Всички се хванаха на хорото."), now: testNow)
            try await articles.save(Self.article("Площад", body: "Много хора дойдоха."), now: testNow)
            #expect(Set(try await titles(database, "хор")) == ["Песни", "Площад"])
            #expect(Set(try await titles(database, "хоро")) == ["Танци", "Площад"])
            #expect(Set(try await titles(database, "хора")) == ["Песни", "Танци", "Площад"])
            #expect(Set(try await titles(database, "човек")) == ["Площад"])
        }
    }

    /// A query whose word the site has never printed gets the closest word it has; one the index knows gets none.
    @Test(arguments: TestDatabase.all)
    func didYouMeanComesFromTheSitesOwnWords(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(Self.article("Бюджет", body: "Парламентът прие бюджета за догодина."), now: testNow)
            let search = SearchRepository(database: database)
            let typo = try SearchQuery.parse("парламентъ бюджета")
            #expect(try await titles(database, "парламентъ бюджета").isEmpty)
            let suggestion = try #require(try await search.suggestion(for: typo))
            #expect(suggestion.hasSuffix(" бюджета"))
            #expect(try await titles(database, suggestion) == ["Бюджет"])
            #expect(try await search.suggestion(for: try SearchQuery.parse("бюджета")) == nil)
            // Nothing close: no suggestion rather than a wild one.
            #expect(try await search.suggestion(for: try SearchQuery.parse("жираф")) == nil)
        }
    }

    @Test func editDistanceStopsAtItsLimit() {
        func distance(_ a: String, _ b: String, _ limit: Int) -> Int? {
            SearchRepository.editDistance(Array(a.utf8), Array(b.utf8), atMost: limit)
        }
        #expect(distance("byudzhet", "byudzhet", 2) == 0)
        #expect(distance("byudzht", "byudzhet", 2) == 1)
        #expect(distance("kitten", "sitting", 3) == 3)
        #expect(distance("kitten", "sitting", 2) == nil)
        #expect(distance("", "abc", 3) == 3)
    }

    /// Migration 10 empties the index and schedules its rebuild; the rebuild goes newest first, a batch at a time,
    /// reports its progress and leaves every article found; a later binary with another analyser schedules it again.
    @Test(arguments: TestDatabase.all)
    func theRebuildRefillsTheIndexInBatches(_ kind: TestDatabase) async throws {
        try await kind.with(migrate: false) { database in
            try await Migrator(migrations: Migrations.all.filter { $0.version < Migrations.lemmaSearchVersion }).migrate(database)
            let articles = ArticleRepository(database: database)
            for number in 1...5 {
                try await database.write { db in
                    // As the binary before migration 10 saved them: no `forms` column yet, so straight into the tables.
                    try await db.raw(
                        "INSERT INTO sections (slug, name, position) SELECT 'svyat', 'Свят', 1 WHERE NOT EXISTS (SELECT 1 FROM sections)"
                    ).run()
                    try await db.raw(
                        """
                        INSERT INTO articles (slug, title, lead, body_html, section_id, status, published_at, created_at, updated_at)
                        VALUES (\(bind: "statia-\(number)"), \(bind: "Статия \(number) за бюджета"), '', '<p>Бюджети.</p>', 1,
                            'published', \(bind: Int(testNow.timeIntervalSince1970) - number * 60), 1, 1)
                        """
                    ).run()
                }
            }
            try await Migrator().migrate(database)
            let rebuild = SearchRebuild(database: database)
            #expect(try await rebuild.progress()?.finished == false)
            #expect(try await titles(database, "бюджет").isEmpty)
            let first = try #require(try await rebuild.step(batchSize: 2, now: testNow))
            #expect(first == .init(analyser: SearchAnalyzer.shared.identity, done: 2, total: 5, finished: false))
            // Newest first (the last written): those two are searchable already.
            #expect(Set(try await titles(database, "бюджет")) == ["Статия 5 за бюджета", "Статия 4 за бюджета"])
            // An article saved meanwhile is indexed as usual and not lost.
            try await articles.save(Self.article("Нов бюджет", body: "Бюджетът."), now: testNow)
            while let progress = try await rebuild.step(batchSize: 2, now: testNow), !progress.finished {}
            #expect(try await rebuild.progress() == .init(analyser: SearchAnalyzer.shared.identity, done: 5, total: 5, finished: true))
            #expect(try await rebuild.step(now: testNow) == nil)
            #expect(try await titles(database, "бюджет").count == 6)
            // Built with the light stemmer, the index is stale for a binary with the dictionary (and the reverse).
            #expect(try await rebuild.scheduleIfStale() == false)
            let otherAnalyzer = Self.hasDictionary ? SearchAnalyzer.light : SearchAnalyzer(lexicon: try BulgarianLexicon(aff: [], dic: []))
            let other = SearchRebuild(database: database, analyzer: otherAnalyzer)
            #expect(try await other.scheduleIfStale() == true)
            #expect(try await other.progress()?.finished == false)
        }
    }

    /// The index as rows: each article's full-text entry, its terms (with their rank shares on PostgreSQL) and every
    /// counted term's document frequency and word.
    func indexRows(_ database: Database) async throws -> [String] {
        try await database.read { db in
            let entries =
                database.dialect == .sqlite
                ? "SELECT rowid AS id, title || '|' || lead || '|' || body || '|' || meta || '|' || forms AS entry FROM article_search"
                : "SELECT article_id AS id, CAST(document AS TEXT) AS entry FROM article_search"
            var rows = try await db.raw(SQLQueryString(entries + " ORDER BY id")).all().map {
                "entry \(try $0.int("id")) \(try $0.string("entry"))"
            }
            let rank = database.dialect == .sqlite ? "0" : "CAST(rank AS TEXT)"
            rows += try await db.raw(
                SQLQueryString("SELECT article_id, term, tf, \(rank) AS rank FROM article_terms ORDER BY article_id, term")
            ).all().map { "term \(try $0.int("article_id")) \(try $0.string("term")) \(try $0.int("tf")) \(try $0.string("rank"))" }
            rows += try await db.raw("SELECT term, df, word FROM search_terms WHERE df <> 0 ORDER BY term").all().map {
                "df \(try $0.string("term")) \(try $0.int("df")) \(try $0.string("word"))"
            }
            return rows
        }
    }

    /// Whether every term's document frequency is the number of articles that hold it.
    func countsAgree(_ database: Database) async throws -> Bool {
        try await database.read { db in
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM search_terms s
                WHERE s.df <> (SELECT COUNT(*) FROM article_terms t WHERE t.term = s.term)
                """
            ).first()?.int("n") == 0
        }
    }

    /// A rebuild writes a batch's rows together: with the same analyser it leaves exactly the index the saves made;
    /// with another one every count still agrees with the terms, and going back gives the first index again.
    @Test(arguments: TestDatabase.all)
    func aRebuildInBatchesLeavesTheIndexTheSavesMade(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let bodies = [
                "Бюджетът на училищата расте.", "Училища и учители чакат бюджети.", "Цените на самолетните билети.",
                "Трамваите в София спират.", "Самолети кацат; трамвай закъснява.", "Хората и хорото на площада.",
                "Нов бюджет за театрите.",
            ]
            for (number, body) in bodies.enumerated() {
                var article = Self.article("Статия \(number) \(body.prefix(12))", body: body, hoursAgo: Double(number + 1))
                article.tags = number % 2 == 0 ? ["Бюджет", "София"] : ["Транспорт"]
                try await articles.save(article, now: testNow)
            }
            let saved = try await indexRows(database)
            #expect(saved.contains { $0.hasPrefix("term ") } && saved.contains { $0.hasPrefix("df ") })

            func rebuild(_ analyzer: SearchAnalyzer) async throws {
                let rebuild = SearchRebuild(database: database, analyzer: analyzer)
                try await rebuild.schedule()
                while let progress = try await rebuild.step(batchSize: 3, now: testNow), !progress.finished {}
            }
            try await rebuild(.shared)
            #expect(try await indexRows(database) == saved)
            #expect(try await countsAgree(database))

            let other = Self.hasDictionary ? SearchAnalyzer.light : SearchAnalyzer(lexicon: try BulgarianLexicon(aff: [], dic: []))
            try await rebuild(other)
            // The light stemmer puts some forms under other terms than the dictionary (without the dictionary, both
            // analysers are the light stemmer).
            if Self.hasDictionary { #expect(try await indexRows(database) != saved) }
            #expect(try await countsAgree(database))
            try await rebuild(.shared)
            #expect(try await indexRows(database) == saved)
            #expect(try await countsAgree(database))
        }
    }

    /// A fresh database has nothing to rebuild.
    @Test(arguments: TestDatabase.all)
    func aFreshDatabaseNeedsNoRebuild(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let progress = try await SearchRebuild(database: database).progress()
            #expect(progress?.finished == true)
        }
    }
}
