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

    /// The document frequencies a batch of saves adds (term → articles, and the word "did you mean" shows), written
    /// in one pass by `write` before the batch's transaction commits: a term shared by many articles of the batch
    /// is one row to update instead of one per article.
    final class TermCounts: @unchecked Sendable {
        fileprivate var counts: [String: (df: Int, word: String)] = [:]

        /// Adds the counts to `search_terms` and forgets them.
        func write(in db: any SQLDatabase) async throws {
            let entries = counts.sorted { $0.key < $1.key }
            counts = [:]
            try await SearchIndexer.addTerms(entries, in: db)
        }
    }

    /// `isNew`: the article was inserted in this transaction, so it has no terms or entry to take out yet (article ids
    /// are never reused: AUTOINCREMENT and identity columns). `pending`: the batch's counts, added to instead of
    /// `search_terms` (the caller writes them before committing).
    static func index(
        articleID: Int, document: Document, dialect: Database.Dialect, isNew: Bool = false, pending: TermCounts? = nil,
        in db: any SQLDatabase
    ) async throws {
        if !isNew {
            // Its earlier terms may be among the batch's counts (the same article twice in one batch).
            try await pending?.write(in: db)
            try await removeTerms(articleID: articleID, in: db)
        }
        let title = document.title.joined(separator: " ")
        let lead = document.lead.joined(separator: " ")
        let body = document.body.joined(separator: " ")
        let meta = document.meta.joined(separator: " ")
        switch dialect {
        case .sqlite:
            if !isNew { try await db.raw("DELETE FROM article_search WHERE rowid = \(bind: articleID)").run() }
            try await db.raw(
                """
                INSERT INTO article_search (rowid, title, lead, body, meta, forms)
                VALUES (\(bind: articleID), \(bind: title), \(bind: lead), \(bind: body), \(bind: meta),
                    \(bind: document.forms.joined(separator: " ")))
                """
            ).run()
        case .postgres:
            // Forms are lexemes of their own (`=form`, weight D), apart from the terms, and carry no positions.
            // Written before the terms, whose ranks are read from it.
            let forms = document.forms.map { SearchRepository.formLexeme($0) }
            try await db.raw(
                """
                INSERT INTO article_search (article_id, document) VALUES (\(bind: articleID),
                    setweight(to_tsvector('simple', \(bind: title)), 'A') || setweight(to_tsvector('simple', \(bind: meta)), 'B')
                    || setweight(to_tsvector('simple', \(bind: lead)), 'B') || setweight(to_tsvector('simple', \(bind: body)), 'C')
                    || setweight(array_to_tsvector(CAST(\(bind: forms) AS TEXT[])), 'D'))
                ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document
                """
            ).run()
        }
        let frequencies = document.frequencies.sorted { $0.key < $1.key }
        // Batches keep every statement well under the bind-parameter limits of both databases.
        for batch in stride(from: 0, to: frequencies.count, by: 300).map({ frequencies[$0..<min($0 + 300, frequencies.count)] }) {
            var rows: SQLQueryString = ""
            for (offset, entry) in batch.enumerated() {
                rows += (offset == 0 ? "" : ", ") + "(\(bind: articleID), \(bind: entry.key), \(bind: entry.value))"
            }
            switch dialect {
            case .sqlite:
                try await db.raw("INSERT INTO article_terms (article_id, term, tf) VALUES \(rows)").run()
            case .postgres:
                // Each term's share of the document's ts_rank, which the search ranks its candidates by first.
                try await db.raw(
                    """
                    INSERT INTO article_terms (article_id, term, tf, rank)
                    SELECT v.article_id, v.term, v.tf, COALESCE(r.rank, 0)
                    FROM (VALUES \(rows)) AS v (article_id, term, tf)
                    LEFT JOIN (\(termRanks(articleID: articleID))) AS r ON r.term = v.term
                    """
                ).run()
            }
        }
        if let pending {
            for (term, _) in frequencies { pending.counts[term, default: (df: 0, word: document.display[term] ?? "")].df += 1 }
        } else {
            try await addTerms(frequencies.map { (key: $0.key, value: (df: 1, word: document.display[$0.key] ?? "")) }, in: db)
        }
    }

    /// PostgreSQL: every term of an article's document with its share of ts_rank (`search_term_ranks`, migration 22).
    static func termRanks(articleID: Int) -> SQLQueryString {
        "SELECT r.term, r.rank FROM article_search x, search_term_ranks(x.document) AS r WHERE x.article_id = \(bind: articleID)"
    }

    /// Adds `df` to each term's document frequency (a new term gets the row, with its display word).
    static func addTerms(_ entries: [(key: String, value: (df: Int, word: String))], in db: any SQLDatabase) async throws {
        for batch in stride(from: 0, to: entries.count, by: 300).map({ entries[$0..<min($0 + 300, entries.count)] }) {
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
        let rows = try await db.raw("\(ArticleRepository.articleColumns) WHERE a.id = \(bind: id)").all()
        guard let article = try await ArticleRepository.articles(from: rows, in: db).first else { return }
        let document = Document(
            kicker: article.kicker, title: article.title, lead: article.lead, bodyHTML: article.bodyHTML,
            tags: article.tags.map(\.name), authors: article.authors.map(\.name), section: article.section.name, analyzer: analyzer)
        try await index(articleID: article.id, document: document, dialect: dialect, in: db)
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
