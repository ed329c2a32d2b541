import Foundation
import SQLKit
import VestnikCore

/// Narrowing a search beyond its words.
public struct SearchFilters: Sendable, Equatable {
    public var sectionID: Int?
    public var authorID: Int?
    /// Published at or after / before these instants.
    public var from: Date?
    public var until: Date?
    /// The newsroom searches drafts and unpublished articles too; readers only ever see what is published.
    public var includeUnpublished = false
    /// Only the articles this newsroom user created (`articles.created_by`): what a contributor may see of the
    /// newsroom's articles. nil: no such restriction (an editor's search).
    public var ownerID: Int?

    public init(
        sectionID: Int? = nil, authorID: Int? = nil, from: Date? = nil, until: Date? = nil, includeUnpublished: Bool = false,
        ownerID: Int? = nil
    ) {
        self.includeUnpublished = includeUnpublished
        self.sectionID = sectionID
        self.authorID = authorID
        self.from = from
        self.until = until
        self.ownerID = ownerID
    }
}

/// One search result: the article and the text a snippet is cut from.
public struct SearchHit: Sendable, Equatable {
    public var article: ArticleSummary
    public var text: String
    public var score: Double
}

/// Full-text search over visible articles: FTS5 with BM25 on SQLite, a weighted tsvector on PostgreSQL, both over
/// the same analysed terms, with a boost for recent stories.
public struct SearchRepository: Sendable {
    let database: Database
    /// How PostgreSQL reads the shares of GIN's matches; tests set one to compare it with the other.
    var shareReads = ShareReads.cheaper
    /// Where PostgreSQL intersects a query's words (`Intersection`); tests set one to compare it with the other.
    var intersection = Intersection.cheaper
    /// How many of its candidates PostgreSQL ranks by ts_rank at least (`exactlyRanked`); tests lower it so that a
    /// page shows the choice by shares.
    var ranksExactly = Self.exactlyRanked

    /// Per match and term (a look-up each), from the words' postings down to the oldest match (one range read), or
    /// whichever `rangeIsCheaper` expects to cost less.
    enum ShareReads { case lookUps, range, cheaper }

    public init(database: Database) { self.database = database }

    /// Field weights: a word in the title counts most, then tags/authors/section and the lead, then the body; an
    /// exact form of a query word (anywhere) adds to its match.
    static let weights = (title: 10.0, lead: 4.0, body: 1.0, meta: 4.0, forms: 4.0)
    /// A story published now scores up to 1.5× one published long ago; the boost halves over a week.
    static let recencyHalfLife = 7.0 * 86_400
    /// Counting stops here: a reader needs "over 1,000", not the exact number, and counting every match of a common
    /// word would cost more than the search. `Page.total` is then `countLimit + 1`.
    public static let countLimit = 1_000
    /// Without filters, only the best matches by text relevance (computed inside the full-text index) are re-ranked
    /// with the recency boost; this many per page asked for, and never fewer than 200.
    static let poolPerResult = 3
    /// A word found in tens of thousands of articles is ranked among its newest matches only (FTS5 walks them
    /// newest id first and stops), so a common word costs no more than a rare one. News search wants the recent
    /// stories first anyway; an archive imported out of order would rank by import order here.
    static let newestMatches = 1_000
    /// The most candidate rows one search ranks, however far a reader pages: three times the rows a count goes to.
    public static let maxRanked = 3 * countLimit
    /// How much of a body (in characters of its stored HTML) a result's snippet is cut from: about 7,000 words,
    /// the whole of nearly every article, so a 1 MB body costs a result page no more than a long article (turning
    /// stored HTML into text is linear but not free, for each of the ten results).
    public static let snippetBodyCharacters = 50_000

