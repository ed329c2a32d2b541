import Foundation
import SQLKit
import VestnikCore

/// Keeps an article's full-text entry and term statistics in step with the article. Called inside the article's
/// write transaction, so a reader never finds an article that the index does not know, or the reverse.
enum SearchIndexer {
    /// The analysed fields of one article; each is a space-separated run of terms in text order.
    struct Document {
        var title: [String]
        var lead: [String]
        var body: [String]
        var meta: [String]
        /// Every distinct form the fields hold, in Latin letters: an exact match of a query word ranks higher.
        var forms: [String]
        /// The word "did you mean" shows for each term (its lemma, or the word itself).
        var display: [String: String]

        /// Each field is analysed from its first `SearchAnalyzer.maxDocumentWords` words only: a huge body (one word
        /// 300,000 times) costs the index, and every search whose words it holds, no more than a long article.
        /// `analysed`: the article's own text analysed beforehand (a bulk import's conversion), used when it is the
        /// analysis of this very text.
        init(
            kicker: String, title: String, lead: String, bodyHTML: String, tags: [String], authors: [String], section: String,
            analyzer: SearchAnalyzer = .shared, analysed: Analysed? = nil
        ) {
            let own =
                analysed.flatMap { $0.holds(kicker: kicker, title: title, lead: lead, bodyHTML: bodyHTML) ? $0 : nil }
                ?? Analysed(kicker: kicker, title: title, lead: lead, bodyHTML: bodyHTML, analyzer: analyzer)
            let fields =
                own.fields + [
                    analyzer.analyses((tags + authors + [section]).joined(separator: " . "), limit: SearchAnalyzer.maxDocumentWords)
                ]
            self.title = fields[0].map(\.term)
            self.lead = fields[1].map(\.term)
            self.body = fields[2].map(\.term)
            self.meta = fields[3].map(\.term)
            var forms: [String] = []
            var seen = Set<String>()
            var display: [String: String] = [:]
            for analysis in fields.joined() {
                if !analysis.form.isEmpty, seen.insert(analysis.form).inserted { forms.append(analysis.form) }
                if display[analysis.term] == nil { display[analysis.term] = analysis.display }
            }
            self.forms = forms
            self.display = display
        }

        /// Term frequencies over every field, title terms counting double: the vector "Още:" similarity uses.
        var frequencies: [String: Int] {
            var counts: [String: Int] = [:]
            for term in title { counts[term, default: 0] += 2 }
            for term in lead + body + meta { counts[term, default: 0] += 1 }
            return counts
        }
    }

    /// The analysis of an article's own text (kicker and title, lead, body), which needs nothing stored: a bulk import
    /// makes it while converting a post, beside the transaction that writes the batch before it. (The names of the
    /// article's section, tags and authors are analysed in the transaction, as stored.)
    struct Analysed: Sendable {
        let kicker: String
        let title: String
        let lead: String
        let bodyHTML: String
        /// Kicker and title, lead, body.
        let fields: [[SearchAnalyzer.Analysis]]

        init(kicker: String, title: String, lead: String, bodyHTML: String, analyzer: SearchAnalyzer = .shared) {
            (self.kicker, self.title, self.lead, self.bodyHTML) = (kicker, title, lead, bodyHTML)
            fields = [kicker + " " + title, lead, ArticleBody.plainText(bodyHTML)].map {
                analyzer.analyses($0, limit: SearchAnalyzer.maxDocumentWords)
            }
        }

        func holds(kicker: String, title: String, lead: String, bodyHTML: String) -> Bool {
            self.kicker == kicker && self.title == title && self.lead == lead && self.bodyHTML == bodyHTML
        }
    }

    /// The search rows of a batch of saves (a bulk import's transaction), written together by `write` before the
    /// batch commits: each article's full-text entry and its `article_terms` rows in a few multi-row statements
    /// instead of two or three per article, and the document frequencies the batch adds (term → articles, and the
    /// word "did you mean" shows) in one pass, a term shared by many articles of the batch one row to update.
    /// Nothing in the batch's transaction reads them before then; an update of an article writes what is held first
    /// (its earlier rows may be among them: the same post twice in one file).
    final class Batch: @unchecked Sendable {
        fileprivate var counts: [String: (df: Int, word: String)] = [:]
        fileprivate var entries: [(articleID: Int, title: String, lead: String, body: String, meta: String, forms: [String])] = []
        fileprivate var terms: [(articleID: Int, term: String, tf: Int)] = []

        /// Takes the old rows' counts of re-indexed articles off the counts to add; a term whose count does not
        /// change is not written at all.
        func subtract(_ removed: [String: Int]) {
            for (term, n) in removed { counts[term, default: (df: 0, word: "")].df -= n }
            counts = counts.filter { $0.value.df != 0 }
        }

        /// Writes the held entries, terms and counts, and forgets them.
        func write(dialect: Database.Dialect, in db: any SQLDatabase) async throws {
            let entries = self.entries
            let terms = self.terms
            let counts = self.counts.sorted { $0.key < $1.key }
            self.entries = []
            self.terms = []
            self.counts = [:]
            try await SearchIndexer.insert(entries: entries, terms: terms, dialect: dialect, in: db)
            try await SearchIndexer.addTerms(counts, in: db)
        }
    }

