import Foundation
import SQLKit
import VestnikCore

/// Chooses and stores the "Още:" links of every article, so that rendering a page only reads a short list.
///
/// Candidates share the topic, a tag, the section or rare words with the article; each is scored by shared topic,
/// shared tags, TF-IDF cosine similarity of the analysed text, freshness and popularity. The list is diversified (no
/// three stories of the same hour on one subject) and recomputed when an article is saved, for that article and for
/// the articles whose lists it may now join, so an older story's "Още:" points to newer ones.
public struct RelatedArticles: Sendable {
    let database: Database
    /// How many links are stored per article (the page shows up to `InlineMoreBlocks.capacity`).
    public static let listLength = 6
    /// How many other articles are reconsidered when one is saved.
    static let neighbours = 12

    public init(database: Database) { self.database = database }

    /// Recomputes the list of `articleID` and of its closest neighbours, and announces the article pages whose
    /// "Още:" list changed.
    public func refresh(after articleID: Int, now: Date) async throws {
        let dialect = database.dialect
        let changed = try await database.write { db -> Set<String> in
            try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
            var changed = Set<String>()
            let lookups = Lookups()
            let mine = try await Self.store(articleID: articleID, now: now, in: db, lookups: lookups)
            if mine.changed { changed.insert(CacheKey.articlePage(articleID)) }
            for neighbour in mine.candidates.prefix(Self.neighbours) {
                if try await Self.store(articleID: neighbour, now: now, in: db, lookups: lookups).changed {
                    changed.insert(CacheKey.articlePage(neighbour))
                }
            }
            return changed
        }
        await database.announce(ContentChange(keys: changed))
    }

    /// Recomputes every article's list (after a bulk import, or when the scoring changes).
    public func refreshAll(now: Date) async throws {
        let ids = try await database.read { db in
            try await db.raw("SELECT id FROM articles ORDER BY id").all().map { try $0.int("id") }
        }
        for chunk in stride(from: 0, to: ids.count, by: 200).map({ ids[$0..<min($0 + 200, ids.count)] }) {
            try await database.write { [dialect = database.dialect] db in
                try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
                let lookups = Lookups()
                for id in chunk { _ = try await Self.store(articleID: id, now: now, in: db, lookups: lookups) }
            }
        }
        await database.announce(.everything)
    }

    /// What the lists computed in one transaction look up of the same articles again and again (a section's newest
    /// stories are candidates of every story of that section): each article's facts and TF-IDF vector, and the
    /// number of articles, read once per transaction. Storing lists changes none of them, so within the transaction
    /// they stay exact. Without them `refreshAll` counted all articles once per article (quadratic in their number)
    /// and read a candidate's terms once for every article it was a candidate of.
    final class Lookups {
        var total: Double?
        var facts: [Int: Facts] = [:]
        var vectors: [Int: [String: Double]] = [:]
    }

    /// Computes and saves one article's list; returns the candidates it considered, most recent first, and whether
    /// the stored list is now different. `lookups` may be shared by the lists of one transaction.
    static func store(
        articleID: Int, now: Date, in db: any SQLDatabase, lookups: Lookups = Lookups()
    ) async throws -> (
        candidates: [Int], changed: Bool
    ) {
        guard let me = try await facts(ids: [articleID], in: db, lookups: lookups).first else { return ([], false) }
        let candidates = try await candidates(for: me, now: now, in: db)
        let others = try await facts(ids: candidates, in: db, lookups: lookups)
        let vectors = try await tfidf(ids: [articleID] + candidates, in: db, lookups: lookups)
        let mine = vectors[articleID] ?? [:]
        let scored = others.map { other in
            (other, score(me, other, cosine: cosine(mine, vectors[other.id] ?? [:]), now: now))
        }.sorted { $0.1 > $1.1 }
        let chosen = diversify(scored)
        let before = try await db.raw(
            "SELECT related_id FROM article_related WHERE article_id = \(bind: articleID) ORDER BY position"
        ).all().map { try $0.int("related_id") }
        try await db.raw("DELETE FROM article_related WHERE article_id = \(bind: articleID)").run()
        if !chosen.isEmpty {
            var rows: SQLQueryString = ""
            for (position, pick) in chosen.enumerated() {
                rows += (position == 0 ? "" : ", ") + "(\(bind: articleID), \(bind: pick.0.id), \(bind: position + 1), \(bind: pick.1))"
            }
            try await db.raw("INSERT INTO article_related (article_id, related_id, position, score) VALUES \(rows)").run()
        }
        return (others.sorted { $0.publishedAt > $1.publishedAt }.map(\.id), before != chosen.map(\.0.id))
    }