    public func search(
        _ query: SearchQuery, filters: SearchFilters = SearchFilters(), page: PageRequest, now: Date
    ) async throws
        -> Page<SearchHit>
    {
        let dialect = database.dialect
        // Visibility and every filter are applied while the candidates are chosen, before any ranking: the public
        // search never ranks (or walks the positions of) a draft, and a newsroom search only what its user may see.
        var condition = filters.includeUnpublished ? "1 = 1" : ArticleRepository.visible(now)
        if let section = filters.sectionID { condition += " AND a.section_id = \(bind: section)" }
        if let author = filters.authorID {
            condition += " AND EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = \(bind: author))"
        }
        if let from = filters.from { condition += " AND a.published_at >= \(bind: from.unixSeconds)" }
        if let until = filters.until { condition += " AND a.published_at < \(bind: until.unixSeconds)" }
        if let owner = filters.ownerID { condition += " AND a.created_by = \(bind: owner)" }
        let recency = Self.recency(of: "a.published_at", now: now)
        let columns: SQLQueryString = """
            a.id, a.slug, a.kicker, a.title, a.lead, substr(a.body_html, 1, \(literal: Self.snippetBodyCharacters)) AS body_html,
            a.has_video, a.has_gallery, a.published_at, a.reads, s.slug AS section_slug, s.name AS section_name,
            \(ArticleRepository.summaryPicture)
            """
        // Only a word's newest matches are ranked (walked newest id first, so a common word does not make the
        // database read and rank tens of thousands of rows), and never more than `maxRanked`.
        let candidates = min(Self.maxRanked, max(Self.newestMatches, (page.offset + page.size) * Self.poolPerResult))
        let count: SQLQueryString
        let rows: SQLQueryString
        let countLimit = Self.countLimit + 1
        switch dialect {
        case .sqlite:
            let w = Self.weights
            let (fts, phrases) = Self.fts5Phrases(query)
            // bm25 with each phrase's article count from the index's statistics (`SearchRankFunction`).
            let relevance: SQLQueryString = """
                \(unsafeRaw: SearchRankFunction.name)(article_search, \(literal: w.title), \(literal: w.lead), \(literal: w.body), \(literal: w.meta), \(literal: w.forms)\(Self.articleCounts(phrases)))
                """
            // CROSS JOIN keeps the full-text index as the outer loop: SQLite must not scan articles and probe the
            // index once per row. One walk, newest first, finds both the candidates and the count (capped at
            // `countLimit + 1`); bm25 is computed for the rows that pass the condition only. The condition reads
            // migration 28's index, not the row (whose visibility columns lie past the body's overflow pages).
            let newest: SQLQueryString = """
                WITH newest AS MATERIALIZED (
                    SELECT article_search.rowid AS id, \(relevance) AS relevance
                    FROM article_search CROSS JOIN articles a INDEXED BY articles_search_filter ON a.id = article_search.rowid
                    WHERE article_search MATCH \(bind: fts) AND \(condition)
                    ORDER BY article_search.rowid DESC LIMIT \(literal: max(candidates, countLimit)))
                """
            let ranked: SQLQueryString = "SELECT id, relevance FROM newest ORDER BY id DESC LIMIT \(literal: candidates)"
            // Without filters, the best text matches among them are re-ranked with the recency boost.
            let pool: SQLQueryString =
                filters == SearchFilters()
                ? "SELECT id, relevance FROM (\(ranked)) ORDER BY relevance DESC LIMIT \(literal: max(200, (page.offset + page.size) * Self.poolPerResult))"
                : ranked
            let total: SQLQueryString = "(SELECT COUNT(*) FROM (SELECT 1 FROM newest LIMIT \(literal: countLimit)))"
            count = "\(newest) SELECT \(total) AS n"
            // The page is chosen from the pool by score on the index alone; only its rows are then read whole (a
            // sort of the pool's rows would carry each one's body: 200 rows' overflow chains for 10 results).
            rows = """
                \(newest),
                page AS MATERIALIZED (
                    SELECT m.id, m.relevance * \(recency) AS score, a.published_at
                    FROM (\(pool)) AS m CROSS JOIN articles a INDEXED BY articles_search_filter ON a.id = m.id
                    ORDER BY score DESC, a.published_at DESC
                    LIMIT \(literal: page.size) OFFSET \(literal: page.offset))
                SELECT \(columns), p.score, \(total) AS total
                FROM page p CROSS JOIN articles a ON a.id = p.id JOIN sections s ON s.id = a.section_id
                \(ArticleRepository.summaryPictureJoin)
                ORDER BY p.score DESC, p.published_at DESC
                """
        case .postgres:
            return try await database.readAside { [condition] db in
                try await Self.postgres(
                    query, condition: condition, columns: columns, now: now, candidates: candidates, page: page, shareReads: shareReads,
                    intersection: intersection, ranksExactly: ranksExactly, in: db)
            }
        }
        return try await database.readAside { db in
            let found = try await db.raw(rows).all()
            // Past the last page no row carries the count.
            let total: Int
            if let first = found.first {
                total = try first.int("total")
            } else {
                total = try await db.raw(count).first()?.int("n") ?? 0
            }
            let hits = try found.map { row in
                SearchHit(
                    article: try ArticleRepository.summary(row),
                    text: try row.string("lead") + " " + ArticleBody.plainText(Self.wholeTags(try row.string("body_html"))),
                    score: try row.decode(column: "score", as: Double.self))
            }
            return Page(items: hits, number: page.number, size: page.size, total: total)
        }
    }

