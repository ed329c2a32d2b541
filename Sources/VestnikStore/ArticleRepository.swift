import Foundation
import SQLKit
import VestnikCore

/// What is needed to create or update an article; section, topic, tags and authors are named, and created if new.
/// The newsroom stores it whole (as JSON) in every revision.
public struct ArticleInput: Sendable, Equatable, Codable {
    public struct Byline: Sendable, Equatable, Codable {
        public var name: String
        public var role: String?
        public init(name: String, role: String? = nil) {
            self.name = name
            self.role = role
        }
    }

    public var slug: String
    public var kicker: String
    public var title: String
    public var lead: String
    public var bodyHTML: String
    public var section: String
    public var topic: String?
    public var tags: [String]
    public var authors: [Byline]
    public var sources: [String]
    public var media: MediaMarkers
    public var status: ArticleStatus
    public var publishedAt: Date
    /// Set only when migrating from another system; an update never lowers the stored count.
    public var reads: Int?
    /// The library picture the article leads with. Revisions saved before it existed decode it as nil.
    public var featuredImage: FeaturedImage?
    /// The "Още:" blocks as the journalist arranged them; nil: the site's automatic ones. Revisions saved before it
    /// existed decode it as nil.
    public var more: MoreLinks?
    /// The page's `<title>` and meta description instead of the headline and lead; nil: those. Revisions saved
    /// before they existed decode them (and the four below) as nil.
    public var seoTitle: String?
    public var seoDescription: String?
    /// Open Graph's and X's title and description instead of the page's; nil: those.
    public var socialTitle: String?
    public var socialDescription: String?
    /// The share card's library picture (its hash) instead of the featured one; nil: the featured.
    public var socialImage: String?

    /// The longest SEO or social title and description stored (the editor's counters suggest far less).
    public static let maxSEOTitle = 300
    public static let maxSEODescription = 1_000

    public init(
        slug: String, kicker: String = "", title: String, lead: String, bodyHTML: String, section: String,
        topic: String? = nil, tags: [String] = [], authors: [Byline] = [], sources: [String] = [],
        media: MediaMarkers = MediaMarkers(), status: ArticleStatus = .published, publishedAt: Date, reads: Int? = nil,
        featuredImage: FeaturedImage? = nil, more: MoreLinks? = nil, seoTitle: String? = nil, seoDescription: String? = nil,
        socialTitle: String? = nil, socialDescription: String? = nil, socialImage: String? = nil
    ) {
        self.slug = slug
        self.kicker = kicker
        self.title = title
        self.lead = lead
        self.bodyHTML = bodyHTML
        self.section = section
        self.topic = topic
        self.tags = tags
        self.authors = authors
        self.sources = sources
        self.media = media
        self.status = status
        self.publishedAt = publishedAt
        self.reads = reads
        self.featuredImage = featuredImage
        self.more = more
        self.seoTitle = seoTitle
        self.seoDescription = seoDescription
        self.socialTitle = socialTitle
        self.socialDescription = socialDescription
        self.socialImage = socialImage
    }
}

/// Keys of the advisory locks that serialise writers on PostgreSQL (see `Database.serialize`).
enum LockKeys {
    static let articleWrites = 7_301
    static let users = 7_304
    /// Nodes starting together on a new database take turns applying migrations.
    static let migrations = 7_305
    /// Login attempts are checked and recorded one at a time, so parallel guesses cannot all pass the throttle.
    static let loginAttempts = 7_306
    /// Nodes claim a scheduled backup's round one at a time.
    static let backups = 7_307
}

/// Which articles a list shows.
public enum ArticleFilter: Sendable, Equatable {
    case all
    case section(Int)
    case topic(Int)
    case tag(Int)
    case author(Int)
}