    /// `isNew`: the article was inserted in this transaction, so it has no terms or entry to take out yet (article ids
    /// are never reused: AUTOINCREMENT and identity columns). `pending`: the batch's rows, added to instead of written
    /// (the caller writes them before committing).
    static func index(
        articleID: Int, document: Document, dialect: Database.Dialect, isNew: Bool = false, pending: Batch? = nil,
        in db: any SQLDatabase
    ) async throws {
        if !isNew {
            // Its earlier terms may be among the batch's rows (the same article twice in one batch).
            try await pending?.write(dialect: dialect, in: db)
            try await removeTerms(articleID: articleID, in: db)
            if dialect == .sqlite { try await db.raw("DELETE FROM article_search WHERE rowid = \(bind: articleID)").run() }
        }
        let entry = (
            articleID: articleID, title: document.title.joined(separator: " "), lead: document.lead.joined(separator: " "),
            body: document.body.joined(separator: " "), meta: document.meta.joined(separator: " "), forms: document.forms
        )
        let frequencies = document.frequencies.sorted { $0.key < $1.key }
        let terms = frequencies.map { (articleID: articleID, term: $0.key, tf: $0.value) }
        if let pending {
            pending.entries.append(entry)
            pending.terms += terms
            for (term, _) in frequencies { pending.counts[term, default: (df: 0, word: document.display[term] ?? "")].df += 1 }
        } else {
            try await insert(entries: [entry], terms: terms, dialect: dialect, in: db)
            try await addTerms(frequencies.map { (key: $0.key, value: (df: 1, word: document.display[$0.key] ?? "")) }, in: db)
        }
    }

    /// Full-text entries (of articles that have none: new, or whose entry was just taken out; PostgreSQL's is an
    /// upsert) and then their terms, in multi-row statements that keep well under both databases' bind limits.
    private static func insert(
        entries: [(articleID: Int, title: String, lead: String, body: String, meta: String, forms: [String])],
        terms: [(articleID: Int, term: String, tf: Int)], dialect: Database.Dialect, in db: any SQLDatabase
    ) async throws {
        for group in Database.rowGroups(entries.count, largest: 128) {
            let chunk = entries[group]
            var rows: SQLQueryString = ""
            for (offset, e) in chunk.enumerated() {
                rows += (offset == 0 ? "" : ", ")
                switch dialect {
                case .sqlite:
                    rows +=
                        "(\(bind: e.articleID), \(bind: e.title), \(bind: e.lead), \(bind: e.body), \(bind: e.meta), \(bind: e.forms.joined(separator: " ")))"
                case .postgres:
                    // Forms are lexemes of their own (`=form`, weight D), apart from the terms, and carry no
                    // positions. Written before the terms, whose ranks are read from it.
                    let forms = e.forms.map { SearchRepository.formLexeme($0) }
                    rows += """
                        (\(bind: e.articleID), setweight(to_tsvector('simple', \(bind: e.title)), 'A')
                            || setweight(to_tsvector('simple', \(bind: e.meta)), 'B') || setweight(to_tsvector('simple', \(bind: e.lead)), 'B')
                            || setweight(to_tsvector('simple', \(bind: e.body)), 'C') || setweight(array_to_tsvector(CAST(\(bind: forms) AS TEXT[])), 'D'))
                        """
                }
            }
            switch dialect {
            case .sqlite:
                try await db.raw("INSERT INTO article_search (rowid, title, lead, body, meta, forms) VALUES \(rows)").run()
            case .postgres:
                try await db.raw(
                    """
                    INSERT INTO article_search (article_id, document) VALUES \(rows)
                    ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document
                    """
                ).run()
            }
        }
        switch dialect {
        case .sqlite:
            for group in Database.rowGroups(terms.count, largest: 1_024) {
                let chunk = terms[group]
                var rows: SQLQueryString = ""
                for (offset, t) in chunk.enumerated() {
                    rows += (offset == 0 ? "" : ", ") + "(\(bind: t.articleID), \(bind: t.term), \(bind: t.tf))"
                }
                try await db.raw("INSERT INTO article_terms (article_id, term, tf) VALUES \(rows)").run()
            }
        case .postgres:
            // Three arrays whatever the number of rows; each term's share of its document's ts_rank, which the
            // search ranks its candidates by first, read from the entries just written.
            for start in stride(from: 0, to: terms.count, by: 20_000) {
                let chunk = terms[start..<min(start + 20_000, terms.count)]
                var ids: [Int] = []
                for t in chunk where ids.last != t.articleID { ids.append(t.articleID) }
                try await db.raw(
                    """
                    INSERT INTO article_terms (article_id, term, tf, rank)
                    SELECT v.article_id, v.term, v.tf, COALESCE(r.rank, 0)
                    FROM unnest(CAST(\(bind: chunk.map { $0.articleID }) AS BIGINT[]), CAST(\(bind: chunk.map { $0.term }) AS TEXT[]),
                        CAST(\(bind: chunk.map { $0.tf }) AS BIGINT[])) AS v (article_id, term, tf)
                    LEFT JOIN (\(termRanks(articleIDs: ids))) AS r ON r.article_id = v.article_id AND r.term = v.term
                    """
                ).run()
            }
        }
    }