    /// The recency boost of a story published at `column` (seconds), as SQL. The age is made a double first: with
    /// an integer age PostgreSQL computes the quotient in `numeric` (decimal arithmetic, several times slower over the
    /// thousand candidates a search orders).
    static func recency(of column: String, now: Date) -> SQLQueryString {
        """
        CAST(1.0 + 0.5 * \(literal: recencyHalfLife) / (\(literal: recencyHalfLife) + \
        CAST(\(bind: now.unixSeconds) - \(unsafeRaw: column) AS DOUBLE PRECISION)) AS DOUBLE PRECISION)
        """
    }

    /// ts_rank's weights for D (exact forms), C (body), B (lead, tags, authors, section) and A (title).
    static let rankWeights = "{0.1, 0.25, 0.4, 1.0}"
    /// PostgreSQL ranks this many of its candidates exactly (ts_rank over their documents), chosen by their terms'
    /// precomputed shares of it times the recency boost; at least twice the rows up to the page asked for.
    static let exactlyRanked = 50
    /// PostgreSQL always walks the rarest query word's postings when at least this share of its articles is
    /// expected to have every other word too: GIN's intersection of words that common reads most of the index (and
    /// PostgreSQL may then scan and recheck every document instead).
    static let denseWalk = 0.5
    /// A word in at least this share of the articles is left out of GIN's intersection and checked per candidate.
    static let commonWord = 0.5
    /// What one posting GIN reads costs against one look-up by article, for `walkIsCheaper`.
    static let ginPostingCost = 0.1

    /// Whether walking the driving word's postings costs less than GIN's intersection, in look-ups by article: a walk
    /// reads about `walked / density` candidates for each of the driver's terms (a word of several terms is walked
    /// once per term) and looks each up once per term of the other words (and of the driver, when it has several);
    /// GIN reads every posting of every word and then looks the newest `walked` matches up once per term.
    static func walkIsCheaper(driverTerms: Int, otherTerms: Int, density: Double, postings: Int, walked: Int) -> Bool {
        let costs = sqlCosts(driverTerms: driverTerms, otherTerms: otherTerms, density: density, postings: postings, walked: walked)
        return density >= denseWalk || costs.walk <= costs.gin
    }

    /// What the walk and GIN's intersection cost, in look-ups by article (`walkIsCheaper`).
    static func sqlCosts(driverTerms: Int, otherTerms: Int, density: Double, postings: Int, walked: Int) -> (walk: Double, gin: Double) {
        let lookUps = Double(1 + otherTerms + (driverTerms > 1 ? driverTerms : 0))
        let walk = Double(driverTerms) * Double(walked) / max(density, 0.0001) * lookUps
        let gin = Double(walked) * Double(1 + otherTerms + driverTerms) + ginPostingCost * Double(postings)
        return (walk, gin)
    }

    /// What reading one posting in a range costs against one look-up by article and term, for `rangeIsCheaper`
    /// (measured on PostgreSQL 15: about 1 µs a posting read and summed, 4 µs a look-up).
    static let rangePostingCost = 0.25

    /// Whether the shares of GIN's newest `walked` matches cost less read from the words' postings down to the oldest
    /// of them than looked up per match and term: the postings above that point are about each term's `postings` times
    /// the share of the matches that are among the newest `walked` (`matches` is the expected number of matches).
    static func rangeIsCheaper(postings: [Int], matches: Double, walked: Int) -> Bool {
        let reach = min(1, Double(walked) / max(1, matches))
        let read = postings.reduce(0.0) { $0 + Double($1) * reach }
        return read * rangePostingCost < Double(min(walked, Int(matches.rounded(.up))) * postings.count)
    }

