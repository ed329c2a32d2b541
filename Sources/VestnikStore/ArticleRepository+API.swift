import Foundation
import SQLKit
import VestnikCore

/// What the content API's article list asks for: every filter at once, all optional.
public struct ArticleQuery: Sendable, Equatable {
    public var sectionID: Int?
    public var topicID: Int?
    public var tagID: Int?
    public var authorID: Int?
    /// Published at or after.
    public var since: Date?
    /// Published before.
    public var until: Date?
    /// Full-text filter (the site search's syntax); the order stays newest first, so a cursor stays stable.
    public var text: SearchQuery?
    /// One article by its slug (the WordPress API's `?slug=`).
    public var slug: String?
    /// Only articles with a featured picture (the WordPress API's media list).
    public var withPicture = false
    /// The order of numbered pages (the WordPress API's `orderby`/`order`); cursor pages are always newest first.
    public var order = ArticleOrder()

    public init() {}
}

/// What numbered pages of articles are sorted by, then by id the same way (so the order is total and stable).
public struct ArticleOrder: Sendable, Equatable {
    public enum Key: String, Sendable, CaseIterable {
        /// Publication time.
        case date
        case id
        /// The last save.
        case modified
        case slug
        case title

        var column: String {
            switch self {
            case .date: return "a.published_at"
            case .id: return "a.id"
            case .modified: return "a.updated_at"
            case .slug: return "a.slug"
            case .title: return "a.title"
            }
        }
    }
    public var key: Key
    public var ascending: Bool

    public init(key: Key = .date, ascending: Bool = false) {
        self.key = key
        self.ascending = ascending
    }

    /// `ORDER BY`'s terms (fixed column names: nothing from the request reaches the SQL text).
    var sql: String {
        let direction = ascending ? "ASC" : "DESC"
        return key == .id ? "a.id \(direction)" : "\(key.column) \(direction), a.id \(direction)"
    }
}

/// The content API's article reads: newest first by publication time, then id, a page at a time from a keyset
/// cursor (the same cost on the 5,000th page as on the first, and stable while articles are added).
extension ArticleRepository {
    /// Up to `limit` visible articles matching `query`, whole, after `cursor` (publication time, id), skipping
    /// `offset` (the WordPress API's numbered pages; the caller caps it).
    public func page(
        _ query: ArticleQuery, after cursor: KeysetCursor<Int>? = nil, offset: Int = 0, limit: Int, now: Date
    ) async throws -> [Article] {
        var condition = queryCondition(query, now: now)
        if let cursor {
            condition +=
                " AND (a.published_at < \(bind: cursor.time) OR (a.published_at = \(bind: cursor.time) AND a.id < \(bind: cursor.key)))"
        }
        let rows = condition
        return try await database.read { db in
            let found = try await db.raw(
                """
                \(Self.articleColumns) WHERE \(rows)
                ORDER BY \(unsafeRaw: cursor == nil ? query.order.sql : ArticleOrder().sql)
                LIMIT \(literal: max(1, limit)) OFFSET \(literal: max(0, offset))
                """
            ).all()
            return try await Self.articles(from: found, in: db)
        }
    }

