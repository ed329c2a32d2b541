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
    /// stored HTML into text costs about 0.25 s a megabyte, for each of the ten results).
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
        let recency: SQLQueryString =
            "CAST(1.0 + 0.5 * \(literal: Self.recencyHalfLife) / (\(literal: Self.recencyHalfLife) + (\(bind: now.unixSeconds) - a.published_at)) AS DOUBLE PRECISION)"
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
            let fts = Self.fts5(query)
            let relevance: SQLQueryString =
                "-bm25(article_search, \(literal: w.title), \(literal: w.lead), \(literal: w.body), \(literal: w.meta), \(literal: w.forms))"
            // CROSS JOIN keeps the full-text index as the outer loop: SQLite must not scan articles and probe the
            // index once per row.
            count = """
                SELECT COUNT(*) AS n FROM (SELECT 1 FROM article_search CROSS JOIN articles a ON a.id = article_search.rowid
                WHERE article_search MATCH \(bind: fts) AND \(condition) LIMIT \(literal: countLimit)) AS matches
                """
            // bm25 is computed for the rows that pass the condition only.
            let newest: SQLQueryString = """
                SELECT article_search.rowid AS id, \(relevance) AS relevance
                FROM article_search CROSS JOIN articles a ON a.id = article_search.rowid
                WHERE article_search MATCH \(bind: fts) AND \(condition)
                ORDER BY article_search.rowid DESC LIMIT \(literal: candidates)
                """
            // Without filters, the best text matches among them are re-ranked with the recency boost.
            let pool: SQLQueryString =
                filters == SearchFilters()
                ? "SELECT id, relevance FROM (\(newest)) ORDER BY relevance DESC LIMIT \(literal: max(200, (page.offset + page.size) * Self.poolPerResult))"
                : newest
            rows = """
                SELECT \(columns), m.relevance * \(recency) AS score
                FROM (\(pool)) AS m CROSS JOIN articles a ON a.id = m.id JOIN sections s ON s.id = a.section_id
                \(ArticleRepository.summaryPictureJoin)
                ORDER BY score DESC, a.published_at DESC
                LIMIT \(literal: page.size) OFFSET \(literal: page.offset)
                """
        case .postgres:
            let tsquery = Self.tsquery(query)
            count = """
                SELECT COUNT(*) AS n FROM (SELECT 1 FROM article_search x JOIN articles a ON a.id = x.article_id
                WHERE x.document @@ CAST(\(bind: tsquery) AS tsquery) AND \(condition) LIMIT \(literal: countLimit)) AS matches
                """
            let newest: SQLQueryString = """
                SELECT x.article_id, x.document FROM article_search x JOIN articles a ON a.id = x.article_id
                WHERE x.document @@ CAST(\(bind: tsquery) AS tsquery) AND \(condition)
                ORDER BY x.article_id DESC LIMIT \(literal: candidates)
                """
            rows = """
                SELECT \(columns), CAST(ts_rank('{0.1, 0.25, 0.4, 1.0}', x.document, CAST(\(bind: tsquery) AS tsquery), 1) AS DOUBLE PRECISION) * \(recency) AS score
                FROM (\(newest)) AS x JOIN articles a ON a.id = x.article_id JOIN sections s ON s.id = a.section_id
                \(ArticleRepository.summaryPictureJoin)
                ORDER BY score DESC, a.published_at DESC
                LIMIT \(literal: page.size) OFFSET \(literal: page.offset)
                """
        }
        return try await database.readAside { db in
            let total = try await db.raw(count).first()?.int("n") ?? 0
            let hits = try await db.raw(rows).all().map { row in
                SearchHit(
                    article: try ArticleRepository.summary(row),
                    text: try row.string("lead") + " " + ArticleBody.plainText(Self.wholeTags(try row.string("body_html"))),
                    score: try row.decode(column: "score", as: Double.self))
            }
            return Page(items: hits, number: page.number, size: page.size, total: total)
        }
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
    static func fts5(_ query: SearchQuery) -> String {
        let text = "{title lead body meta} : "
        func clause(_ clause: SearchQuery.Clause) -> String {
            switch clause {
            case .term(let word):
                let terms = word.terms.map { "\"\($0)\"" }.joined(separator: " OR ")
                return "(" + text + "(" + terms + ")" + (word.form.isEmpty ? "" : " OR forms : \"\(word.form)\"") + ")"
            case .phrase(let words):
                let phrases = combinations(words).map { "\"" + $0.joined(separator: " ") + "\"" }
                return "(" + text + "(" + phrases.joined(separator: " OR ") + "))"
            }
        }
        let required = query.required.map(clause).joined(separator: " AND ")
        return query.excluded.reduce(required) { $0 + " NOT " + clause($1) }
    }

    /// The lexeme of an exact form in the PostgreSQL document: apart from the terms, which are never spelled so.
    static func formLexeme(_ form: String) -> String { "=" + form }

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