    /// PostgreSQL: the candidates are a word's newest matches, walked in its postings (`article_terms` by term and
    /// article, newest first, with each term's share of ts_rank), so no document is read to choose them; the other
    /// words are looked up by article, and only a phrase asks the documents themselves. The best `exactlyRanked`
    /// by their shares and recency are then ranked by ts_rank over their documents, as before: for a one-word query
    /// the shares are ts_rank less the exact form's (a constant share), so the order is the same; for several words
    /// ts_rank also weighs how close they stand, which only the final ranking sees.
    static func postgres(
        _ query: SearchQuery, condition: SQLQueryString, columns: SQLQueryString, now: Date, candidates: Int,
        page: PageRequest, shareReads: ShareReads = .cheaper, intersection: Intersection = .cheaper, ranksExactly: Int = exactlyRanked,
        in db: any SQLDatabase
    ) async throws -> Page<SearchHit> {
        // The driving word: the one whose terms are in the fewest articles, so the walk finds matches soonest.
        let queried = query.required.flatMap(\.words)
        let allTerms = Array(Set(queried.flatMap(\.terms) + query.excluded.flatMap(\.words).flatMap(\.terms))).sorted()
        var frequency: [String: Int] = [:]
        var articles = 0
        var topID = 0
        if !allTerms.isEmpty {
            for row in try await db.raw(
                """
                SELECT term, df, (SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = CAST('articles' AS regclass)) AS n,
                    (SELECT MAX(id) FROM articles) AS top
                FROM search_terms WHERE term IN (\(binds: allTerms))
                """
            ).all() {
                frequency[try row.string("term")] = try row.int("df")
                articles = max(articles, try row.int("df"), try row.int("n"))
                topID = try row.decode(column: "top", as: Int?.self) ?? 0
            }
        }
        func df(_ word: SearchQuery.Word) -> Int { word.terms.reduce(0) { $0 + (frequency[$1] ?? 0) } }
        // A term no article holds matches nothing and adds nothing to a share: the walk and the look-ups leave it out
        // (`парно` is six of the dictionary's lemma alternatives, of which the articles hold one: six descents per
        // candidate became one). The final ranking's tsquery keeps every term, so the results are the same.
        func held(_ word: SearchQuery.Word) -> SearchQuery.Word {
            SearchQuery.Word(terms: word.terms.filter { (frequency[$0] ?? 0) > 0 }, form: word.form, typed: word.typed)
        }
        let words = queried.map(held)
        guard let driver = words.min(by: { df($0) < df($1) }), df(driver) > 0 else {
            return Page(items: [], number: page.number, size: page.size, total: 0)
        }
        let tsquery = Self.tsquery(query)
        let walked = max(candidates, Self.countLimit + 1)
        let exact = min(candidates, max(ranksExactly, 2 * (page.offset + page.size)))
        // Each word's share of the rank, looked up by article (a word of several terms: the sum of those it has).
        func shares(_ words: [SearchQuery.Word]) -> (joins: SQLQueryString, sum: SQLQueryString, all: SQLQueryString) {
            var joins: SQLQueryString = ""
            var sum: SQLQueryString = "0"
            var all: SQLQueryString = ""
            var seen = Set<[String]>()
            for (index, word) in words.enumerated() where seen.insert(word.terms).inserted {
                let alias = "w\(index)"
                joins += """
                     CROSS JOIN LATERAL (SELECT SUM(t.rank) AS rank FROM article_terms t
                        WHERE t.article_id = d.article_id AND t.term IN (\(binds: word.terms))) AS \(unsafeRaw: alias)
                    """
                sum += " + COALESCE(\(unsafeRaw: alias).rank, 0)"
                all += " AND \(unsafeRaw: alias).rank IS NOT NULL"
            }
            return (joins, sum, all)
        }
        // Walking the rarest word's postings finds `walked` matches after about `walked` divided by how many of its
        // articles have the other words too (estimated from their document frequencies); GIN's intersection is cheaper
        // when few do, or when the words have several terms each (`walkIsCheaper`). A phrase is found by GIN over its
        // term pairs.
        let others = Set(words.map(\.terms)).subtracting([driver.terms])
        let density = others.reduce(1.0) { $0 * Double(df(SearchQuery.Word(terms: $1, form: ""))) / Double(max(1, articles)) }
        let pairs = Self.pairsTsquery(query)
        let walk =
            pairs == nil
            && Self.walkIsCheaper(
                driverTerms: driver.terms.count, otherTerms: others.reduce(0) { $0 + $1.count }, density: density,
                postings: words.reduce(0) { $0 + df($1) }, walked: walked)
        // An excluded word is looked up by article; an excluded phrase needs the document's positions. Both are
        // asked per candidate (a scalar subquery, which PostgreSQL does not turn into an anti-join that would read
        // the excluded word's every posting and lose the newest-first order of the walk).
        var filter: SQLQueryString = ""
        for clause in query.excluded where clause.words.count == 1 {
            let terms = held(clause.words[0]).terms
            guard !terms.isEmpty else { continue }  // no article holds it: it excludes none
            filter += """
                 AND (SELECT COUNT(*) FROM article_terms t
                    WHERE t.article_id = d.article_id AND t.term IN (\(binds: terms))) = 0
                """
        }
        let excludesPhrase = query.excluded.contains { $0.words.count > 1 }
        if pairs == nil, !excludesPhrase, intersection != .sql {
            // Words only: intersected in Swift over their postings when those are few enough to read.
            var required: [[String]] = []
            for word in words where !required.contains(word.terms) { required.append(word.terms) }
            let excludedTerms = query.excluded.filter { $0.words.count == 1 }.flatMap { held($0.words[0]).terms }
            let postings = Set(required.flatMap { $0 } + excludedTerms).map { frequency[$0] ?? 0 }
            // Matches expected per id (ids run up to `topID`).
            let rate = Double(df(driver)) * density / Double(max(1, topID))
            let costs = Self.sqlCosts(
                driverTerms: driver.terms.count, otherTerms: others.reduce(0) { $0 + $1.count }, density: density,
                postings: words.reduce(0) { $0 + df($1) }, walked: walked)
            // Both SQL paths also look each excluded term up per candidate.
            let sqlCost = (walk ? costs.walk : min(costs.walk, costs.gin)) + Double(walked * excludedTerms.count)
            let expected = min(Double(walked), Double(df(driver)) * density)
            if intersection == .swift
                || intersection == .cheaper
                    && Self.postingsAreCheaper(
                        postings: postings, rate: rate, walked: walked, expected: expected, topID: topID, sqlCost: sqlCost)
            {
                var need = walked + walked / 4 + 32
                while let found = try await Self.newestMatches(
                    words: required, excluded: excludedTerms, rate: rate, topID: topID, need: need, in: db)
                {
                    // PostgreSQL checks the newest matches' visibility (index-only, until `walked` pass) and ranks them as
                    // the SQL paths' candidates; when too few pass (drafts, filters), more matches are taken. The
                    // matches come newest first, and the look-up is a lateral join over them, so the nested loop keeps
                    // their order and stops at the `walked`th visible one: no sort, and no look-up of the quarter
                    // more that `need` asks for in case some are hidden.
                    let matches: SQLQueryString = """
                        WITH c AS MATERIALIZED (
                            SELECT m.article_id, m.rank, a.published_at
                            FROM unnest(CAST(\(bind: found.ids) AS BIGINT[]), CAST(\(bind: found.ranks) AS REAL[])) AS m (article_id, rank)
                            CROSS JOIN LATERAL (SELECT a.published_at FROM articles a WHERE a.id = m.article_id AND \(condition) LIMIT 1) AS a
                            LIMIT \(literal: walked))
                        """
                    let ranked = try await Self.rankedPage(
                        matches, tsquery: tsquery, columns: columns, now: now, candidates: candidates, exact: exact, page: page,
                        counting: true, in: db)
                    if found.complete || ranked.found >= walked { return ranked.page }
                    need *= 4
                }
            }
        }
        let matches: SQLQueryString
        // An excluded phrase: the candidate's document is asked (the whole query, the exclusions with it).
        let phraseExclusion: SQLQueryString = """
             AND (SELECT COUNT(*) FROM article_search x
                WHERE x.article_id = d.article_id AND x.document @@ CAST(\(bind: tsquery) AS tsquery)) = 1
            """
        if walk {
            // Walk the rarest word's postings, one walk per term, each to its own newest `walked` matches (together they
            // hold the word's newest `walked`; PostgreSQL 15 would sort a union of the walks rather than merge them).
            if excludesPhrase { filter += phraseExclusion }
            let rest = words.filter { $0.terms != driver.terms }
            var share = shares(driver.terms.count == 1 ? rest : [driver] + rest)
            if driver.terms.count == 1 { share.sum += " + d.rank" }
            filter += share.all
            let walks = driver.terms.map { term -> SQLQueryString in
                """
                (SELECT d.article_id, \(share.sum) AS rank, a.published_at FROM article_terms d \(share.joins)
                JOIN articles a ON a.id = d.article_id
                WHERE d.term = \(bind: term) AND \(condition)\(filter)
                ORDER BY d.article_id DESC LIMIT \(literal: walked))
                """
            }
            matches =
                walks.count == 1
                ? "WITH c AS MATERIALIZED \(walks[0])"
                : """
                WITH c AS MATERIALIZED (SELECT DISTINCT article_id, rank, published_at FROM (\(walks.joined(separator: " UNION ALL "))) AS w
                    ORDER BY article_id DESC LIMIT \(literal: walked))
                """
        } else {
            // GIN finds the articles (only their ids: no document is read, no article joined); the newest are then
            // checked for visibility one by one (a look-up by id each: as a join, PostgreSQL merged the ids with a walk
            // of `articles` down to the oldest match, 40,000 rows for a common pair) and get their words' shares until
            // `walked` pass.
            let share = shares(words)
            let found: SQLQueryString
            var checks: SQLQueryString = ""
            // The words GIN intersects: those not in most articles (below).
            let selective = words.filter { Double(df($0)) < Self.commonWord * Double(max(1, articles)) }
            if let pairs {
                // A phrase: its neighbouring words' term pairs (`search_pairs`, migration 26) find the articles that
                // hold it; only a phrase of three words or more (or an excluded phrase) asks the documents, of those
                // articles only. The other words and the excluded ones are looked up by article.
                let longPhrase = excludesPhrase || query.required.contains { $0.words.count > 2 }
                let document: SQLQueryString = longPhrase ? " AND x.document @@ CAST(\(bind: tsquery) AS tsquery)" : ""
                found = "search_pairs(x.document) @@ CAST(\(bind: pairs) AS tsquery)\(document)"
                checks = filter + share.all
            } else {
                // Several words, few articles with all of them: GIN intersects the posting lists of the words that are
                // not in most articles (GIN would read such a word's list whole, and PostgreSQL might rather scan and
                // recheck every document); every word is then checked per candidate by its shares, and the excluded
                // ones by their look-up (in the tsquery, an exclusion made GIN recheck each match's document: seconds
                // for a common pair).
                found = "x.document @@ CAST(\(bind: Self.tsquery(of: selective.isEmpty ? [driver] : selective)) AS tsquery)"
                checks = filter + share.all + (excludesPhrase ? phraseExclusion : "")
            }
            let termSets = Set(words.map(\.terms)).sorted { $0.lexicographicallyPrecedes($1) }
            let heldTerms = termSets.flatMap { $0 }
            if pairs == nil, query.excluded.isEmpty, selective.count == words.count, Set(heldTerms).count == heldTerms.count,
                shareReads == .range
                    || shareReads == .cheaper
                        && Self.rangeIsCheaper(
                            postings: heldTerms.map { frequency[$0] ?? 0 }, matches: Double(df(driver)) * density, walked: walked)
            {
                // Every word is in GIN's intersection, so each match has them all: the newest `walked` visible matches
                // are chosen first, then their shares are summed from one read of the words' postings down to the
                // oldest of them (the words' terms apart, so each posting counts once, as the look-ups count it),
                // instead of a look-up per candidate and term.
                matches = """
                    WITH m AS MATERIALIZED (SELECT x.article_id FROM article_search x WHERE \(found)),
                    v AS MATERIALIZED (
                        SELECT d.article_id, a.published_at FROM (SELECT article_id FROM m ORDER BY article_id DESC) AS d
                        CROSS JOIN LATERAL (SELECT a.published_at FROM articles a WHERE a.id = d.article_id AND \(condition) LIMIT 1) AS a
                        ORDER BY d.article_id DESC LIMIT \(literal: walked)),
                    s AS (
                        SELECT t.article_id, SUM(t.rank) AS rank FROM article_terms t
                        WHERE t.term IN (\(binds: heldTerms)) AND t.article_id >= (SELECT MIN(article_id) FROM v)
                        GROUP BY t.article_id),
                    c AS MATERIALIZED (
                        SELECT v.article_id, COALESCE(s.rank, 0) AS rank, v.published_at FROM v LEFT JOIN s ON s.article_id = v.article_id)
                    """
            } else {
                matches = """
                    WITH m AS MATERIALIZED (SELECT x.article_id FROM article_search x WHERE \(found)),
                    c AS MATERIALIZED (
                        SELECT d.article_id, \(share.sum) AS rank, a.published_at FROM (SELECT article_id FROM m ORDER BY article_id DESC) AS d
                        CROSS JOIN LATERAL (SELECT a.published_at FROM articles a WHERE a.id = d.article_id AND \(condition) LIMIT 1) AS a
                        \(share.joins)
                        WHERE 1 = 1\(checks)
                        ORDER BY d.article_id DESC LIMIT \(literal: walked))
                    """
            }
        }
        return try await rankedPage(
            matches, tsquery: tsquery, columns: columns, now: now, candidates: candidates, exact: exact, page: page, in: db
        ).page
    }