    /// What scoring needs to know of an article.
    struct Facts {
        var id: Int
        var sectionID: Int
        var topicID: Int?
        var publishedAt: Int
        var reads: Int
        var tags: Set<Int>
    }

    /// The facts of those of `ids` that exist, by ascending id; `lookups` keeps them for the transaction.
    static func facts(ids: [Int], in db: any SQLDatabase, lookups: Lookups) async throws -> [Facts] {
        let missing = Set(ids).filter { lookups.facts[$0] == nil }
        if !missing.isEmpty {
            for found in try await facts(ids: missing.sorted(), in: db) { lookups.facts[found.id] = found }
        }
        return Set(ids).sorted().compactMap { lookups.facts[$0] }
    }

    static func facts(ids: [Int], in db: any SQLDatabase) async throws -> [Facts] {
        guard !ids.isEmpty else { return [] }
        let binds: [any Encodable & Sendable] = ids
        var tags: [Int: Set<Int>] = [:]
        for row in try await db.raw("SELECT article_id, tag_id FROM article_tags WHERE article_id IN (\(binds: binds))").all() {
            tags[try row.int("article_id"), default: []].insert(try row.int("tag_id"))
        }
        return try await db.raw(
            "SELECT id, section_id, topic_id, published_at, reads FROM articles WHERE id IN (\(binds: binds))"
        ).all().map { row in
            let id = try row.int("id")
            return Facts(
                id: id, sectionID: try row.int("section_id"), topicID: try row.optionalInt("topic_id"),
                publishedAt: try row.int("published_at"), reads: try row.int("reads"), tags: tags[id] ?? [])
        }
    }

    /// Visible articles that share something with `me`, without duplicates. `sparseRows`: see `sharing` (tests
    /// pass 0 to take the other plan).
    static func candidates(for me: Facts, now: Date, in db: any SQLDatabase, sparseRows: Int = Self.sparseRows) async throws -> [Int] {
        let visible = ArticleRepository.visible(now) + " AND a.id <> \(bind: me.id)"
        var queries: [SQLQueryString] = [
            "SELECT a.id FROM articles a WHERE \(visible) AND a.section_id = \(bind: me.sectionID) ORDER BY a.published_at DESC LIMIT 20"
        ]
        if let topic = me.topicID {
            queries.append(
                "SELECT a.id FROM articles a WHERE \(visible) AND a.topic_id = \(bind: topic) ORDER BY a.published_at DESC LIMIT 40")
        }
        if !me.tags.isEmpty {
            let tags: [any Encodable & Sendable] = Array(me.tags)
            queries.append(
                try await sharing(
                    "SELECT x.article_id FROM article_tags x WHERE x.tag_id IN (\(binds: tags))",
                    existsIn: "SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id IN (\(binds: tags))",
                    visible: visible, sparseRows: sparseRows, in: db))
        }
        // The article's rarest words find stories on the same subject in other sections.
        let rare = try await db.raw(
            """
            SELECT t.term FROM article_terms t JOIN search_terms s ON s.term = t.term
            WHERE t.article_id = \(bind: me.id) AND s.df > 1 ORDER BY s.df ASC, t.tf DESC LIMIT 8
            """
        ).all().map { try $0.string("term") }
        if !rare.isEmpty {
            let terms: [any Encodable & Sendable] = rare
            queries.append(
                try await sharing(
                    "SELECT t.article_id FROM article_terms t WHERE t.term IN (\(binds: terms))",
                    existsIn: "SELECT 1 FROM article_terms t WHERE t.article_id = a.id AND t.term IN (\(binds: terms))",
                    visible: visible, sparseRows: sparseRows, in: db))
        }
        var seen = Set<Int>()
        var ids: [Int] = []
        for query in queries {
            for row in try await db.raw(query).all() {
                let id = try row.int("id")
                if seen.insert(id).inserted { ids.append(id) }
            }
        }
        return ids
    }

    /// Rows of a link table (`article_tags`, `article_terms`) above which the newest sharing articles are found by
    /// walking the articles newest first; under it, from the few rows themselves.
    static let sparseRows = 2_000

