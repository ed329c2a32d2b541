import Foundation
import SQLKit
import VestnikCore

/// Keeps an article's full-text entry and term statistics in step with the article. Called inside the article's
/// write transaction, so a reader never finds an article that the index does not know, or the reverse.
enum SearchIndexer {
    /// The analysed fields of one article; each is a space-separated run of terms in text order.
    struct Document {
        /// Each field's terms joined by spaces, as the full-text entry stores them: kicker and title, lead, body, and
        /// the names (tags, authors, section).
        var title: String
        var lead: String
        var body: String
        var meta: String
        /// Every distinct form the fields hold, in Latin letters: an exact match of a query word ranks higher.
        var forms: [String]
        /// The word "did you mean" shows for each term (its lemma, or the word itself).
        var display: [String: String]
        /// Term frequencies over every field, title terms counting double (the vector "Още:" similarity uses), by term.
        var frequencies: [(term: String, tf: Int)]

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
            let names = analyzer.analyses((tags + authors + [section]).joined(separator: " . "), limit: SearchAnalyzer.maxDocumentWords)
            (self.title, self.lead, self.body) = (own.texts[0], own.texts[1], own.texts[2])
            meta = names.map(\.term).joined(separator: " ")
            // The names' forms, words and counts after the own text's, as if all four fields were read in order.
            var forms = own.forms
            var display = own.display
            var added = Set<String>()
            var counts: [String: Int] = [:]
            for analysis in names {
                if !analysis.form.isEmpty, !own.formSet.contains(analysis.form), added.insert(analysis.form).inserted {
                    forms.append(analysis.form)
                }
                if display[analysis.term] == nil { display[analysis.term] = analysis.display }
                counts[analysis.term, default: 0] += 1
            }
            self.forms = forms
            self.display = display
            frequencies = Self.merged(own.frequencies, counts.sorted { $0.key < $1.key }.map { (term: $0.key, tf: $0.value) })
        }