    /// The page from the candidates `c` that `matches` makes (article_id, rank: the shares, published_at; newest
    /// first): the newest `candidates` ordered by shares × recency, the best `exact` ranked by ts_rank over their
    /// documents. `counting`: `found` is the number of candidates (else 0).
    static func rankedPage(
        _ matches: SQLQueryString, tsquery: String, columns: SQLQueryString, now: Date, candidates: Int, exact: Int,
        page: PageRequest, counting: Bool = false, in db: any SQLDatabase
    ) async throws -> (page: Page<SearchHit>, found: Int) {
        // The count stops at `countLimit + 1` however far a reader pages (the walk goes further then).
        let counted: SQLQueryString = "(SELECT COUNT(*) FROM (SELECT 1 FROM c LIMIT \(literal: Self.countLimit + 1)) AS n)"
        let found: SQLQueryString = counting ? "(SELECT COUNT(*) FROM c)" : "0"
        // The best `exact` by their shares are ranked by ts_rank over their documents; only the page's rows are then
        // read whole (the body's first `snippetBodyCharacters`, decompressed, for ten rows instead of fifty).
        let rows = try await db.raw(
            """
            \(matches),
            r AS MATERIALIZED (
                SELECT m.article_id, m.published_at,
                    CAST(ts_rank(\(literal: Self.rankWeights), x.document, CAST(\(bind: tsquery) AS tsquery), 1) AS DOUBLE PRECISION)
                    * \(Self.recency(of: "m.published_at", now: now)) AS score
                FROM (
                    SELECT k.article_id, k.published_at
                    FROM (SELECT article_id, rank, published_at FROM c ORDER BY article_id DESC LIMIT \(literal: candidates)) AS k
                    ORDER BY k.rank * \(Self.recency(of: "k.published_at", now: now)) DESC, k.published_at DESC LIMIT \(literal: exact)) AS m
                JOIN article_search x ON x.article_id = m.article_id
                ORDER BY score DESC, m.published_at DESC
                LIMIT \(literal: page.size) OFFSET \(literal: page.offset))
            SELECT \(columns), \(counted) AS total, \(found) AS found, r.score
            FROM r JOIN articles a ON a.id = r.article_id JOIN sections s ON s.id = a.section_id
            \(ArticleRepository.summaryPictureJoin)
            ORDER BY r.score DESC, r.published_at DESC
            """
        ).all()
        let total: Int
        let candidatesFound: Int
        if let first = rows.first {
            total = try first.int("total")
            candidatesFound = try first.int("found")
        } else {
            let row = try await db.raw("\(matches) SELECT \(counted) AS n, \(found) AS found").first()
            total = try row?.int("n") ?? 0
            candidatesFound = try row?.int("found") ?? 0
        }
        let hits = try rows.map { row in
            SearchHit(
                article: try ArticleRepository.summary(row),
                text: try row.string("lead") + " " + ArticleBody.plainText(Self.wholeTags(try row.string("body_html"))),
                score: try row.decode(column: "score", as: Double.self))
        }
        return (Page(items: hits, number: page.number, size: page.size, total: total), candidatesFound)
    }