/// Articles: saving them whole, and the public reads the site needs. Public reads only ever return articles that
/// are published and whose publication time has come (`now` is passed in, so tests control the clock).
public struct ArticleRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public enum SaveResult: Sendable, Equatable {
        case created(id: Int)
        case updated(id: Int)
        public var id: Int {
            switch self {
            case .created(let id), .updated(let id): return id
            }
        }
    }

    // MARK: Writing

    /// A slug chosen for a save, and the article that has it now (its id and read count), if any.
    public struct SlugChoice: Sendable {
        public var slug: String
        public var article: (id: Int, reads: Int)?

        public init(slug: String, article: (id: Int, reads: Int)?) {
            self.slug = slug
            self.article = article
        }
    }

    /// What a save knows of the article that has its slug: nothing yet (it reads it), or that article (nil: none).
    enum Existing {
        case unknown
        case known((id: Int, reads: Int)?)
    }

    /// Creates the article, or updates the one with the same slug, in one transaction with its search entry; then
    /// refreshes the "Още:" lists it belongs in (a bulk import passes `refreshRelated: false` and refreshes once).
    /// Newsroom and import writes go through `ArticleWriteService`, which adds revisions, roles and the audit log.
    @discardableResult
    public func save(_ input: ArticleInput, now: Date = Date(), refreshRelated: Bool = true) async throws -> SaveResult {
        try Self.validate(input)
        let dialect = database.dialect
        let (result, change) = try await database.write { db -> (SaveResult, ContentChange) in
            try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
            return try await Self.save(input, now: now, dialect: dialect, in: db)
        }
        await database.announce(change)
        if refreshRelated { try await RelatedArticles(database: database).refresh(after: result.id, now: now) }
        return result
    }

    /// One save inside the caller's transaction (which holds the article-writes lock): the article, its search entry,
    /// and the change to announce once the transaction has committed.
    /// `taxonomy`: shared by the saves of one transaction (a batch), so each name is looked up once; `terms`: the
    /// batch's search rows, which the caller writes before committing (`SearchIndexer.Batch`).
    static func save(
        _ input: ArticleInput, now: Date, dialect: Database.Dialect, taxonomy: TaxonomyCache = TaxonomyCache(),
        terms: SearchIndexer.Batch? = nil, analysed: SearchIndexer.Analysed? = nil, existing known: Existing = .unknown,
        in db: any SQLDatabase
    ) async throws
        -> (SaveResult, ContentChange)
    {
        try validate(input)
        let existing: (id: Int, reads: Int)?
        switch known {
        case .unknown: existing = try await existingArticle(slug: input.slug, in: db)
        case .known(let article): existing = article
        }
        var before: ArticlePlacement?
        if let existing { before = try await ArticlePlacement.of(articleID: existing.id, in: db) }
        let (result, after) = try await write(
            input, existing: existing, now: now, dialect: dialect, taxonomy: taxonomy, terms: terms, analysed: analysed, in: db)
        return (result, ArticlePlacement.change(articleID: result.id, before: before, after: after))
    }

    /// The id and read count of the article with `slug`, if there is one.
    private static func existingArticle(slug: String, in db: any SQLDatabase) async throws -> (id: Int, reads: Int)? {
        guard let row = try await db.raw("SELECT id, reads FROM articles WHERE slug = \(bind: slug)").first() else { return nil }
        return (try row.int("id"), try row.int("reads"))
    }

    /// Saves many articles in one transaction (bulk loads and benchmarks); the "Още:" lists are not refreshed.
    public func saveAll(_ inputs: [ArticleInput], now: Date = Date()) async throws {
        for input in inputs { try Self.validate(input) }
        let dialect = database.dialect
        try await database.write { db in
            try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
            let taxonomy = TaxonomyCache()
            for input in inputs {
                let existing = try await Self.existingArticle(slug: input.slug, in: db)
                _ = try await Self.write(input, existing: existing, now: now, dialect: dialect, taxonomy: taxonomy, terms: nil, in: db)
            }
        }
        await database.announce(.everything)
    }

    /// The statements of one save, inside the caller's transaction; returns where the article now stands (as
    /// `ArticlePlacement.of` would read it back).
    private static func write(
        _ input: ArticleInput, existing: (id: Int, reads: Int)?, now: Date, dialect: Database.Dialect, taxonomy: TaxonomyCache,
        terms: SearchIndexer.Batch?, analysed: SearchIndexer.Analysed? = nil, in db: any SQLDatabase
    ) async throws
        -> (SaveResult, ArticlePlacement)
    {
        let sectionID = try await taxonomy.id(.section, input.section, in: db)
        var topicID: Int?
        if let topic = input.topic { topicID = try await taxonomy.id(.topic, topic, in: db) }
        let sources = input.sources.joined(separator: "\n")
        let result: SaveResult
        if let existing {
            let id = existing.id
            let reads = max(existing.reads, input.reads ?? 0)
            try await db.raw(
                """
                UPDATE articles SET kicker = \(bind: input.kicker), title = \(bind: input.title), lead = \(bind: input.lead),
                    body_html = \(bind: input.bodyHTML), section_id = \(bind: sectionID), topic_id = \(bind: topicID),
                    sources = \(bind: sources), has_video = \(bind: input.media.video ? 1 : 0),
                    has_gallery = \(bind: input.media.gallery ? 1 : 0), status = \(bind: input.status.rawValue),
                    published_at = \(bind: input.publishedAt.unixSeconds), updated_at = \(bind: now.unixSeconds),
                    reads = \(bind: reads), featured_media = \(bind: input.featuredImage?.media),
                    featured_caption = \(bind: input.featuredImage?.caption ?? ""),
                    featured_credit = \(bind: input.featuredImage?.credit ?? ""), more_links = \(bind: input.more?.json ?? ""),
                    seo_title = \(bind: input.seoTitle ?? ""), seo_description = \(bind: input.seoDescription ?? ""),
                    social_title = \(bind: input.socialTitle ?? ""), social_description = \(bind: input.socialDescription ?? ""),
                    social_media = \(bind: input.socialImage)
                WHERE id = \(bind: id)
                """
            ).run()
            try await db.raw("DELETE FROM article_tags WHERE article_id = \(bind: id)").run()
            try await db.raw("DELETE FROM article_authors WHERE article_id = \(bind: id)").run()
            result = .updated(id: id)
        } else {
            let row = try await db.raw(
                """
                INSERT INTO articles (slug, kicker, title, lead, body_html, section_id, topic_id, sources, has_video,
                    has_gallery, status, published_at, created_at, updated_at, reads, featured_media, featured_caption,
                    featured_credit, more_links, seo_title, seo_description, social_title, social_description, social_media)
                VALUES (\(bind: input.slug), \(bind: input.kicker), \(bind: input.title), \(bind: input.lead),
                    \(bind: input.bodyHTML), \(bind: sectionID), \(bind: topicID), \(bind: sources),
                    \(bind: input.media.video ? 1 : 0), \(bind: input.media.gallery ? 1 : 0), \(bind: input.status.rawValue),
                    \(bind: input.publishedAt.unixSeconds), \(bind: now.unixSeconds), \(bind: now.unixSeconds),
                    \(bind: input.reads ?? 0), \(bind: input.featuredImage?.media), \(bind: input.featuredImage?.caption ?? ""),
                    \(bind: input.featuredImage?.credit ?? ""), \(bind: input.more?.json ?? ""), \(bind: input.seoTitle ?? ""),
                    \(bind: input.seoDescription ?? ""), \(bind: input.socialTitle ?? ""), \(bind: input.socialDescription ?? ""),
                    \(bind: input.socialImage))
                RETURNING id
                """
            ).first()
            guard let row else { throw InvalidInput("the article \(input.slug) was not saved") }
            result = .created(id: try row.int("id"))
        }
        var tagIDs: [Int] = []
        for name in input.tags {
            let tagID = try await taxonomy.id(.tag, name, in: db)
            if !tagIDs.contains(tagID) { tagIDs.append(tagID) }
        }
        var authorIDs: [Int] = []
        for byline in input.authors {
            let authorID = try await taxonomy.author(byline.name, role: byline.role, in: db)
            if !authorIDs.contains(authorID) { authorIDs.append(authorID) }
        }
        try await insertLinks("article_tags", "tag_id", articleID: result.id, tagIDs, in: db)
        try await insertLinks("article_authors", "author_id", articleID: result.id, authorIDs, in: db)
        // The names as stored: an input may name a section, tag or author by a name or slug it had before a rename.
        let sectionName = try await taxonomy.names(.section, [sectionID], in: db).first
        let document = SearchIndexer.Document(
            kicker: input.kicker, title: input.title, lead: input.lead, bodyHTML: input.bodyHTML,
            tags: try await taxonomy.names(.tag, tagIDs, in: db), authors: try await taxonomy.names(.author, authorIDs, in: db),
            section: sectionName ?? input.section, analysed: analysed)
        try await SearchIndexer.index(
            articleID: result.id, document: document, dialect: dialect, isNew: existing == nil, pending: terms, in: db)
        let placement = ArticlePlacement(
            status: input.status.rawValue, publishedAt: input.publishedAt.unixSeconds, sectionID: sectionID, topicID: topicID,
            tagIDs: tagIDs, authorIDs: authorIDs)
        return (result, placement)
    }

    /// An article's tags or authors, in order (position 1, 2, …), in one statement.
    private static func insertLinks(_ table: String, _ column: String, articleID: Int, _ ids: [Int], in db: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        var rows: SQLQueryString = ""
        for (offset, id) in ids.enumerated() {
            rows += (offset == 0 ? "" : ", ") + "(\(bind: articleID), \(bind: id), \(bind: offset + 1))"
        }
        try await db.raw("INSERT INTO \(ident: table) (article_id, \(ident: column), position) VALUES \(rows)").run()
    }

    /// Gives an article a new slug; the old one keeps answering with a redirect.
    public func changeSlug(articleID: Int, to newSlug: String) async throws {
        let change = try await database.write { db in try await Self.changeSlug(articleID: articleID, to: newSlug, in: db) }
        await database.announce(change)
    }

    /// A new slug inside the caller's transaction. A slug another article has, or had (its old address redirects to
    /// it), is refused: taking it would break that article's links.
    static func changeSlug(
        articleID: Int, to newSlug: String, keepingRedirect: Bool = true, in db: any SQLDatabase
    ) async throws -> ContentChange {
        guard Slug.make(newSlug) == newSlug, !newSlug.isEmpty else { throw InvalidInput("not a valid slug: \(newSlug)") }
        guard let row = try await db.raw("SELECT slug FROM articles WHERE id = \(bind: articleID)").first() else {
            throw InvalidInput("no article \(articleID)")
        }
        let old = try row.string("slug")
        guard old != newSlug else { return ContentChange(keys: []) }
        if try await slugOwner(newSlug, in: db).map({ $0 != articleID }) ?? false {
            throw InvalidInput("the slug \(newSlug) is taken")
        }
        // Its own old address, taken back: that redirect is no longer needed.
        try await db.raw("DELETE FROM article_slug_history WHERE slug = \(bind: newSlug)").run()
        try await db.raw("UPDATE articles SET slug = \(bind: newSlug) WHERE id = \(bind: articleID)").run()
        // A slug it had before its first publication was never public: nothing to redirect.
        guard keepingRedirect else { return ContentChange(keys: [CacheKey.article(articleID), CacheKey.articlePage(articleID)]) }
        try await db.raw(
            """
            INSERT INTO article_slug_history (slug, article_id) VALUES (\(bind: old), \(bind: articleID))
            ON CONFLICT (slug) DO UPDATE SET article_id = \(bind: articleID)
            """
        ).run()
        // Its page moved, and every link to it changed.
        return ContentChange(keys: [CacheKey.article(articleID), CacheKey.articlePage(articleID)])
    }

    /// The article that answers at `slug`: the one that has it, else the one it redirects to.
    static func slugOwner(_ slug: String, in db: any SQLDatabase) async throws -> Int? {
        if let row = try await db.raw("SELECT id FROM articles WHERE slug = \(bind: slug)").first() { return try row.int("id") }
        return try await db.raw("SELECT article_id FROM article_slug_history WHERE slug = \(bind: slug)").first()?.int("article_id")
    }

    static func validate(_ input: ArticleInput) throws {
        if input.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw InvalidInput("the title is empty") }
        if input.slug.isEmpty || Slug.make(input.slug) != input.slug {
            throw InvalidInput("the slug „\(input.slug)“ must be lowercase Latin letters, digits and hyphens")
        }
        if input.section.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw InvalidInput("the section is missing") }
        for title in [input.seoTitle, input.socialTitle] where (title?.count ?? 0) > ArticleInput.maxSEOTitle {
            throw InvalidInput("an SEO or social title is longer than \(ArticleInput.maxSEOTitle) characters")
        }
        for text in [input.seoDescription, input.socialDescription] where (text?.count ?? 0) > ArticleInput.maxSEODescription {
            throw InvalidInput("an SEO or social description is longer than \(ArticleInput.maxSEODescription) characters")
        }
        if let hash = input.socialImage, !MediaAddress.isHash(hash) {
            throw InvalidInput("the social picture is not a media library picture")
        }
    }

    // MARK: Public reads

    /// The article with this slug, whatever its status (the caller decides what a reader may see).
    public func article(slug: String) async throws -> Article? {
        try await database.read { db in try await Self.article(slug: slug, in: db) }
    }

    private static func article(slug: String, in db: any SQLDatabase) async throws -> Article? {
        let rows = try await db.raw("\(articleColumns) WHERE a.slug = \(bind: slug)").all()
        return try await articles(from: rows, in: db).first
    }

    /// What an article's page shows at its foot: its notes, oldest first, and, for a live blog, its coverage with
    /// its newest entries.
    public typealias PageFoot = (corrections: [Correction], live: (coverage: LiveCoverage, entries: [LiveEntry])?)

    /// The article with this slug, its "Още:" articles (`related(to:limit:now:)`) and its page's foot (`pageFoot`,
    /// with `liveEntries` entries), read in one transaction: the article page needs all three, and each read of its
    /// own took and released SQLite's locks again (a BEGIN and a COMMIT, each taking the WAL index's lock).
    public func article(
        slug: String, relatedLimit: Int, liveEntries: Int, now: Date
    ) async throws -> (article: Article, related: [ArticleSummary], foot: PageFoot)? {
        try await database.read { db in
            guard let article = try await Self.article(slug: slug, in: db) else { return nil }
            return (
                article, try await Self.related(to: article, limit: relatedLimit, now: now, in: db),
                try await Self.pageFoot(articleID: article.id, liveEntries: liveEntries, in: db)
            )
        }
    }

    /// An article's page foot (`PageFoot`) in one read: the newsroom's preview of an article asks for it alone.
    public func pageFoot(articleID: Int, liveEntries: Int) async throws -> PageFoot {
        try await database.read { db in try await Self.pageFoot(articleID: articleID, liveEntries: liveEntries, in: db) }
    }

    private static func pageFoot(articleID: Int, liveEntries: Int, in db: any SQLDatabase) async throws -> PageFoot {
        (
            try await CorrectionRepository.corrections(articleID: articleID, in: db),
            try await LiveCoverageRepository.liveBlog(articleID: articleID, limit: liveEntries, in: db)
        )
    }

    /// The newest visible articles of a list, whole (body, tags, byline): what a feed carries.
    public func latest(_ filter: ArticleFilter, limit: Int, now: Date) async throws -> [Article] {
        let condition = Self.visible(now) + Self.condition(filter)
        return try await database.read { db in
            let rows = try await db.raw(
                """
                \(Self.articleColumns) WHERE \(condition)
                ORDER BY a.published_at DESC, a.id DESC LIMIT \(literal: max(0, limit))
                """
            ).all()
            return try await Self.articles(from: rows, in: db)
        }
    }

    /// The current slug of an article that used to be reachable under `oldSlug`.
    public func currentSlug(forOldSlug oldSlug: String) async throws -> String? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT a.slug FROM article_slug_history h JOIN articles a ON a.id = h.article_id
                WHERE h.slug = \(bind: oldSlug)
                """
            ).first()?.string("slug")
        }
    }

    /// A page of visible articles, newest first.
    public func list(_ filter: ArticleFilter, page: PageRequest, now: Date) async throws -> Page<ArticleSummary> {
        let condition = Self.visible(now) + Self.condition(filter)
        return try await database.read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM articles a WHERE \(condition)").first()?.int("n") ?? 0
            let items = try await db.raw(
                """
                \(Self.summaryColumns) WHERE \(condition)
                ORDER BY a.published_at DESC, a.id DESC LIMIT \(literal: page.size) OFFSET \(literal: page.offset)
                """
            ).all().map(Self.summary)
            return Page(items: items, number: page.number, size: page.size, total: total)
        }
    }

    /// Visible articles published in `[from, to)`, newest first: "Новините днес" asks for the Sofia day so far.
    public func published(from: Date, to: Date, limit: Int, now: Date) async throws -> [ArticleSummary] {
        try await database.read { db in
            try await db.raw(
                """
                \(Self.summaryColumns) WHERE \(Self.visible(now))
                    AND a.published_at >= \(bind: from.unixSeconds) AND a.published_at < \(bind: to.unixSeconds)
                ORDER BY a.published_at DESC, a.id DESC LIMIT \(literal: limit)
                """
            ).all().map(Self.summary)
        }
    }

    /// Articles to offer in the "Още:" blocks of `article`: the list `RelatedArticles` precomputed, best first, less
    /// anything no longer visible. An article whose list was never computed gets the newest articles that share its
    /// topic, a tag or its section.
    public func related(to article: Article, limit: Int, now: Date) async throws -> [ArticleSummary] {
        try await database.read { db in try await Self.related(to: article, limit: limit, now: now, in: db) }
    }

    static func related(to article: Article, limit: Int, now: Date, in db: any SQLDatabase) async throws -> [ArticleSummary] {
        // An article whose journalist arranged its "Още:" blocks: the ranking, long enough to fill the automatic
        // places past the removed links, then the hand-picked articles that are visible (`MoreLinks.fill`).
        guard let plan = article.more else { return try await ranked(to: article, limit: limit, now: now, in: db) }
        let ranked = try await ranked(to: article, limit: max(limit, plan.rankedNeeded), now: now, in: db)
        let have = Set(ranked.map(\.id))
        let missing = plan.chosen.filter { !have.contains($0) && $0 != article.id }
        return ranked + (try await summaries(ids: missing, now: now, in: db))
    }

    /// Visible articles by id, in the order of `ids` (those not visible are left out).
    static func summaries(ids: [Int], now: Date, in db: any SQLDatabase) async throws -> [ArticleSummary] {
        guard !ids.isEmpty else { return [] }
        let binds: [any Encodable & Sendable] = ids
        let found = try await db.raw("\(Self.summaryColumns) WHERE a.id IN (\(binds: binds)) AND \(Self.visible(now))").all()
            .map(Self.summary)
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// The ranking's "Още:" articles of `article` (`RelatedArticles`), else the newest sharing its section, topic or a tag.
    static func ranked(to article: Article, limit: Int, now: Date, in db: any SQLDatabase) async throws -> [ArticleSummary] {
        let stored = try await db.raw(
            """
            \(Self.summaryColumns) JOIN article_related r ON r.related_id = a.id
            WHERE r.article_id = \(bind: article.id) AND \(Self.visible(now))
            ORDER BY r.position LIMIT \(literal: limit)
            """
        ).all().map(Self.summary)
        if !stored.isEmpty { return stored }
        return try await sharingSomething(with: article, limit: limit, now: now, in: db)
    }

    private static func sharingSomething(
        with article: Article, limit: Int, now: Date, in db: any SQLDatabase
    ) async throws -> [ArticleSummary] {
        let tagIDs: [any Encodable & Sendable] = article.tags.map(\.id)
        var shared: SQLQueryString = "a.section_id = \(bind: article.section.id)"
        if let topic = article.topic { shared += " OR a.topic_id = \(bind: topic.id)" }
        if !tagIDs.isEmpty {
            shared += " OR EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id IN (\(binds: tagIDs)))"
        }
        let condition = Self.visible(now) + " AND a.id <> \(bind: article.id) AND (\(shared))"
        return try await db.raw(
            "\(Self.summaryColumns) WHERE \(condition) ORDER BY a.published_at DESC, a.id DESC LIMIT \(literal: limit)"
        ).all().map(Self.summary)
    }

    /// A visible article by id, as a list shows it.
    public func summary(id: Int, now: Date) async throws -> ArticleSummary? {
        try await database.read { db in
            try await db.raw("\(Self.summaryColumns) WHERE a.id = \(bind: id) AND \(Self.visible(now))").first().map(Self.summary)
        }
    }

    public func count() async throws -> Int {
        try await database.read { db in try await db.raw("SELECT COUNT(*) AS n FROM articles").first()?.int("n") ?? 0 }
    }

    // MARK: Query pieces

    /// Every column an `Article` is made of, but its tags and byline (see `articles(from:in:)`).
    static let articleColumns: SQLQueryString = """
        SELECT a.*, s.slug AS section_slug, s.name AS section_name, s.description AS section_description,
            s.position AS section_position, t.slug AS topic_slug, t.name AS topic_name,
            t.description AS topic_description, t.pinned_article_id AS topic_pinned, m.type AS media_type,
            m.width AS media_width, m.height AS media_height, m.bytes AS media_bytes, m.alt AS media_alt,
            m.caption AS media_caption, m.credit AS media_credit, sm.type AS social_type, sm.width AS social_width,
            sm.height AS social_height, sm.bytes AS social_bytes, sm.alt AS social_alt
        FROM articles a JOIN sections s ON s.id = a.section_id LEFT JOIN topics t ON t.id = a.topic_id
            LEFT JOIN media m ON m.hash = a.featured_media LEFT JOIN media sm ON sm.hash = a.social_media
        """

    /// Whole articles from rows of `articleColumns`, in the rows' order: their tags and bylines are read in one
    /// query, however many articles there are.
    static func articles(from rows: [any SQLRow], in db: any SQLDatabase) async throws -> [Article] {
        guard !rows.isEmpty else { return [] }
        let ids: [any Encodable & Sendable] = try rows.map { try $0.int("id") }
        var tags: [Int: [(position: Int, tag: Tag)]] = [:]
        var authors: [Int: [(position: Int, author: Author)]] = [:]
        // Put in order here rather than by the query: an ORDER BY over the UNION made SQLite build and sort two
        // temporary B-trees for a handful of rows on every article page.
        for row in try await db.raw(
            """
            SELECT 0 AS part, x.article_id, x.position, g.id, g.slug, g.name, '' AS role, '' AS bio, '' AS photo
            FROM article_tags x JOIN tags g ON g.id = x.tag_id WHERE x.article_id IN (\(binds: ids))
            UNION ALL
            SELECT 1 AS part, x.article_id, x.position, u.id, u.slug, u.name, u.role, u.bio, u.photo
            FROM article_authors x JOIN authors u ON u.id = x.author_id WHERE x.article_id IN (\(binds: ids))
            """
        ).all() {
            let position = try row.int("position")
            if try row.int("part") == 0 {
                tags[try row.int("article_id"), default: []].append((position, try TaxonomyRepository.tag(row)))
            } else {
                authors[try row.int("article_id"), default: []].append((position, try TaxonomyRepository.author(row)))
            }
        }
        return try rows.map { row in
            let id = try row.int("id")
            var topic: Topic?
            if let topicID = try row.optionalInt("topic_id") {
                topic = Topic(
                    id: topicID, slug: try row.string("topic_slug"), name: try row.string("topic_name"),
                    description: try row.string("topic_description"), pinnedArticleID: try row.optionalInt("topic_pinned"))
            }
            let sources = try row.string("sources")
            return Article(
                id: id, slug: try row.string("slug"), kicker: try row.string("kicker"), title: try row.string("title"),
                lead: try row.string("lead"), bodyUTF8: try row.utf8("body_html"),
                section: Section(
                    id: try row.int("section_id"), slug: try row.string("section_slug"), name: try row.string("section_name"),
                    description: try row.string("section_description"), position: try row.int("section_position")),
                topic: topic, tags: (tags[id] ?? []).sorted { $0.position < $1.position }.map(\.tag),
                authors: (authors[id] ?? []).sorted { $0.position < $1.position }.map(\.author),
                sources: sources.isEmpty ? [] : Self.lines(sources),
                media: MediaMarkers(video: try row.flag("has_video"), gallery: try row.flag("has_gallery")),
                status: ArticleStatus(rawValue: try row.string("status")) ?? .draft,
                publishedAt: try row.date("published_at"), updatedAt: try row.date("updated_at"), reads: try row.int("reads"),
                featuredImage: try featuredImage(row), more: MoreLinks(json: try row.string("more_links")),
                seo: ArticleSEO(
                    title: try row.string("seo_title"), description: try row.string("seo_description"),
                    socialTitle: try row.string("social_title"), socialDescription: try row.string("social_description"),
                    socialImage: try socialImage(row)),
                modifiedAt: try row.optionalInt("modified_at").map { Date(timeIntervalSince1970: TimeInterval($0)) })
        }
    }

    /// `text` split at each "\n", empty lines kept: what `components(separatedBy: "\n")` answers (a search by
    /// `Character`, so the "\n" of a "\r\n" does not split), found byte by byte (Foundation's search was 0.6 % of a
    /// cold article page). A "\n" is a `Character` of its own unless a "\r" comes before it.
    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var previous: UInt8 = 0
        var index = start
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") {
                lines.append(String(text[start..<index]))
                start = utf8.index(after: index)
            }
            previous = byte
            utf8.formIndex(after: &index)
        }
        lines.append(String(text[start...]))
        return lines
    }

    /// The share card's picture of a row of `articleColumns`, when the library has it.
    static func socialImage(_ row: any SQLRow) throws -> ArticleImage? {
        guard let hash = try row.decode(column: "social_media", as: String?.self), MediaAddress.isHash(hash),
            let type = try row.decode(column: "social_type", as: String?.self), let format = ImageFormat(rawValue: type)
        else { return nil }
        return ArticleImage(
            address: MediaAddress(hash: hash, format: format), width: try row.int("social_width"),
            height: try row.int("social_height"), alt: try row.string("social_alt"), caption: "", credit: "",
            bytes: try row.int("social_bytes"))
    }

    /// The featured picture of a row of `articleColumns`: the article's own caption and credit, else the library's.
    static func featuredImage(_ row: any SQLRow) throws -> ArticleImage? {
        guard let hash = try row.decode(column: "featured_media", as: String?.self), MediaAddress.isHash(hash),
            let type = try row.decode(column: "media_type", as: String?.self), let format = ImageFormat(rawValue: type)
        else { return nil }
        let caption = try row.string("featured_caption")
        let credit = try row.string("featured_credit")
        return ArticleImage(
            address: MediaAddress(hash: hash, format: format), width: try row.int("media_width"), height: try row.int("media_height"),
            alt: try row.string("media_alt"), caption: caption.isEmpty ? try row.string("media_caption") : caption,
            credit: credit.isEmpty ? try row.string("media_credit") : credit, bytes: try row.int("media_bytes"))
    }

    static let summaryColumns: SQLQueryString = """
        SELECT a.id, a.slug, a.kicker, a.title, a.lead, a.has_video, a.has_gallery, a.published_at, a.reads,
            s.slug AS section_slug, s.name AS section_name, \(summaryPicture)
        FROM articles a JOIN sections s ON s.id = a.section_id \(summaryPictureJoin)
        """

    /// The featured picture's columns of a summary (what `featuredImage(_:)` reads), for queries that list their own
    /// columns; with `summaryPictureJoin` after their `articles a`.
    static let summaryPicture: SQLQueryString = """
        a.featured_media, a.featured_caption, a.featured_credit, pm.type AS media_type, pm.width AS media_width,
            pm.height AS media_height, pm.bytes AS media_bytes, pm.alt AS media_alt, pm.caption AS media_caption,
            pm.credit AS media_credit
        """
    static let summaryPictureJoin: SQLQueryString = "LEFT JOIN media pm ON pm.hash = a.featured_media"

    static func visible(_ now: Date) -> SQLQueryString {
        "a.status = 'published' AND a.published_at <= \(bind: now.unixSeconds)"
    }

    static func condition(_ filter: ArticleFilter) -> SQLQueryString {
        switch filter {
        case .all: return ""
        case .section(let id): return " AND a.section_id = \(bind: id)"
        case .topic(let id): return " AND a.topic_id = \(bind: id)"
        case .tag(let id): return " AND EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id = \(bind: id))"
        case .author(let id):
            return " AND EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = \(bind: id))"
        }
    }

    static func summary(_ row: any SQLRow) throws -> ArticleSummary {
        ArticleSummary(
            id: try row.int("id"), slug: try row.string("slug"), sectionSlug: try row.string("section_slug"),
            sectionName: try row.string("section_name"), kicker: try row.string("kicker"), title: try row.string("title"),
            lead: try row.string("lead"), media: MediaMarkers(video: try row.flag("has_video"), gallery: try row.flag("has_gallery")),
            publishedAt: try row.date("published_at"), reads: try row.int("reads"), picture: try featuredImage(row))
    }
}