    /// How many visible articles match `query`.
    public func count(_ query: ArticleQuery, now: Date) async throws -> Int {
        let condition = queryCondition(query, now: now)
        return try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM articles a WHERE \(condition)").first()?.int("n") ?? 0
        }
    }

    private func queryCondition(_ query: ArticleQuery, now: Date) -> SQLQueryString {
        var condition = Self.visible(now)
        if let id = query.sectionID { condition += Self.condition(.section(id)) }
        if let id = query.topicID { condition += Self.condition(.topic(id)) }
        if let id = query.tagID { condition += Self.condition(.tag(id)) }
        if let id = query.authorID { condition += Self.condition(.author(id)) }
        if let since = query.since { condition += " AND a.published_at >= \(bind: since.unixSeconds)" }
        if let until = query.until { condition += " AND a.published_at < \(bind: until.unixSeconds)" }
        if let slug = query.slug { condition += " AND a.slug = \(bind: slug)" }
        if query.withPicture { condition += " AND a.featured_media IS NOT NULL AND a.featured_media <> ''" }
        if let text = query.text { condition += " AND " + Self.matching(text, dialect: database.dialect) }
        return condition
    }

    /// A visible article by id, whole.
    public func visibleArticle(id: Int, now: Date) async throws -> Article? {
        try await database.read { db in
            let rows = try await db.raw("\(Self.articleColumns) WHERE a.id = \(bind: id) AND \(Self.visible(now))").all()
            return try await Self.articles(from: rows, in: db).first
        }
    }

    /// Whole articles by id, in the order given, those not visible left out (the "most read" and "today" lists).
    public func visibleArticles(ids: [Int], now: Date) async throws -> [Article] {
        guard !ids.isEmpty else { return [] }
        let binds: [any Encodable & Sendable] = ids
        let found = try await database.read { db in
            let rows = try await db.raw("\(Self.articleColumns) WHERE a.id IN (\(binds: binds)) AND \(Self.visible(now))").all()
            return try await Self.articles(from: rows, in: db)
        }
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// The articles the search index matches for `query`: the same index and query syntax as the site search.
    static func matching(_ query: SearchQuery, dialect: Database.Dialect) -> SQLQueryString {
        switch dialect {
        case .sqlite:
            return "a.id IN (SELECT rowid FROM article_search WHERE article_search MATCH \(bind: SearchRepository.fts5(query)))"
        case .postgres:
            return """
                EXISTS (SELECT 1 FROM article_search x WHERE x.article_id = a.id
                    AND x.document @@ to_tsquery('simple', \(bind: SearchRepository.tsquery(query))))
                """
        }
    }
}

/// A section, topic, tag or author as the content API lists it.
public struct ListedTerm: Sendable, Equatable {
    public var id: Int
    public var slug: String
    public var name: String
    /// Sections and topics: their description; authors: their bio.
    public var description: String
    /// How many visible articles it has.
    public var articles: Int
    /// Authors: the public byline title.
    public var role: String
    /// Authors: a portrait's address.
    public var photo: String
}

extension TaxonomyRepository {
    /// Up to `limit` entries of `kind` with at least one visible article and an id above `afterID`, in id order.
    public func listedTerms(_ kind: TaxonomyKind, afterID: Int, limit: Int, now: Date) async throws -> [ListedTerm] {
        let columns: SQLQueryString
        switch kind {
        case .section, .topic: columns = "g.description, '' AS role, '' AS photo"
        case .tag: columns = "'' AS description, '' AS role, '' AS photo"
        case .author: columns = "g.bio AS description, g.role, g.photo"
        }
        let listed = Self.listed(kind, now: now)
        return try await database.read { db in
            try await db.raw(
                """
                SELECT g.id, g.slug, g.name, \(columns), \(Self.visibleCount(kind, now: now)) AS articles FROM \(ident: Self.table(kind)) g
                WHERE g.id > \(bind: afterID) AND \(listed)
                ORDER BY g.id LIMIT \(literal: max(1, limit))
                """
            ).all().map {
                ListedTerm(
                    id: try $0.int("id"), slug: try $0.string("slug"), name: try $0.string("name"),
                    description: try $0.string("description"), articles: try $0.int("articles"), role: try $0.string("role"),
                    photo: try $0.string("photo"))
            }
        }
    }
}

extension TaxonomyRepository {
    /// The number of visible articles of the entry `g` (a correlated count, for a page of entries at a time).
    static func visibleCount(_ kind: TaxonomyKind, now: Date) -> SQLQueryString {
        let visible = ArticleRepository.visible(now)
        switch kind {
        case .section: return "(SELECT COUNT(*) FROM articles a WHERE a.section_id = g.id AND \(visible))"
        case .topic: return "(SELECT COUNT(*) FROM articles a WHERE a.topic_id = g.id AND \(visible))"
        case .tag:
            return "(SELECT COUNT(*) FROM article_tags x JOIN articles a ON a.id = x.article_id WHERE x.tag_id = g.id AND \(visible))"
        case .author:
            return "(SELECT COUNT(*) FROM article_authors x JOIN articles a ON a.id = x.article_id WHERE x.author_id = g.id AND \(visible))"
        }
    }
}