    /// A body's HTML cut at `snippetBodyCharacters` without the tag the cut fell inside (its text would otherwise
    /// read as words).
    static func wholeTags(_ html: String) -> String {
        guard let open = html.lastIndex(of: "<"), !html[open...].contains(">") else { return html }
        return String(html[..<open])
    }

    /// A query word's phrases stop here: a phrase whose words each have several terms asks for each combination.
    static let maxPhraseCombinations = 32

    /// Each combination of one term per word of a phrase, the words' own terms first, at most
    /// `maxPhraseCombinations`.
    static func combinations(_ words: [SearchQuery.Word]) -> [[String]] {
        var result: [[String]] = [[]]
        for word in words {
            var next: [[String]] = []
            for prefix in result {
                for term in word.terms where next.count < maxPhraseCombinations { next.append(prefix + [term]) }
            }
            result = next
        }
        return result
    }

    /// An FTS5 query: every term quoted (terms and forms are plain [a-z0-9], so quoting cannot be escaped out of).
    /// A word matches any of its terms in the text columns, or its exact form in `forms`; an exact form is always
    /// a form of one of the word's terms, so the `forms` match adds only rank.
    static func fts5(_ query: SearchQuery) -> String { fts5Phrases(query).text }

    /// What one phrase of an FTS5 query matches, for the number of articles `vestnik_rank` weighs it by.
    enum FTS5Phrase: Equatable {
        /// A term, or a phrase of terms (counted at its rarest term's articles: it is in no more).
        case terms([String])
        /// A word's exact form in `forms`, counted at its terms' articles: a form is always a form of one of them.
        case form(String, of: [String])
        /// An excluded word's: no ranked article holds it.
        case excluded
    }

