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

    /// The range read is chosen when the newest matches reach few of the words' postings, the look-ups when the
    /// matches are few and the postings many.
    @Test func theRangeIsReadWhenTheMatchesAreMany() {
        // Two common words, 5,000 matches: the newest 1,001 reach a fifth of their 50,000 postings.
        #expect(SearchRepository.rangeIsCheaper(postings: [20_000, 17_000, 4_400, 11_000], matches: 5_000, walked: 1_001))
        // A rare word with a common one, 400 matches: every posting of both would be read for 400 look-ups.
        #expect(!SearchRepository.rangeIsCheaper(postings: [400, 30_000], matches: 400, walked: 1_001))
    }
}
