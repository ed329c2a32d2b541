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
            let lookups = Lookups(dialect: dialect)
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

    /// Recomputes every article's list (after a bulk import, or when the scoring changes): `chunk` articles per
    /// transaction, whose lists share what they look up (`Lookups`: the newest articles of each section, topic, tag
    /// and rare word, the candidates' facts and vectors) and are written by one DELETE and a few multi-row INSERTs.
    ///
    /// The look-ups are carried from chunk to chunk (`Lookups.carry`): the lists of a run see the site as the run
    /// first read it. Storing lists changes none of what they read, so after an import, with no other writer, every
    /// list is the one a fresh look-up gives; a story saved during the run recomputes its own list and its neighbours'
    /// (`refresh(after:)`), and a story deleted during it is left out of the lists written after (`existing`). Reading
    /// each chunk afresh read every visible article, every link row of the chunk's tags and the same newest candidates'
    /// words again: most of the lists' time after a 100,000-post import.
    public func refreshAll(now: Date, chunk: Int = 1_000) async throws {
        let ids = try await database.read { db in
            try await db.raw("SELECT id FROM articles ORDER BY id").all().map { try $0.int("id") }
        }
        var carried: Lookups?
        for part in stride(from: 0, to: ids.count, by: chunk).map({ Array(ids[$0..<min($0 + chunk, ids.count)]) }) {
            carried = try await database.write { [dialect = database.dialect, carried] db in
                try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
                let lookups = carried?.carry() ?? Lookups(dialect: dialect)
                try await Self.store(chunk: part, now: now, in: db, lookups: lookups)
                return lookups
            }
        }
        await database.announce(.everything)
    }

    /// Computes and replaces the lists of the articles `part` (one chunk of `refreshAll`).
    static func store(chunk part: [Int], now: Date, in db: any SQLDatabase, lookups: Lookups) async throws {
        // The chunk's own facts and vectors in a few statements, not one article at a time; then the visible
        // articles and the newest of each of the chunk's tags (`chunkLists`).
        let mine = try await facts(ids: part, in: db, lookups: lookups)
        _ = try await tfidf(ids: part, in: db, lookups: lookups)
        try await chunkLists(tags: Set(mine.flatMap(\.tags)), now: now, in: db, lookups: lookups)
        var lists: [(id: Int, chosen: [(Facts, Double)])] = []
        for id in part {
            if let list = try await list(articleID: id, now: now, in: db, lookups: lookups) {
                lists.append((id, list.chosen))
                lookups.candidates.formUnion(list.candidates)
            }
        }
        for slice in stride(from: 0, to: part.count, by: 500).map({ part[$0..<min($0 + 500, part.count)] }) {
            let binds: [any Encodable & Sendable] = Array(slice)
            try await db.raw("DELETE FROM article_related WHERE article_id IN (\(binds: binds))").run()
        }
        let rows = lists.flatMap { list in list.chosen.enumerated().map { (list.id, $0.offset + 1, $0.element) } }
        try await insert(try await existing(rows, in: db), in: db)
    }

    /// The rows of `rows` whose article and pick still exist: carried look-ups may name a story deleted since they
    /// were read, as a pick or as one of the chunk's own.
    static func existing(_ rows: [(Int, Int, (Facts, Double))], in db: any SQLDatabase) async throws -> [(Int, Int, (Facts, Double))] {
        let named = Set(rows.map(\.2.0.id)).union(rows.map(\.0)).sorted()
        var found = Set<Int>()
        for part in stride(from: 0, to: named.count, by: 500).map({ named[$0..<min($0 + 500, named.count)] }) {
            let binds: [any Encodable & Sendable] = Array(part)
            for row in try await db.raw("SELECT id FROM articles WHERE id IN (\(binds: binds))").all() { found.insert(try row.int("id")) }
        }
        return rows.filter { found.contains($0.0) && found.contains($0.2.0.id) }
    }

    /// What the lists computed in one transaction look up of the same articles again and again (a section's newest
    /// stories are candidates of every story of that section): each article's facts, TF-IDF vector and rarest
    /// words, the newest visible articles of each section, topic, tag and word, and the number of articles, read once
    /// per transaction (and carried by `refreshAll` to its next chunk). Storing lists changes none of them, so within
    /// the transaction they stay exact. Without them `refreshAll` counted all articles once per article (quadratic in
    /// their number) and read a candidate's terms once for every article it was a candidate of.
    final class Lookups: @unchecked Sendable {  // used by one task at a time: a transaction, then the next chunk's
        /// How link rows and words are read: on PostgreSQL as arrays, one row per key (`linked`, `terms`); the rows
        /// themselves otherwise (either way on PostgreSQL, the same lists).
        let dialect: Database.Dialect
        var total: Double?
        var facts: [Int: Facts] = [:]
        var vectors: [Int: Vector] = [:]
        /// A number for each term the transaction's vectors hold, so that vectors are sorted arrays of numbers.
        var numbers: [String: Int32] = [:]
        /// Each article's rarest words (`rarest`), read with its vector.
        var rare: [Int: [Term]] = [:]
        /// The newest visible articles of a section, topic, tag or word (`newest(_:in:query:)`).
        var lists: [String: [Entry]] = [:]
        /// Every visible article's publication time, by id (`chunkLists`; nil outside `refreshAll`): the link rows of a
        /// tag or rare word are then filtered here instead of each being joined to its article's row.
        var visible: [Int: Int]?
        /// The document frequencies of the terms read so far (`terms`).
        var df: [String: Int] = [:]
        /// The articles the lists of this transaction considered (`refreshAll`): the stories whose facts and vectors
        /// the next chunk keeps.
        var candidates = Set<Int>()

        init(dialect: Database.Dialect = .sqlite) { self.dialect = dialect }

        /// What the next chunk of `refreshAll` starts with: everything but the facts and vectors of articles that were
        /// not candidates here (the chunk's own stories, mostly), so that what is kept stays about one chunk's worth;
        /// nothing at all once the newest-lists or the words read grow past a bound (a large site's vocabulary).
        func carry() -> Lookups {
            guard lists.count <= 50_000, numbers.count <= 400_000, df.count <= 400_000 else { return Lookups(dialect: dialect) }
            let next = Lookups(dialect: dialect)
            next.total = total
            next.numbers = numbers
            next.lists = lists
            next.visible = visible
            next.df = df
            for id in candidates {
                next.facts[id] = facts[id]
                next.vectors[id] = vectors[id]
                next.rare[id] = rare[id]
            }
            return next
        }

        /// The list `key` names, read by `query` the first time.
        func newest(_ key: String, in db: any SQLDatabase, query: () async throws -> SQLQueryString) async throws -> [Entry] {
            if let known = lists[key] { return known }
            let found = try await db.raw(try await query()).all().map { Entry(id: try $0.int("id"), at: try $0.int("published_at")) }
            lists[key] = found
            return found
        }
    }

    /// A TF-IDF vector: its terms' numbers (`Lookups.numbers`) in ascending order, their weights, and its length.
    struct Vector {
        var terms: [Int32] = []
        var weights: [Double] = []
        var norm: Double = 0

        init() {}

        init(_ pairs: [(term: Int32, weight: Double)]) {
            let sorted = pairs.sorted { $0.term < $1.term }
            terms = sorted.map { $0.term }
            weights = sorted.map { $0.weight }
            norm = sqrt(weights.reduce(0) { $0 + $1 * $1 })
        }
    }

    /// An article of a newest-first list, with its publication time.
    struct Entry {
        var id: Int
        var at: Int
    }

    /// What the lists of a `refreshAll` chunk read once for all of them: every visible article's publication time (from
    /// the index on status and publication time, no article row read), and the 41 newest visible articles of each
    /// of the chunk's tags that `lookups` does not hold yet from one read of their link rows. Each tag's list is what its own query gives (newest
    /// first, the higher id first at the same second, as walking that index backwards gives), at a fraction of the
    /// cost: that query walked the index until it met 41 of the tag's articles, once per tag and chunk.
    static func chunkLists(tags: Set<Int>, now: Date, in db: any SQLDatabase, lookups: Lookups) async throws {
        let visible: [Int: Int]
        if let known = lookups.visible {
            visible = known
        } else {
            visible = try await visibleTimes(now: now, dialect: lookups.dialect, in: db)
            lookups.visible = visible
        }
        let tags = tags.filter { lookups.lists["tag \($0)"] == nil }
        var found: [Int: [Entry]] = [:]
        let sorted = tags.sorted()
        for part in stride(from: 0, to: sorted.count, by: 500).map({ sorted[$0..<min($0 + 500, sorted.count)] }) {
            let binds: [any Encodable & Sendable] = Array(part)
            try await linked(
                "tag_id", as: Int.self, to: "article_id", from: "article_tags", where: "tag_id IN (\(binds: binds))",
                dialect: lookups.dialect, in: db
            ) { tag, id in
                if let at = visible[id] { found[tag, default: []].append(Entry(id: id, at: at)) }
            }
        }
        for tag in sorted { lookups.lists["tag \(tag)"] = Array(newestFirst(found[tag] ?? []).prefix(41)) }
    }

    /// Every visible article's publication time, by id.
    static func visibleTimes(now: Date, dialect: Database.Dialect, in db: any SQLDatabase) async throws -> [Int: Int] {
        var visible: [Int: Int] = [:]
        switch dialect {
        case .sqlite:
            for row in try await db.raw("SELECT a.id, a.published_at FROM articles a WHERE \(ArticleRepository.visible(now))").all() {
                visible[try row.int("id")] = try row.int("published_at")
            }
        case .postgres:
            let row = try await db.raw(
                """
                SELECT array_agg(CAST(a.id AS BIGINT)) AS ids, array_agg(CAST(a.published_at AS BIGINT)) AS ats
                FROM articles a WHERE \(ArticleRepository.visible(now))
                """
            ).first()
            let ids = try row?.decode(column: "ids", as: [Int]?.self) ?? []
            let ats = try row?.decode(column: "ats", as: [Int]?.self) ?? []
            visible.reserveCapacity(ids.count)
            for (id, at) in zip(ids, ats) { visible[id] = at }
        }
        return visible
    }

    /// The `value` ids of a link table's rows that match `condition`, by their `key` (each key once on PostgreSQL, maybe
    /// several times on SQLite). PostgreSQL sends each key's ids as one array: PostgresNIO decodes every cell of a
    /// row through a generic path, so thousands of two-column rows cost more than the query; SQLite reads rows.
    static func linked<Key: Decodable>(
        _ key: String, as _: Key.Type, to value: String, from table: String, where condition: SQLQueryString,
        dialect: Database.Dialect, in db: any SQLDatabase, _ each: (Key, Int) -> Void
    ) async throws {
        switch dialect {
        case .sqlite:
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: key) AS k, \(unsafeRaw: value) AS v FROM \(unsafeRaw: table) WHERE \(condition)"
            ).all()
            for row in rows { each(try row.decode(column: "k", as: Key.self), try row.int("v")) }
        case .postgres:
            let rows = try await db.raw(
                """
                SELECT \(unsafeRaw: key) AS k, array_agg(CAST(\(unsafeRaw: value) AS BIGINT)) AS v FROM \(unsafeRaw: table)
                WHERE \(condition) GROUP BY \(unsafeRaw: key)
                """
            ).all()
            for row in rows {
                let found = try row.decode(column: "k", as: Key.self)
                for id in try row.decode(column: "v", as: [Int].self) { each(found, id) }
            }
        }
    }

    /// Computes and saves one article's list; returns the candidates it considered, most recent first, and whether
    /// the stored list is now different. `lookups` may be shared by the lists of one transaction.
    static func store(
        articleID: Int, now: Date, in db: any SQLDatabase, lookups: Lookups = Lookups()
    ) async throws -> (
        candidates: [Int], changed: Bool
    ) {
        guard let list = try await list(articleID: articleID, now: now, in: db, lookups: lookups) else { return ([], false) }
        let before = try await db.raw(
            "SELECT related_id FROM article_related WHERE article_id = \(bind: articleID) ORDER BY position"
        ).all().map { try $0.int("related_id") }
        try await db.raw("DELETE FROM article_related WHERE article_id = \(bind: articleID)").run()
        try await insert(list.chosen.enumerated().map { (articleID, $0.offset + 1, $0.element) }, in: db)
        return (list.candidates, before != list.chosen.map(\.0.id))
    }

    /// One article's list, best first, and the candidates it was chosen from, most recent first; nil when the
    /// article does not exist.
    static func list(
        articleID: Int, now: Date, in db: any SQLDatabase, lookups: Lookups
    ) async throws -> (candidates: [Int], chosen: [(Facts, Double)])? {
        guard let me = try await facts(ids: [articleID], in: db, lookups: lookups).first else { return nil }
        let candidates = try await candidates(for: me, now: now, in: db, lookups: lookups)
        let others = try await facts(ids: candidates, in: db, lookups: lookups)
        let vectors = try await tfidf(ids: [articleID] + candidates, in: db, lookups: lookups)
        let mine = vectors[articleID] ?? Vector()
        let scored = others.map { other in
            (other, score(me, other, cosine: cosine(mine, vectors[other.id] ?? Vector()), now: now))
        }.sorted { $0.1 > $1.1 }
        return (others.sorted { $0.publishedAt > $1.publishedAt }.map(\.id), diversify(scored))
    }

    /// Stores list rows (article, position, pick), 1,200 rows (4,800 binds, well under both databases' limits) per
    /// statement.
    static func insert(_ rows: [(Int, Int, (Facts, Double))], in db: any SQLDatabase) async throws {
        for part in stride(from: 0, to: rows.count, by: 1_200).map({ rows[$0..<min($0 + 1_200, rows.count)] }) {
            var values: SQLQueryString = ""
            for (index, row) in part.enumerated() {
                values += (index == 0 ? "" : ", ") + "(\(bind: row.0), \(bind: row.2.0.id), \(bind: row.1), \(bind: row.2.1))"
            }
            try await db.raw("INSERT INTO article_related (article_id, related_id, position, score) VALUES \(values)").run()
        }
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
            for found in try await facts(ids: missing.sorted(), dialect: lookups.dialect, in: db) { lookups.facts[found.id] = found }
        }
        return Set(ids).sorted().compactMap { lookups.facts[$0] }
    }

    static func facts(ids: [Int], dialect: Database.Dialect = .sqlite, in db: any SQLDatabase) async throws -> [Facts] {
        guard !ids.isEmpty else { return [] }
        let binds: [any Encodable & Sendable] = ids
        var tags: [Int: Set<Int>] = [:]
        try await linked(
            "article_id", as: Int.self, to: "tag_id", from: "article_tags", where: "article_id IN (\(binds: binds))", dialect: dialect,
            in: db
        ) { id, tag in tags[id, default: []].insert(tag) }
        return try await db.raw(
            "SELECT id, section_id, topic_id, published_at, reads FROM articles WHERE id IN (\(binds: binds))"
        ).all().map { row in
            let id = try row.int("id")
            return Facts(
                id: id, sectionID: try row.int("section_id"), topicID: try row.optionalInt("topic_id"),
                publishedAt: try row.int("published_at"), reads: try row.int("reads"), tags: tags[id] ?? [])
        }
    }

    /// Visible articles that share something with `me`, without duplicates: the 20 newest of its section, then the
    /// 40 newest of its topic, of its tags and of its rarest words. Each section's, topic's, tag's and word's newest
    /// (one more, in case `me` is among them) are kept in `lookups`: the 40 newest of a union are among the 41 newest
    /// of each of its parts. `sparseRows`: see `sharing` (tests pass 0 to take the other plan).
    static func candidates(
        for me: Facts, now: Date, in db: any SQLDatabase, lookups: Lookups = Lookups(), sparseRows: Int = Self.sparseRows
    ) async throws -> [Int] {
        let visible = ArticleRepository.visible(now)
        var lists: [[Int]] = []
        let section = try await lookups.newest("section \(me.sectionID)", in: db) {
            """
            SELECT a.id, a.published_at FROM articles a WHERE \(visible) AND a.section_id = \(bind: me.sectionID)
            ORDER BY a.published_at DESC LIMIT 21
            """
        }
        lists.append(newest([section], excluding: me.id, limit: 20))
        if let topic = me.topicID {
            let found = try await lookups.newest("topic \(topic)", in: db) {
                "SELECT a.id, a.published_at FROM articles a WHERE \(visible) AND a.topic_id = \(bind: topic) ORDER BY a.published_at DESC LIMIT 41"
            }
            lists.append(newest([found], excluding: me.id, limit: 40))
        }
        var tagged: [[Entry]] = []
        for tag in me.tags.sorted() {
            tagged.append(
                try await lookups.newest("tag \(tag)", in: db) {
                    try await sharing(
                        "SELECT x.article_id FROM article_tags x WHERE x.tag_id = \(bind: tag)",
                        existsIn: "SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id = \(bind: tag)",
                        visible: visible, sparseRows: sparseRows, in: db)
                })
        }
        if !tagged.isEmpty { lists.append(newest(tagged, excluding: me.id, limit: 40)) }
        // The article's rarest words find stories on the same subject in other sections. The words few articles
        // hold (by their document frequency) are read together, from the link rows' side (CROSS JOIN keeps SQLite
        // from walking every visible article and probing its terms instead); each common one walks the articles
        // newest first (`sharing`).
        _ = try await tfidf(ids: [me.id], in: db, lookups: lookups)
        let rare = lookups.rare[me.id] ?? []
        let few = rare.filter { $0.df <= sparseRows && lookups.lists["word " + $0.term] == nil }.map(\.term)
        if !few.isEmpty {
            let binds: [any Encodable & Sendable] = few
            var found: [String: [Entry]] = [:]
            if let known = lookups.visible {
                // `refreshAll`: the link rows alone, their articles' visibility and time from the chunk's map.
                try await linked(
                    "term", as: String.self, to: "article_id", from: "article_terms", where: "term IN (\(binds: binds))",
                    dialect: lookups.dialect, in: db
                ) { term, id in
                    if let at = known[id] { found[term, default: []].append(Entry(id: id, at: at)) }
                }
            } else {
                let rows = try await db.raw(
                    """
                    SELECT t.term, a.id, a.published_at FROM article_terms t CROSS JOIN articles a
                    WHERE t.term IN (\(binds: binds)) AND a.id = t.article_id AND \(visible)
                    """
                ).all()
                for row in rows {
                    found[try row.string("term"), default: []].append(Entry(id: try row.int("id"), at: try row.int("published_at")))
                }
            }
            for term in few { lookups.lists["word " + term] = Array(newestFirst(found[term] ?? []).prefix(41)) }
        }
        var worded: [[Entry]] = []
        for term in rare.map(\.term) {
            worded.append(
                try await lookups.newest("word " + term, in: db) {
                    """
                    SELECT a.id, a.published_at FROM articles a WHERE \(visible)
                        AND EXISTS (SELECT 1 FROM article_terms t WHERE t.article_id = a.id AND t.term = \(bind: term))
                    ORDER BY a.published_at DESC LIMIT 41
                    """
                })
        }
        if !worded.isEmpty { lists.append(newest(worded, excluding: me.id, limit: 40)) }
        var seen = Set<Int>()
        var ids: [Int] = []
        for id in lists.joined() where seen.insert(id).inserted { ids.append(id) }
        return ids
    }

    /// The `limit` newest articles of the lists, `id` left out, newest first (`newestFirst`'s order), each once. Each
    /// list is put in that order (a query's list may order the ties of one second otherwise), then the lists are merged
    /// until `limit` are taken: an article's entries are equal in every list (its time, read in one transaction), so
    /// its repeats come out one after the other. Sorting the union of all the lists (an article's ~350 entries, with a
    /// set of the ids seen) was about a tenth of the lists' CPU.
    static func newest(_ lists: [[Entry]], excluding id: Int, limit: Int) -> [Int] {
        let lists = lists.map { isNewestFirst($0) ? $0 : newestFirst($0) }
        var next = [Int](repeating: 0, count: lists.count)
        var ids: [Int] = []
        ids.reserveCapacity(limit)
        while ids.count < limit {
            var best = -1
            for index in lists.indices where next[index] < lists[index].count {
                if best < 0 || precedes(lists[index][next[index]], lists[best][next[best]]) { best = index }
            }
            guard best >= 0 else { break }
            let entry = lists[best][next[best]]
            next[best] += 1
            if entry.id != id && entry.id != ids.last { ids.append(entry.id) }
        }
        return ids
    }

    static func newestFirst(_ entries: [Entry]) -> [Entry] {
        entries.sorted(by: precedes)
    }

    /// Whether `a` comes before `b` newest first: the later time, the higher id at the same second.
    static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.at != b.at ? a.at > b.at : a.id > b.id
    }

    static func isNewestFirst(_ entries: [Entry]) -> Bool {
        entries.indices.dropFirst().allSatisfy { precedes(entries[$0 - 1], entries[$0]) }
    }

    /// Rows of a link table (`article_tags`, `article_terms`) above which the newest sharing articles are found by
    /// walking the articles newest first; under it, from the few rows themselves.
    static let sparseRows = 2_000

    /// The 41 newest visible articles among those `rows` names (one `article_id` column), with their publication
    /// times, by the cheaper of two plans. Walking the articles newest first with an `EXISTS` probe stops early when
    /// sharing articles are many, but reads the whole archive when they are few, and a rare tag or word has few by
    /// definition: at 10,000 articles that walk made one publish cost about half a second (13 lists recomputed, each
    /// walking the archive). So the rows are counted first, up to `sparseRows`, and a short set is read from the
    /// rows' side.
    static func sharing(
        _ rows: SQLQueryString, existsIn probe: SQLQueryString, visible: SQLQueryString, sparseRows: Int, in db: any SQLDatabase
    ) async throws -> SQLQueryString {
        let counted = try await db.raw("SELECT COUNT(*) AS n FROM (\(rows) LIMIT \(literal: sparseRows + 1)) r").first()
        if try counted?.int("n") ?? 0 <= sparseRows {
            return
                "SELECT a.id, a.published_at FROM articles a WHERE \(visible) AND a.id IN (\(rows)) ORDER BY a.published_at DESC LIMIT 41"
        }
        return "SELECT a.id, a.published_at FROM articles a WHERE \(visible) AND EXISTS (\(probe)) ORDER BY a.published_at DESC LIMIT 41"
    }

    /// TF-IDF vectors of the given articles, from the stored term frequencies and document frequencies; `lookups`
    /// keeps them, each article's rarest words (`rarest`) and the number of articles for the transaction.
    static func tfidf(ids: [Int], in db: any SQLDatabase, lookups: Lookups) async throws -> [Int: Vector] {
        let missing = Array(Set(ids).filter { lookups.vectors[$0] == nil }).sorted()
        if !missing.isEmpty {
            if lookups.total == nil {
                lookups.total = Double(try await db.raw("SELECT COUNT(*) AS n FROM articles").first()?.int("n") ?? 1)
            }
            let total = lookups.total ?? 1
            let found = try await terms(ids: missing, in: db, lookups: lookups)
            for id in missing {
                let held = found[id] ?? []
                var pairs: [(term: Int32, weight: Double)] = []
                pairs.reserveCapacity(held.count)
                for term in held {
                    let number: Int32
                    if let known = lookups.numbers[term.term] {
                        number = known
                    } else {
                        number = Int32(lookups.numbers.count)
                        lookups.numbers[term.term] = number
                    }
                    pairs.append((number, (1 + log(Double(term.tf))) * log(1 + total / Double(max(1, term.df)))))
                }
                lookups.vectors[id] = Vector(pairs)
                lookups.rare[id] = rarest(held)
            }
        }
        var vectors: [Int: Vector] = [:]
        for id in ids { vectors[id] = lookups.vectors[id] }
        return vectors
    }

    /// A stored term of an article: its frequency there and the number of articles that hold it.
    struct Term {
        var term: String
        var tf: Int
        var df: Int
    }

    /// The terms of the given articles, 100 articles per statement, with their document frequencies. Those are read
    /// apart, once per transaction for each term (`Lookups.df`): joining every link row to `search_terms` looked the
    /// same few thousand terms up again for each article. A term without a `search_terms` row is left out, as the join
    /// left it.
    static func terms(ids: [Int], in db: any SQLDatabase, lookups: Lookups) async throws -> [Int: [Term]] {
        var held: [(id: Int, term: String, tf: Int)] = []
        for chunk in stride(from: 0, to: ids.count, by: 100).map({ ids[$0..<min($0 + 100, ids.count)] }) {
            let binds: [any Encodable & Sendable] = Array(chunk)
            switch lookups.dialect {
            case .sqlite:
                for row in try await db.raw("SELECT article_id, term, tf FROM article_terms WHERE article_id IN (\(binds: binds))").all() {
                    held.append((try row.int("article_id"), try row.string("term"), try row.int("tf")))
                }
            case .postgres:
                // PostgresNIO decodes each cell of a row through a generic path: an article's ~50 rows took a fifth
                // of the lists' CPU, two arrays of one row take a fraction. Ordered as SQLite's key gives them.
                let rows = try await db.raw(
                    """
                    SELECT article_id, array_agg(term ORDER BY term) AS terms, array_agg(CAST(tf AS BIGINT) ORDER BY term) AS tfs
                    FROM article_terms WHERE article_id IN (\(binds: binds)) GROUP BY article_id ORDER BY article_id
                    """
                ).all()
                for row in rows {
                    let id = try row.int("article_id")
                    let terms = try row.decode(column: "terms", as: [String].self)
                    let tfs = try row.decode(column: "tfs", as: [Int].self)
                    for (term, tf) in zip(terms, tfs) { held.append((id, term, tf)) }
                }
            }
        }
        var unknown = Set<String>()
        for row in held where lookups.df[row.term] == nil { unknown.insert(row.term) }
        let missing = unknown.sorted()
        for part in stride(from: 0, to: missing.count, by: 500).map({ missing[$0..<min($0 + 500, missing.count)] }) {
            let binds: [any Encodable & Sendable] = Array(part)
            for row in try await db.raw("SELECT term, df FROM search_terms WHERE term IN (\(binds: binds))").all() {
                lookups.df[try row.string("term")] = try row.int("df")
            }
        }
        var terms: [Int: [Term]] = [:]
        for row in held {
            guard let df = lookups.df[row.term] else { continue }
            terms[row.id, default: []].append(Term(term: row.term, tf: row.tf, df: df))
        }
        return terms
    }

    /// The 8 rarest of an article's words that another article holds too (document frequency above 1), the most
    /// frequent in the article first among equally rare ones.
    static func rarest(_ terms: [Term]) -> [Term] {
        Array(
            terms.filter { $0.df > 1 }.sorted {
                ($0.df, -$0.tf, $0.term) < ($1.df, -$1.tf, $1.term)
            }.prefix(8))
    }

    /// The cosine of two vectors: one walk of both sorted term lists.
    static func cosine(_ a: Vector, _ b: Vector) -> Double {
        let norms = a.norm * b.norm
        guard norms > 0 else { return 0 }
        var dot = 0.0
        var i = 0
        var j = 0
        a.terms.withUnsafeBufferPointer { x in
            b.terms.withUnsafeBufferPointer { y in
                while i < x.count && j < y.count {
                    if x[i] < y[j] {
                        i += 1
                    } else if x[i] > y[j] {
                        j += 1
                    } else {
                        dot += a.weights[i] * b.weights[j]
                        i += 1
                        j += 1
                    }
                }
            }
        }
        return dot / norms
    }

    static func score(_ me: Facts, _ other: Facts, cosine: Double, now: Date) -> Double {
        var score = 3.0 * cosine
        if let topic = me.topicID, topic == other.topicID { score += 2.0 }
        // The shared tags counted without building the union and intersection sets (a few tags each, every pair).
        let (small, large) = me.tags.count <= other.tags.count ? (me.tags, other.tags) : (other.tags, me.tags)
        var shared = 0
        for tag in small where large.contains(tag) { shared += 1 }
        let union = me.tags.count + other.tags.count - shared
        if union > 0 { score += 1.5 * Double(shared) / Double(union) }
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