    /// `fts5(query)` and its phrases in FTS5's order (as they stand in the query text): one walk makes both, so the
    /// counts given to `vestnik_rank` always meet their phrases.
    static func fts5Phrases(_ query: SearchQuery) -> (text: String, phrases: [FTS5Phrase]) {
        let text = "{title lead body meta} : "
        var phrases: [FTS5Phrase] = []
        func clause(_ clause: SearchQuery.Clause, excluded: Bool) -> String {
            switch clause {
            case .term(let word):
                phrases += word.terms.map { excluded ? .excluded : .terms([$0]) }
                if !word.form.isEmpty { phrases.append(excluded ? .excluded : .form(word.form, of: word.terms)) }
                let terms = word.terms.map { "\"\($0)\"" }.joined(separator: " OR ")
                return "(" + text + "(" + terms + ")" + (word.form.isEmpty ? "" : " OR forms : \"\(word.form)\"") + ")"
            case .phrase(let words):
                let combinations = combinations(words)
                phrases += combinations.map { excluded ? .excluded : .terms($0) }
                return "(" + text + "(" + combinations.map { "\"" + $0.joined(separator: " ") + "\"" }.joined(separator: " OR ") + "))"
            }
        }
        let required = query.required.map { clause($0, excluded: false) }.joined(separator: " AND ")
        let fts = query.excluded.reduce(required) { $0 + " NOT " + clause($1, excluded: true) }
        return (fts, phrases)
    }

