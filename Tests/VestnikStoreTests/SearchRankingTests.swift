import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// PostgreSQL chooses its candidates from the postings (`article_terms`, newest first) and ranks exactly only the best
/// of them by their precomputed shares of ts_rank: the results must be those of ranking every candidate by ts_rank
/// over its document, as the search did before (the reference query below), and the counts the same.
@Suite struct SearchRankingTests {
    static let vocabulary = [
        "бюджет", "училище", "община", "министър", "правителство", "избори", "пазар", "цена", "газ", "ток", "банка",
        "съд", "болница", "лекар", "учител", "студент", "самолет", "летище", "път", "мост", "град", "село", "море",
        "планина", "сняг", "дъжд", "футбол", "отбор", "мач", "треньор",
    ]

    /// The search as it ranked before: ts_rank over the document of each of the newest `candidates` matches.
    static func reference(_ query: SearchQuery, candidates: Int, in database: Database) async throws -> (ids: [Int], total: Int) {
        let tsquery = SearchRepository.tsquery(query)
        let visible = ArticleRepository.visible(testNow)
        let recency: SQLQueryString =
            "CAST(1.0 + 0.5 * \(literal: SearchRepository.recencyHalfLife) / (\(literal: SearchRepository.recencyHalfLife) + (\(bind: testNow.unixSeconds) - a.published_at)) AS DOUBLE PRECISION)"
        return try await database.read { db in
            let total =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM (SELECT 1 FROM article_search x JOIN articles a ON a.id = x.article_id
                    WHERE x.document @@ CAST(\(bind: tsquery) AS tsquery) AND \(visible) LIMIT \(literal: SearchRepository.countLimit + 1)) AS m
                    """
                ).first()?.int("n") ?? 0
            let ids = try await db.raw(
                """
                SELECT a.id, CAST(ts_rank('{0.1, 0.25, 0.4, 1.0}', x.document, CAST(\(bind: tsquery) AS tsquery), 1) AS DOUBLE PRECISION) * \(recency) AS score
                FROM (SELECT x.article_id, x.document FROM article_search x JOIN articles a ON a.id = x.article_id
                    WHERE x.document @@ CAST(\(bind: tsquery) AS tsquery) AND \(visible)
                    ORDER BY x.article_id DESC LIMIT \(literal: candidates)) AS x JOIN articles a ON a.id = x.article_id
                ORDER BY score DESC, a.published_at DESC LIMIT 10
                """
            ).all().map { try $0.int("id") }
            return (ids, total)
        }
    }

    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func theRankingIsTsRankOverTheNewestMatches(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            // 240 articles over 30 words: a word is in about 50 to 110 of them, more than are ranked exactly.
            // A fixed linear congruential sequence: the same corpus every run.
            var state: UInt64 = 7
            func next(_ bound: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(bound))
            }
            func words(_ count: Int) -> String {
                (0..<count).map { _ in Self.vocabulary[next(Self.vocabulary.count)] }.joined(separator: " ")
            }
            var batch: [ArticleInput] = []
            for index in 0..<240 {
                var article = input(words(3).capitalized, hoursAgo: Double(index) * 3)
                article.slug = "statia-\(index)"
                article.lead = words(6)
                article.bodyHTML = "<p>\(words(20)).</p><p>\(words(next(40) + 5)).</p>"
                article.status = index % 17 == 5 ? .draft : .published
                batch.append(article)
            }
            try await ArticleRepository(database: database).saveAll(batch, now: testNow)
            let search = SearchRepository(database: database)
            var oneWord = 0
            // Phrases are found by their neighbouring terms (`search_pairs`), a phrase of three words also by its document.
            let phrases = [
                "\"цена газ\"", "\"газ цена\" ток", "\"бюджет училище община\"", "\"мач отбор\" -футбол", "\"сняг дъжд\" -\"дъжд сняг\"",
                "\"път мост\" \"мост град\"", "\"uchilishte budzhet\"",
            ]
            let others = [
                "училища", "uchilishte", "-газ цена", "бюджет училище", "футбол -мач", "бюджет училище -газ", "цена газ -мост",
            ]
            for text in Self.vocabulary + others + phrases {
                let query = try SearchQuery.parse(text)
                let page = try await search.search(query, page: PageRequest(number: 1, size: 10), now: testNow)
                let reference = try await Self.reference(query, candidates: SearchRepository.newestMatches, in: database)
                #expect(page.total == reference.total, "\(text)")
                let single = query.required.count == 1 && query.excluded.isEmpty && query.required[0].words.count == 1
                if single {
                    // One word: the shares order the candidates as ts_rank does, so the page is the reference's.
                    #expect(page.items.map(\.article.id) == reference.ids, "\(text)")
                    if reference.total > SearchRepository.exactlyRanked { oneWord += 1 }
                } else {
                    // Several words: ts_rank also weighs how near they stand; the best of the reference are found.
                    #expect(Set(page.items.prefix(5).map(\.article.id)).isSubset(of: Set(reference.ids)), "\(text)")
                }
            }
            // Most words have more matches than are ranked exactly, so the choice by shares was tested.
            #expect(oneWord >= 20)
        }
    }

    /// `search_pairs` (migration 26) holds `a b` exactly where the document has the phrase "a b": for every ordered
    /// pair of the corpus's words (the same word twice included), the same articles.
    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func aPairIsWhereThePhraseIs(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let words = Array(Self.vocabulary.prefix(8))
            var batch: [ArticleInput] = []
            for index in 0..<60 {
                // A body word is three or four places after the one before it in the list, and titles and leads add
                // pairs of their own: some pairs are common, some rare, some never met.
                let body = (0..<30).map { words[($0 * 3 + index * 5 + $0 / 7) % words.count] }.joined(separator: " ")
                var article = input("\(words[index % words.count]) \(words[(index * 7) % words.count])", hoursAgo: Double(index))
                article.slug = "dvoyka-\(index)"
                article.lead = words[(index + 3) % words.count]
                article.bodyHTML = "<p>\(body).</p>"
                batch.append(article)
            }
            try await ArticleRepository(database: database).saveAll(batch, now: testNow)
            let terms = try words.map { try SearchQuery.parse($0).required[0].words[0].term }
            var found = 0
            for first in terms {
                for second in terms {
                    let row = try await database.read { db in
                        try await db.raw(
                            """
                            SELECT (SELECT COALESCE(string_agg(CAST(article_id AS TEXT), ' ' ORDER BY article_id), '') FROM article_search
                                    WHERE search_pairs(document) @@ CAST(\(bind: "'\(first) \(second)'") AS tsquery)) AS pairs,
                                (SELECT COALESCE(string_agg(CAST(article_id AS TEXT), ' ' ORDER BY article_id), '') FROM article_search
                                    WHERE document @@ CAST(\(bind: "'\(first)' <-> '\(second)'") AS tsquery)) AS phrase
                            """
                        ).first()
                    }
                    let pairs = try row?.string("pairs")
                    let phrase = try row?.string("phrase")
                    #expect(pairs == phrase, "\(first) \(second)")
                    if phrase?.isEmpty == false { found += 1 }
                }
            }
            // Most pairs are somewhere, not all: both sides of the comparison were tested.
            #expect(found > 10 && found < terms.count * terms.count)
        }
    }

    /// GIN's matches get their shares either looked up per match and term or summed from one read of the words'
    /// postings down to the oldest match (`SearchRepository.ShareReads`): the same pages, scores and counts, for
    /// queries with more matches than are ranked exactly (so the shares choose which are).
    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func sharesReadFromThePostingsAreTheLookUps(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            var batch: [ArticleInput] = []
            let words = ["бюджет", "училище", "цена", "газ"]
            for index in 0..<600 {
                // Each word in about two articles of five (GIN intersects only words in under half of them), in its
                // title, lead or body a varying number of times, so the matches' shares differ; a tenth are drafts.
                let has = words.indices.filter { (index * ($0 + 3) + $0 * 7 + index / 5) % 5 < 2 }.map { words[$0] }
                let text = has.isEmpty ? ["мост"] : has
                var article = input(text[index % text.count].capitalized + " новина", hoursAgo: Double(index) / 2)
                article.slug = "dyal-\(index)"
                article.lead = text[(index + 1) % text.count] + " мост"
                let repeated = (0..<(index * 7 % 23)).map { text[($0 * index / 3) % text.count] }
                article.bodyHTML = "<p>" + (text + repeated).joined(separator: " ") + ".</p>"
                article.status = index % 10 == 3 ? .draft : .published
                batch.append(article)
            }
            try await ArticleRepository(database: database).saveAll(batch, now: testNow)
            // The article count the search weighs a word's share by is PostgreSQL's estimate, as autovacuum keeps it.
            try await database.write { db in try await db.raw("ANALYZE articles").run() }
            // Each page's rows are the best by ts_rank of twice as many chosen by their shares: the choice shows.
            var lookUps = SearchRepository(database: database)
            lookUps.shareReads = .lookUps
            lookUps.ranksExactly = 0
            var range = lookUps
            range.shareReads = .range
            var ranked = 0
            for text in ["бюджет училище", "цена газ", "училища цените", "бюджет газ училище", "бюджети училища"] {
                let query = try SearchQuery.parse(text)
                for number in 1...3 {
                    let page = PageRequest(number: number, size: 10)
                    let looked = try await lookUps.search(query, page: page, now: testNow)
                    let read = try await range.search(query, page: page, now: testNow)
                    #expect(read.total == looked.total, "\(text)")
                    #expect(read.items.map(\.article.id) == looked.items.map(\.article.id), "\(text) page \(number)")
                    #expect(zip(read.items, looked.items).allSatisfy { abs($0.score - $1.score) < 1e-9 }, "\(text)")
                    if number == 1, looked.total > 60 { ranked += 1 }
                }
            }
            #expect(ranked >= 3)
        }
    }

    /// Words intersected in Swift over their packed postings (`SearchRepository.Intersection`) give the SQL
    /// paths' pages, scores and counts: several words, words of several terms, exclusions, drafts and stories scheduled
    /// for later, filters, pages past the first and past the last; and after edits, an unpublished story and a
    /// deleted one, read from the same postings the saves keep.
    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func wordsIntersectedInSwiftAreTheSQLPaths(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let words = ["бюджет", "училище", "цена", "газ", "мост"]
            func article(_ index: Int, extra: String = "") -> ArticleInput {
                let has = words.indices.filter { (index * ($0 + 3) + $0 * 7 + index / 5) % 5 < 2 }.map { words[$0] }
                let text = has.isEmpty ? ["сняг"] : has
                var article = input(
                    text[index % text.count].capitalized + " новина", section: index % 3 == 0 ? "Спорт" : "Свят",
                    hoursAgo: Double(index) / 2 - (index % 41 == 7 ? 100 : 0))
                article.slug = "swift-\(index)"
                article.lead = text[(index + 1) % text.count] + " " + ["цените", "училища", "бюджети"][index % 3] + extra
                let repeated = (0..<(index * 7 % 23)).map { text[($0 * index / 3) % text.count] }
                article.bodyHTML = "<p>" + (text + repeated).joined(separator: " ") + ".</p>"
                article.status = index % 10 == 3 ? .draft : .published
                return article
            }
            let articles = ArticleRepository(database: database)
            try await articles.saveAll((0..<700).map { article($0) }, now: testNow)
            try await database.write { db in try await db.raw("ANALYZE articles").run() }
            let section = try #require(try await TaxonomyRepository(database: database).section(slug: "sport")).id
            var sql = SearchRepository(database: database)
            sql.intersection = .sql
            sql.ranksExactly = 0
            var swift = sql
            swift.intersection = .swift
            let texts = [
                "бюджет", "училища", "цена газ", "цените газ", "бюджет училище мост", "бюджети училища", "газ -мост",
                "бюджет цена -училище -сняг", "мост -газ -цена", "сняг бюджет", "цена дъжд",
            ]
            func compare(_ label: String) async throws -> Int {
                var ranked = 0
                for text in texts {
                    let query = try SearchQuery.parse(text)
                    for filters in [SearchFilters(), SearchFilters(sectionID: section), SearchFilters(includeUnpublished: true)] {
                        for number in [1, 2, 3, 80] {
                            let page = PageRequest(number: number, size: 10)
                            let expected = try await sql.search(query, filters: filters, page: page, now: testNow)
                            let found = try await swift.search(query, filters: filters, page: page, now: testNow)
                            #expect(found.total == expected.total, "\(label) \(text) \(number)")
                            #expect(found.items.map(\.article.id) == expected.items.map(\.article.id), "\(label) \(text) \(number)")
                            #expect(zip(found.items, expected.items).allSatisfy { abs($0.score - $1.score) < 1e-9 }, "\(label) \(text)")
                            if number == 1, expected.total > 20 { ranked += 1 }
                        }
                    }
                }
                return ranked
            }
            #expect(try await compare("saved") >= 20)
            // Edits move words in and out of articles, one story is unpublished, one deleted.
            for index in stride(from: 0, to: 700, by: 9) { try await articles.save(article(index + 1, extra: " газ"), now: testNow) }
            var unpublished = article(4)
            unpublished.status = .draft
            try await articles.save(unpublished, now: testNow)
            try await database.write { db in try await db.raw("DELETE FROM articles WHERE slug = 'swift-6'").run() }
            #expect(try await compare("edited") >= 20)
        }
    }

    /// The Swift path's candidates are the newest `walked` visible matches although more matches are sent (a quarter
    /// more, in case some are hidden) and PostgreSQL stops at the `walked`th visible one without sorting: with drafts
    /// and stories scheduled for later among the newest, and the oldest matches the best by their shares (the words
    /// in their titles), a wrong choice would put those on the first page.
    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func theCandidatesAreTheNewestVisibleMatches(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let count = 1_150
            let imported = (0..<count).map { index -> ArticleWriteService.Imported in
                // Ids rise with the index, and so does the publication time: the newest article is the last.
                var article = input(
                    index < 40 ? "Цена на газ \(index)" : "Новина \(index)",
                    hoursAgo: index >= 850 && index % 6 == 1 ? -5 : Double(count - index))
                article.slug = "nai-novi-\(index)"
                article.bodyHTML = "<p>Цена и газ, \(Self.vocabulary[index % Self.vocabulary.count]).</p>"
                article.status = index >= 850 && index % 6 == 0 ? .draft : .published
                return ArticleWriteService.Imported(input: article, slug: nil)
            }
            _ = try await ArticleWriteService(database: database).importArticles(imported, now: testNow)
            let titled = try await database.read { db in
                try await db.raw("SELECT id FROM articles WHERE title LIKE 'Цена на газ%'").all().map { try $0.int("id") }
            }
            #expect(titled.count == 40)
            var sql = SearchRepository(database: database)
            sql.intersection = .sql
            sql.ranksExactly = 0
            var swift = sql
            swift.intersection = .swift
            let query = try SearchQuery.parse("цена газ")
            for number in [1, 2, 50, 100] {
                let page = PageRequest(number: number, size: 10)
                let expected = try await sql.search(query, page: page, now: testNow)
                let found = try await swift.search(query, page: page, now: testNow)
                #expect(found.total == SearchRepository.countLimit + 1, "\(number)")
                #expect(found.total == expected.total, "\(number)")
                #expect(found.items.map(\.article.id) == expected.items.map(\.article.id), "\(number)")
                #expect(zip(found.items, expected.items).allSatisfy { abs($0.score - $1.score) < 1e-9 }, "\(number)")
                if number == 1 {
                    #expect(found.items.count == 10)
                    #expect(Set(found.items.map(\.article.id)).isDisjoint(with: titled))
                }
            }
            // A page of 1,000 asks for 3,000 candidates, every visible match: then the titled ones come first.
            let deep = try await swift.search(query, page: PageRequest(number: 1, size: 1_000), now: testNow)
            #expect(Set(deep.items.prefix(10).map(\.article.id)).isSubset(of: titled))
        }
    }

    /// `search_postings` (migration 30) holds exactly `article_terms` packed by block after every kind of write: a
    /// bulk import (one batch), saves, edits that move words in and out of articles, the same article twice in one
    /// import, unpublishing, and a rebuild of the index in batches.
    @Test(arguments: TestDatabase.all.filter { $0 == .postgres })
    func packedPostingsAreKeptInStep(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            func article(_ index: Int, words: String) -> ArticleInput {
                var article = input("Новина \(index) " + words, hoursAgo: Double(index))
                article.slug = "paket-\(index)"
                article.bodyHTML = "<p>\(words) \(Self.vocabulary[index % Self.vocabulary.count]).</p>"
                return article
            }
            func check(_ label: String) async throws {
                let (kept, packed) = try await database.read { db in
                    let kept = try await db.raw(
                        "SELECT term, block, encode(postings, 'hex') AS p FROM search_postings ORDER BY term, block"
                    )
                    .all().map { "\(try $0.string("term")) \(try $0.int("block")) \(try $0.string("p"))" }
                    let packed = try await db.raw(
                        """
                        SELECT t.term, t.article_id / \(literal: SearchPostings.blockSize) AS block, encode(\(unsafeRaw: SearchPostings.packed), 'hex') AS p
                        FROM article_terms t GROUP BY 1, 2 ORDER BY 1, 2
                        """
                    ).all().map { "\(try $0.string("term")) \(try $0.int("block")) \(try $0.string("p"))" }
                    return (kept, packed)
                }
                #expect(kept == packed, "\(label)")
                #expect(!kept.isEmpty)
            }
            let writes = ArticleWriteService(database: database)
            let imported = (0..<300).map { ArticleWriteService.Imported(input: article($0, words: "бюджет цена"), slug: nil) }
            _ = try await writes.importArticles(imported, now: testNow)
            try await check("import")
            let articles = ArticleRepository(database: database)
            for index in stride(from: 0, to: 300, by: 7) { try await articles.save(article(index, words: "газ мост"), now: testNow) }
            try await check("edits")
            _ = try await writes.importArticles(
                [.init(input: article(5, words: "сняг"), slug: nil), .init(input: article(5, words: "дъжд сняг"), slug: nil)], now: testNow)
            try await check("one article twice in an import")
            var unpublished = article(9, words: "газ")
            unpublished.status = .draft
            try await articles.save(unpublished, now: testNow)
            try await check("unpublished")
            let ids = try await database.read { db in try await db.raw("SELECT id FROM articles ORDER BY id").all().map { try $0.int("id") }
            }
            try await database.write { db in
                try await SearchIndexer.reindex(batch: Array(ids.prefix(120)), analyzer: .light, dialect: .postgres, in: db)
            }
            try await check("rebuilt with another analyser")
        }
    }

    /// The postings of a word of several terms are their union with the shares added; the words' intersection keeps
    /// the articles in all of them and in none of the excluded, with the words' shares added in the query's order.
    @Test func postingsAreMergedAndIntersected() {
        typealias Postings = SearchRepository.Postings
        let a = Postings(ids: [1, 3, 5, 9], ranks: [0.5, 1, 2, 4])
        let b = Postings(ids: [2, 3, 9, 10], ranks: [0.25, 0.5, 1, 8])
        #expect(SearchRepository.union([a, b]) == Postings(ids: [1, 2, 3, 5, 9, 10], ranks: [0.5, 0.25, 1.5, 2, 5, 8]))
        #expect(SearchRepository.union([a]) == a)
        let c = Postings(ids: [3, 5, 9, 11], ranks: [0.125, 0.125, 0.125, 1])
        #expect(SearchRepository.intersect([a, c], excluding: []) == Postings(ids: [3, 5, 9], ranks: [1.125, 2.125, 4.125]))
        #expect(
            SearchRepository.intersect([a, c], excluding: [Postings(ids: [5, 7], ranks: [0, 0])])
                == Postings(ids: [3, 9], ranks: [1.125, 4.125]))
        #expect(SearchRepository.intersect([a, Postings()], excluding: []) == Postings())
    }

    /// Swift's intersection is chosen when the SQL paths would look many candidates up per term (two words of several
    /// terms), not for one word the walk reads with a look-up per match, nor when the packed rows would be too many.
    @Test func theSwiftIntersectionIsChosenByCost() {
        // `цените на газа`, 100,000 articles: GIN's 5,000 matches, 1,001 of them looked up for nine terms.
        #expect(
            SearchRepository.postingsAreCheaper(
                postings: [19_000, 17_000, 11_000, 4_400], rate: 0.05, walked: 1_001, expected: 1_001, topID: 100_000, sqlCost: 10_000))
        // One common word: the walk looks each of its newest 1,001 matches up once.
        #expect(
            !SearchRepository.postingsAreCheaper(
                postings: [20_000], rate: 0.2, walked: 1_001, expected: 1_001, topID: 100_000, sqlCost: 1_001))
        // A rare word with very common ones at 10,000,000 articles: every block of the common words back to its oldest.
        #expect(
            !SearchRepository.postingsAreCheaper(
                postings: [500, 5_000_000, 4_000_000], rate: 0.00005, walked: 1_001, expected: 500, topID: 10_000_000, sqlCost: 1e9))
    }

    /// The range read is chosen when the newest matches reach few of the words' postings, the look-ups when the
    /// matches are few and the postings many.
    @Test func theRangeIsReadWhenTheMatchesAreMany() {
        // Two common words, 5,000 matches: the newest 1,001 reach a fifth of their 50,000 postings.
        #expect(SearchRepository.rangeIsCheaper(postings: [20_000, 17_000, 4_400, 11_000], matches: 5_000, walked: 1_001))
        // A rare word with a common one, 400 matches: every posting of both would be read for 400 look-ups.
        #expect(!SearchRepository.rangeIsCheaper(postings: [400, 30_000], matches: 400, walked: 1_001))
    }
}