    /// PostgreSQL: every term of the articles' documents with its share of ts_rank (`search_term_ranks`, migration 22).
    static func termRanks(articleIDs: [Int]) -> SQLQueryString {
        """
        SELECT x.article_id, r.term, r.rank FROM article_search x, search_term_ranks(x.document) AS r
        WHERE x.article_id = ANY(CAST(\(bind: articleIDs) AS BIGINT[]))
        """
    }

    /// Adds `df` to each term's document frequency (a new term gets the row, with its display word). A negative `df`
    /// (a re-indexed article no longer holds the term) only ever meets a row that exists: the old rows counted it.
    static func addTerms(_ entries: [(key: String, value: (df: Int, word: String))], in db: any SQLDatabase) async throws {
        for group in Database.rowGroups(entries.count, largest: 256) {
            let batch = entries[group]
            var terms: SQLQueryString = ""
            for (offset, entry) in batch.enumerated() {
                terms += (offset == 0 ? "" : ", ") + "(\(bind: entry.key), \(bind: entry.value.df), \(bind: entry.value.word))"
            }
            try await db.raw(
                """
                INSERT INTO search_terms (term, df, word) VALUES \(terms)
                ON CONFLICT (term) DO UPDATE SET df = search_terms.df + EXCLUDED.df
                """
            ).run()
        }
    }

    /// Rebuilds every article's search entry and "Още:" list: for databases whose articles predate the index.
    static func reindexAll(_ database: Database, now: Date) async throws {
        let ids = try await database.read { db in
            try await db.raw("SELECT id FROM articles ORDER BY id").all().map { try $0.int("id") }
        }
        try await reindex(ids, in: database)
        try await RelatedArticles(database: database).refreshAll(now: now)
    }

    /// Rebuilds the search entries of `ids` (after a section, tag or author they name was renamed), a transaction
    /// per article so that writers in the newsroom never wait long.
    static func reindex(_ ids: [Int], in database: Database) async throws {
        let dialect = database.dialect
        for id in ids {
            try await database.write { db in
                try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
                try await reindex(id, dialect: dialect, in: db)
            }
        }
    }

    /// Rebuilds one article's search entry inside the caller's transaction (which holds the article-write lock).
    static func reindex(_ id: Int, analyzer: SearchAnalyzer = .shared, dialect: Database.Dialect, in db: any SQLDatabase) async throws {
        try await reindex(batch: [id], analyzer: analyzer, dialect: dialect, in: db)
    }

    /// Rebuilds the search entries of `ids` inside the caller's transaction (which holds the article-write lock), as
    /// a bulk import writes them: the articles read in one query, their old rows taken out and the new ones written
    /// in a few multi-row statements, and each term's document frequency changed once by what the batch changed in
    /// it (nothing, for most terms, when the analysis is the same). One statement per article made a rebuild of a
    /// PostgreSQL archive a round trip per statement: hours for 100,000 articles.
    static func reindex(
        batch ids: [Int], analyzer: SearchAnalyzer = .shared, dialect: Database.Dialect, in db: any SQLDatabase
    ) async throws {
        guard !ids.isEmpty else { return }
        let rows = try await db.raw("\(ArticleRepository.articleColumns) WHERE a.id IN (\(binds: ids))").all()
        let articles = try await ArticleRepository.articles(from: rows, in: db)
        guard !articles.isEmpty else { return }
        let found = articles.map(\.id)
        // What the old rows counted, taken off the new counts below.
        var removed: [String: Int] = [:]
        for row in try await db.raw("SELECT term FROM article_terms WHERE article_id IN (\(binds: found))").all() {
            removed[try row.string("term"), default: 0] += 1
        }
        try await db.raw("DELETE FROM article_terms WHERE article_id IN (\(binds: found))").run()
        if dialect == .sqlite { try await db.raw("DELETE FROM article_search WHERE rowid IN (\(binds: found))").run() }
        let pending = Batch()
        for article in articles {
            let document = Document(
                kicker: article.kicker, title: article.title, lead: article.lead, bodyHTML: article.bodyHTML,
                tags: article.tags.map(\.name), authors: article.authors.map(\.name), section: article.section.name, analyzer: analyzer)
            try await index(articleID: article.id, document: document, dialect: dialect, isNew: true, pending: pending, in: db)
        }
        pending.subtract(removed)
        try await pending.write(dialect: dialect, in: db)
    }

    /// Takes an article's terms out of the statistics (before re-indexing or deleting it).
    static func removeTerms(articleID: Int, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE search_terms SET df = df - 1
            WHERE term IN (SELECT term FROM article_terms WHERE article_id = \(bind: articleID))
            """
        ).run()
        try await db.raw("DELETE FROM article_terms WHERE article_id = \(bind: articleID)").run()
    }
}