    /// Each phrase's number of articles as `vestnik_rank`'s trailing arguments (each after a comma), from
    /// `search_terms` (uncorrelated subqueries: SQLite runs each once per search).
    static func articleCounts(_ phrases: [FTS5Phrase]) -> SQLQueryString {
        var counts: SQLQueryString = ""
        for phrase in phrases {
            counts += ", "
            switch phrase {
            case .terms(let terms) where terms.count == 1: counts += "(SELECT df FROM search_terms WHERE term = \(bind: terms[0]))"
            case .terms(let terms): counts += "(SELECT MIN(df) FROM search_terms WHERE term IN (\(binds: terms)))"
            case .form(_, let terms): counts += "(SELECT SUM(df) FROM search_terms WHERE term IN (\(binds: terms)))"
            case .excluded: counts += "0"
            }
        }
        return counts
    }

    /// The lexeme of an exact form in the PostgreSQL document: apart from the terms, which are never spelled so.
    static func formLexeme(_ form: String) -> String { "=" + form }

    /// The lexeme `search_pairs` (migration 26) gives two terms that stand next to each other in a document.
    static func pairLexeme(_ first: String, _ second: String) -> String { first + " " + second }

    /// PostgreSQL: what every required phrase asks of `search_pairs(document)`: each two neighbouring words as one of
    /// their terms' pairs, `('a b' | 'a2 b') & ('b c')`. For a phrase of two words this is the phrase itself (the pairs
    /// come from the document's positions); a longer one also needs the document. nil: no phrase of two words or more.
    static func pairsTsquery(_ query: SearchQuery) -> String? {
        var clauses: [String] = []
        for case .phrase(let words) in query.required where words.count > 1 {
            for (first, second) in zip(words, words.dropFirst()) {
                let pairs = first.terms.flatMap { a in second.terms.map { b in "'" + pairLexeme(a, b) + "'" } }
                let clause = "(" + pairs.joined(separator: " | ") + ")"
                if !clauses.contains(clause) { clauses.append(clause) }
            }
        }
        return clauses.isEmpty ? nil : clauses.joined(separator: " & ")
    }

    /// A tsquery that each of `words` matches (any of its terms): `('a' | 'a2') & ('b')`.
    static func tsquery(of words: [SearchQuery.Word]) -> String {
        words.map { "(" + $0.terms.map { "'\($0)'" }.joined(separator: " | ") + ")" }.joined(separator: " & ")
    }

    /// A tsquery, every lexeme quoted: `('a' | 'a2' | '=af') & ('b' <-> 'c') & !('e' | '=ef')`.
    static func tsquery(_ query: SearchQuery) -> String {
        func alternatives(_ word: SearchQuery.Word, form: Bool) -> String {
            let lexemes = word.terms + (form && !word.form.isEmpty ? [formLexeme(word.form)] : [])
            return "(" + lexemes.map { "'\($0)'" }.joined(separator: " | ") + ")"
        }
        func clause(_ clause: SearchQuery.Clause) -> String {
            switch clause {
            case .term(let word): return alternatives(word, form: true)
            case .phrase(let words): return "(" + words.map { alternatives($0, form: false) }.joined(separator: " <-> ") + ")"
            }
        }
        return (query.required.map(clause) + query.excluded.map { "!" + clause($0) }).joined(separator: " & ")
    }
}