    /// The 40 newest visible articles among those `rows` names (one `article_id` column), by the cheaper of two
    /// plans. Walking the articles newest first with an `EXISTS` probe stops early when sharing articles are many,
    /// but reads the whole archive when they are few, and a rare tag or word has few by definition: at 10,000
    /// articles that walk made one publish cost about half a second (13 lists recomputed, each walking the archive).
    /// So the rows are counted first, up to `sparseRows`, and a short set is read from the rows' side.
    static func sharing(
        _ rows: SQLQueryString, existsIn probe: SQLQueryString, visible: SQLQueryString, sparseRows: Int, in db: any SQLDatabase
    ) async throws -> SQLQueryString {
        let counted = try await db.raw("SELECT COUNT(*) AS n FROM (\(rows) LIMIT \(literal: sparseRows + 1)) r").first()
        if try counted?.int("n") ?? 0 <= sparseRows {
            return "SELECT a.id FROM articles a WHERE \(visible) AND a.id IN (\(rows)) ORDER BY a.published_at DESC LIMIT 40"
        }
        return "SELECT a.id FROM articles a WHERE \(visible) AND EXISTS (\(probe)) ORDER BY a.published_at DESC LIMIT 40"
    }

    /// TF-IDF vectors of the given articles, from the stored term frequencies and document frequencies; `lookups`
    /// keeps them (and the number of articles) for the transaction.
    static func tfidf(ids: [Int], in db: any SQLDatabase, lookups: Lookups) async throws -> [Int: [String: Double]] {
        let missing = Array(Set(ids).filter { lookups.vectors[$0] == nil }).sorted()
        if !missing.isEmpty {
            if lookups.total == nil {
                lookups.total = Double(try await db.raw("SELECT COUNT(*) AS n FROM articles").first()?.int("n") ?? 1)
            }
            let found = try await tfidf(ids: missing, total: lookups.total ?? 1, in: db)
            for id in missing { lookups.vectors[id] = found[id] ?? [:] }
        }
        var vectors: [Int: [String: Double]] = [:]
        for id in ids { vectors[id] = lookups.vectors[id] }
        return vectors
    }

    static func tfidf(ids: [Int], total: Double, in db: any SQLDatabase) async throws -> [Int: [String: Double]] {
        var vectors: [Int: [String: Double]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 100).map({ ids[$0..<min($0 + 100, ids.count)] }) {
            let binds: [any Encodable & Sendable] = Array(chunk)
            let rows = try await db.raw(
                """
                SELECT t.article_id, t.term, t.tf, s.df FROM article_terms t JOIN search_terms s ON s.term = t.term
                WHERE t.article_id IN (\(binds: binds))
                """
            ).all()
            for row in rows {
                let df = Double(max(1, try row.int("df")))
                let weight = (1 + log(Double(try row.int("tf")))) * log(1 + total / df)
                vectors[try row.int("article_id"), default: [:]][try row.string("term")] = weight
            }
        }
        return vectors
    }

    static func cosine(_ a: [String: Double], _ b: [String: Double]) -> Double {
        let (small, large) = a.count < b.count ? (a, b) : (b, a)
        let dot = small.reduce(0) { $0 + $1.value * (large[$1.key] ?? 0) }
        let norms = sqrt(a.values.reduce(0) { $0 + $1 * $1 }) * sqrt(b.values.reduce(0) { $0 + $1 * $1 })
        return norms > 0 ? dot / norms : 0
    }

    static func score(_ me: Facts, _ other: Facts, cosine: Double, now: Date) -> Double {
        var score = 3.0 * cosine
        if let topic = me.topicID, topic == other.topicID { score += 2.0 }
        let union = me.tags.union(other.tags).count
        if union > 0 { score += 1.5 * Double(me.tags.intersection(other.tags).count) / Double(union) }
        if me.sectionID == other.sectionID { score += 0.3 }
        let ageDays = max(0, now.timeIntervalSince1970 - Double(other.publishedAt)) / 86_400
        score += 1.0 * exp(-ageDays / 14)
        score += 0.1 * log10(1 + Double(other.reads))
        return score
    }

    /// Best first, but never three picks of one subject (topic) published within the same hour.
    static func diversify(_ scored: [(Facts, Double)]) -> [(Facts, Double)] {
        var chosen: [(Facts, Double)] = []
        for candidate in scored {
            guard chosen.count < listLength else { break }
            let crowd = chosen.filter {
                $0.0.topicID != nil && $0.0.topicID == candidate.0.topicID && abs($0.0.publishedAt - candidate.0.publishedAt) < 3600
            }
            if crowd.count >= 2 { continue }
            chosen.append(candidate)
        }
        return chosen
    }
}
