import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// SQLite ranks with `vestnik_rank`: bm25 with each phrase's article count given instead of counted per query.
@Suite struct SearchRankFunctionTests {
    static let queries = ["газ", "цените на газа", "\"цените на газа\"", "газа -учители", "putin", "сняг софия", "учителите бюджет"]

    /// The seed of the search tests, then edits that take words out and put others in, so that the counts have
    /// followed more than inserts.
    static func site(_ database: Database) async throws {
        try await SearchRepositoryTests.seed(database)
        let articles = ArticleRepository(database: database)
        var snow = input("Сняг в София", section: "България", hoursAgo: 1)
        snow.bodyHTML = "<p>Снегът и газът спряха влаковете. Цените на билетите остават.</p>"
        try await articles.save(snow, now: testNow)
        var draft = input("Чернова за газа", hoursAgo: 3)
        draft.bodyHTML = "<p>Газ, газ и пак газ: цените на газа.</p>"
        try await articles.save(draft, now: testNow)
        var old = input("Газови доставки от миналото", section: "Свят", hoursAgo: 24 * 60)
        old.bodyHTML = "<p>Доставките спряха.</p>"
        try await articles.save(old, now: testNow)
    }

    static func count(_ fts: String, in db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM article_search WHERE article_search MATCH \(bind: fts)").first()?.int("n") ?? 0
    }

    @Test func eachTermsArticleCountIsTheFullTextIndexsOwn() async throws {
        try await TestDatabase.sqlite.with { database in
            try await Self.site(database)
            try await database.readAside { db in
                let terms = try await db.raw("SELECT term, df FROM search_terms").all()
                #expect(terms.count > 20)
                for row in terms {
                    let term = try row.string("term")
                    let counted = try await Self.count("{title lead body meta} : \"\(term)\"", in: db)
                    #expect(try row.int("df") == counted, "\(term)")
                }
            }
        }
    }

    @Test func givenTheTrueCountsItIsBm25AndWithoutThemItCountsThem() async throws {
        try await TestDatabase.sqlite.with { database in
            try await Self.site(database)
            let w = SearchRepository.weights
            let weights = "\(w.title), \(w.lead), \(w.body), \(w.meta), \(w.forms)"
            try await database.readAside { db in
                for text in Self.queries {
                    let (fts, phrases) = SearchRepository.fts5Phrases(try SearchQuery.parse(text))
                    // Each phrase's true count, asked of FTS5 phrase by phrase: the order must be FTS5's.
                    var exact: [Int] = []
                    for phrase in phrases {
                        switch phrase {
                        case .terms(let terms):
                            exact.append(try await Self.count("{title lead body meta} : \"\(terms.joined(separator: " "))\"", in: db))
                        case .form(let form, _): exact.append(try await Self.count("forms : \"\(form)\"", in: db))
                        case .excluded: exact.append(0)
                        }
                    }
                    // One query each: FTS5 keeps one function's per-query data per query, whatever its arguments.
                    func scores(_ rank: SQLQueryString) async throws -> [Int: Double] {
                        var scores: [Int: Double] = [:]
                        let sql: SQLQueryString =
                            "SELECT rowid, \(rank) AS score FROM article_search WHERE article_search MATCH \(bind: fts)"
                        for row in try await db.raw(sql).all() {
                            scores[try row.int("rowid")] = try row.decode(column: "score", as: Double.self)
                        }
                        return scores
                    }
                    let bm25 = try await scores("-bm25(article_search, \(unsafeRaw: weights))")
                    let given = try await scores(
                        "vestnik_rank(article_search, \(unsafeRaw: weights)\(unsafeRaw: exact.map { ", \($0)" }.joined()))")
                    let counted = try await scores(
                        "vestnik_rank(article_search, \(unsafeRaw: weights)\(unsafeRaw: String(repeating: ", NULL", count: phrases.count)))"
                    )
                    let ranked = try await scores(
                        "vestnik_rank(article_search, \(unsafeRaw: weights)\(SearchRepository.articleCounts(phrases)))")
                    #expect(!bm25.isEmpty, "\(text)")
                    #expect(Set(given.keys) == Set(bm25.keys) && Set(counted.keys) == Set(bm25.keys) && Set(ranked.keys) == Set(bm25.keys))
                    for (id, score) in bm25 {
                        #expect(score > 0)
                        #expect(abs((given[id] ?? 0) - score) < 1e-9 * score, "\(text)")
                        #expect(abs((counted[id] ?? 0) - score) < 1e-9 * score, "\(text)")
                        #expect((ranked[id] ?? 0) > 0, "\(text)")
                    }
                }
            }
        }
    }
}