        /// Two lists of term frequencies sorted by term, as one (a term in both: the sum).
        static func merged(_ a: [(term: String, tf: Int)], _ b: [(term: String, tf: Int)]) -> [(term: String, tf: Int)] {
            guard !b.isEmpty else { return a }
            var merged: [(term: String, tf: Int)] = []
            merged.reserveCapacity(a.count + b.count)
            var (i, j) = (0, 0)
            while i < a.count || j < b.count {
                if j == b.count || (i < a.count && a[i].term < b[j].term) {
                    merged.append(a[i])
                    i += 1
                } else if i == a.count || b[j].term < a[i].term {
                    merged.append(b[j])
                    j += 1
                } else {
                    merged.append((a[i].term, a[i].tf + b[j].tf))
                    i += 1
                    j += 1
                }
            }
            return merged
        }
    }

    /// The analysis of an article's own text (kicker and title, lead, body), which needs nothing stored: a bulk import
    /// makes it while converting a post, beside the transaction that writes the batch before it. (The names of the
    /// article's section, tags and authors are analysed in the transaction, as stored.) It also makes what `Document`
    /// takes of the text (joined terms, forms, words, frequencies), so that the writer only adds the names'.
    struct Analysed: Sendable {
        let kicker: String
        let title: String
        let lead: String
        let bodyHTML: String
        /// Kicker and title, lead, body: each field's terms joined by spaces.
        let texts: [String]
        /// The distinct forms of the three fields in order, and as a set.
        let forms: [String]
        let formSet: Set<String>
        let display: [String: String]
        /// Term frequencies, title terms counting double, sorted by term.
        let frequencies: [(term: String, tf: Int)]

        init(kicker: String, title: String, lead: String, bodyHTML: String, analyzer: SearchAnalyzer = .shared) {
            (self.kicker, self.title, self.lead, self.bodyHTML) = (kicker, title, lead, bodyHTML)
            let fields = [kicker + " " + title, lead, ArticleBody.plainText(bodyHTML)].map {
                analyzer.analyses($0, limit: SearchAnalyzer.maxDocumentWords)
            }
            texts = fields.map { $0.map(\.term).joined(separator: " ") }
            var forms: [String] = []
            var seen = Set<String>()
            var display: [String: String] = [:]
            var counts: [String: Int] = [:]
            for (index, field) in fields.enumerated() {
                for analysis in field {
                    if !analysis.form.isEmpty, seen.insert(analysis.form).inserted { forms.append(analysis.form) }
                    if display[analysis.term] == nil { display[analysis.term] = analysis.display }
                    counts[analysis.term, default: 0] += index == 0 ? 2 : 1
                }
            }
            self.forms = forms
            formSet = seen
            self.display = display
            frequencies = counts.sorted { $0.key < $1.key }.map { (term: $0.key, tf: $0.value) }
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
        /// Terms taken out of articles (re-indexed ones), whose packed blocks are re-packed with the new terms'.
        fileprivate var removed: [(articleID: Int, term: String)] = []

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
            let removed = self.removed
            self.entries = []
            self.terms = []
            self.counts = [:]
            self.removed = []
            try await SearchIndexer.insert(entries: entries, terms: terms, dialect: dialect, in: db)
            try await SearchIndexer.addTerms(counts, in: db)
            if dialect == .postgres { try await SearchPostings.refresh(terms.map { ($0.articleID, $0.term) } + removed, in: db) }
        }
    }

    /// `isNew`: the article was inserted in this transaction, so it has no terms or entry to take out yet (article ids
    /// are never reused: AUTOINCREMENT and identity columns). `pending`: the batch's rows, added to instead of written
    /// (the caller writes them before committing).
    static func index(
        articleID: Int, document: Document, dialect: Database.Dialect, isNew: Bool = false, pending: Batch? = nil,
        in db: any SQLDatabase
    ) async throws {
        var removed: [(articleID: Int, term: String)] = []
        if !isNew {
            // Its earlier terms may be among the batch's rows (the same article twice in one batch).
            try await pending?.write(dialect: dialect, in: db)
            removed = try await removeTerms(articleID: articleID, dialect: dialect, in: db)
            pending?.removed += removed
            if dialect == .sqlite { try await db.raw("DELETE FROM article_search WHERE rowid = \(bind: articleID)").run() }
        }
        let entry = (
            articleID: articleID, title: document.title, lead: document.lead, body: document.body, meta: document.meta,
            forms: document.forms
        )
        let frequencies = document.frequencies
        let terms = frequencies.map { (articleID: articleID, term: $0.term, tf: $0.tf) }
        if let pending {
            pending.entries.append(entry)
            pending.terms += terms
            for (term, _) in frequencies { pending.counts[term, default: (df: 0, word: document.display[term] ?? "")].df += 1 }
        } else {
            try await insert(entries: [entry], terms: terms, dialect: dialect, in: db)
            try await addTerms(frequencies.map { (key: $0.term, value: (df: 1, word: document.display[$0.term] ?? "")) }, in: db)
            if dialect == .postgres { try await SearchPostings.refresh(terms.map { ($0.articleID, $0.term) } + removed, in: db) }
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
        let pending = Batch()
        for row in try await db.raw("SELECT article_id, term FROM article_terms WHERE article_id IN (\(binds: found))").all() {
            let term = try row.string("term")
            removed[term, default: 0] += 1
            if dialect == .postgres { pending.removed.append((try row.int("article_id"), term)) }
        }
        try await db.raw("DELETE FROM article_terms WHERE article_id IN (\(binds: found))").run()
        if dialect == .sqlite { try await db.raw("DELETE FROM article_search WHERE rowid IN (\(binds: found))").run() }
        for article in articles {
            let document = Document(
                kicker: article.kicker, title: article.title, lead: article.lead, bodyHTML: article.bodyHTML,
                tags: article.tags.map(\.name), authors: article.authors.map(\.name), section: article.section.name, analyzer: analyzer)
            try await index(articleID: article.id, document: document, dialect: dialect, isNew: true, pending: pending, in: db)
        }
        pending.subtract(removed)
        try await pending.write(dialect: dialect, in: db)
    }

    /// Takes an article's terms out of the statistics (before re-indexing or deleting it); on PostgreSQL, returns
    /// them, whose packed blocks the caller re-packs (`SearchPostings.refresh`).
    static func removeTerms(
        articleID: Int, dialect: Database.Dialect, in db: any SQLDatabase
    ) async throws -> [(articleID: Int, term: String)] {
        try await db.raw(
            """
            UPDATE search_terms SET df = df - 1
            WHERE term IN (SELECT term FROM article_terms WHERE article_id = \(bind: articleID))
            """
        ).run()
        guard dialect == .postgres else {
            try await db.raw("DELETE FROM article_terms WHERE article_id = \(bind: articleID)").run()
            return []
        }
        return try await db.raw("DELETE FROM article_terms WHERE article_id = \(bind: articleID) RETURNING term").all().map {
            (articleID, try $0.string("term"))
        }
    }
}
