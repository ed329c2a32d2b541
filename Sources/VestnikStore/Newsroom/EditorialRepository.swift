import Foundation
import SQLKit
import VestnikCore

/// One line of the newsroom's article list.
public struct NewsroomArticleRow: Sendable, Equatable {
    public var id: Int
    public var slug: String
    public var kicker: String
    public var title: String
    public var status: ArticleStatus
    public var sectionName: String
    public var sectionSlug: String
    public var updatedAt: Date
    public var ownerID: Int?
    public var ownerName: String?
}

/// What the newsroom list shows; every part optional.
public struct NewsroomListFilter: Sendable, Equatable {
    public var status: ArticleStatus?
    public var sectionID: Int?
    public var authorID: Int?
    /// Only these articles (the matches of a text search).
    public var ids: [Int]?
    /// For a user who may not open others' articles: only what they started, and what is published anyway. Others'
    /// drafts and embargoed stories are not theirs to see, not even by title.
    public var visibleTo: Int?

    public init(status: ArticleStatus? = nil, sectionID: Int? = nil, authorID: Int? = nil, ids: [Int]? = nil, visibleTo: Int? = nil) {
        self.status = status
        self.sectionID = sectionID
        self.authorID = authorID
        self.ids = ids
        self.visibleTo = visibleTo
    }
}

/// An article opened in the editor: what the form shows and the revision it is based on.
public struct EditableArticle: Sendable, Equatable {
    public var id: Int
    public var draft: ArticleInput
    /// The latest revision number; a save must be based on it.
    public var revision: Int
    public var ownerID: Int?
    public var sectionSlug: String
    public var publishedAt: Date
    /// When an editor last marked it updated ("Обновена" on its page); nil: never.
    public var modifiedAt: Date? = nil
}

/// A save based on a revision that is no longer the latest: the latest is returned so both can be shown.
public struct EditorialConflict: Sendable, Equatable {
    public var current: ArticleInput
    public var revision: Int
    public var byName: String
    public var at: Date
    /// When the save was merged with the newer revision (`ArticleWriteService.save(mergingStale:)`): the merged draft,
    /// with the writer's own version where both changed a field, and the fields where they did.
    public var merged: ArticleInput? = nil
    public var clashes: [ArticleField] = []
}

public struct RevisionInfo: Sendable, Equatable {
    public var number: Int
    public var userName: String
    public var at: Date
    public var status: ArticleStatus
}

/// The newsroom's reads of articles: the editor's view of an article, its numbered revisions, and the article list.
/// Saves go through `ArticleWriteService`.
public struct EditorialRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The latest revision of an article, as a save that was based on an older one meets it.
    public func latest(articleID: Int) async throws -> EditorialConflict? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT r.number, r.created_at, r.snapshot, u.name FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
                    WHERE r.article_id = \(bind: articleID) ORDER BY r.number DESC LIMIT 1
                    """
                ).first()
            else { return nil }
            return EditorialConflict(
                current: try JSONDecoder().decode(ArticleInput.self, from: Data(try row.string("snapshot").utf8)),
                revision: try row.int("number"), byName: try row.decode(column: "name", as: String?.self) ?? "",
                at: try row.date("created_at"))
        }
    }

    /// The article as the editor shows it.
    public func article(id: Int) async throws -> EditableArticle? {
        let found = try await database.read { db -> (String, Int?, Int, FeaturedImage?, String?)? in
            guard
                let row = try await db.raw(
                    """
                    SELECT slug, created_by, featured_media, featured_caption, featured_credit, social_media FROM articles
                    WHERE id = \(bind: id)
                    """
                ).first()
            else { return nil }
            // The article's own caption and credit, as typed: empty still means "the library's".
            let featured = try row.decode(column: "featured_media", as: String?.self).map {
                FeaturedImage(media: $0, caption: try row.string("featured_caption"), credit: try row.string("featured_credit"))
            }
            return (
                try row.string("slug"), try row.optionalInt("created_by"), try await Self.latestRevision(articleID: id, in: db), featured,
                try row.decode(column: "social_media", as: String?.self)
            )
        }
        guard let (slug, owner, revision, featured, socialImage) = found,
            let article = try await ArticleRepository(database: database).article(slug: slug)
        else { return nil }
        let draft = ArticleInput(
            slug: article.slug, kicker: article.kicker, title: article.title, lead: article.lead, bodyHTML: article.bodyHTML,
            section: article.section.name, topic: article.topic?.name, tags: article.tags.map(\.name),
            authors: article.authors.map { .init(name: $0.name, role: $0.role.isEmpty ? nil : $0.role) }, sources: article.sources,
            media: article.media, status: article.status, publishedAt: article.publishedAt, featuredImage: featured,
            more: article.more, seoTitle: Self.given(article.seo.title), seoDescription: Self.given(article.seo.description),
            socialTitle: Self.given(article.seo.socialTitle), socialDescription: Self.given(article.seo.socialDescription),
            socialImage: socialImage)
        return EditableArticle(
            id: id, draft: draft, revision: revision, ownerID: owner, sectionSlug: article.section.slug,
            publishedAt: article.publishedAt, modifiedAt: article.isMarkedUpdated ? article.modifiedAt : nil)
    }

    /// A stored optional text: nil when empty (as the form and the importers give it).
    static func given(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// One stored revision: its content and who saved it when.
    public func revision(articleID: Int, number: Int) async throws -> (input: ArticleInput, info: RevisionInfo)? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT r.number, r.created_at, r.snapshot, u.name FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
                    WHERE r.article_id = \(bind: articleID) AND r.number = \(bind: number)
                    """
                ).first()
            else { return nil }
            let input = try JSONDecoder().decode(ArticleInput.self, from: Data(try row.string("snapshot").utf8))
            return (
                input,
                RevisionInfo(
                    number: number, userName: try row.decode(column: "name", as: String?.self) ?? "", at: try row.date("created_at"),
                    status: input.status)
            )
        }
    }

    public func revisions(articleID: Int) async throws -> [RevisionInfo] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT r.number, r.created_at, r.snapshot, u.name FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
                WHERE r.article_id = \(bind: articleID) ORDER BY r.number DESC LIMIT 100
                """
            ).all().map { row in
                let draft = try? JSONDecoder().decode(ArticleInput.self, from: Data(try row.string("snapshot").utf8))
                return RevisionInfo(
                    number: try row.int("number"), userName: try row.decode(column: "name", as: String?.self) ?? "",
                    at: try row.date("created_at"), status: draft?.status ?? .draft)
            }
        }
    }

    /// A page of the newsroom list, most recently changed first, and the cursor of the next page if there is one.
    public func list(
        _ filter: NewsroomListFilter, after cursor: NewsroomCursor?, limit: Int
    ) async throws
        -> (rows: [NewsroomArticleRow], next: NewsroomCursor?)
    {
        var condition: SQLQueryString = "1 = 1"
        if let status = filter.status { condition += " AND a.status = \(bind: status.rawValue)" }
        if let section = filter.sectionID { condition += " AND a.section_id = \(bind: section)" }
        if let author = filter.authorID {
            condition += " AND EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = \(bind: author))"
        }
        if let user = filter.visibleTo {
            condition += " AND (a.created_by = \(bind: user) OR a.status = \(bind: ArticleStatus.published.rawValue))"
        }
        if let ids = filter.ids {
            if ids.isEmpty { return ([], nil) }
            let values: [any Encodable & Sendable] = ids
            condition += " AND a.id IN (\(binds: values))"
        }
        if let cursor {
            condition += """
                 AND (a.updated_at < \(bind: cursor.time) OR (a.updated_at = \(bind: cursor.time) AND a.id < \(bind: cursor.key)))
                """
        }
        let query = condition
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT a.id, a.slug, a.kicker, a.title, a.status, a.updated_at, a.created_by, s.name AS section_name,
                    s.slug AS section_slug, u.name AS owner_name
                FROM articles a JOIN sections s ON s.id = a.section_id LEFT JOIN users u ON u.id = a.created_by
                WHERE \(query) ORDER BY a.updated_at DESC, a.id DESC LIMIT \(literal: limit + 1)
                """
            ).all().map { row in
                NewsroomArticleRow(
                    id: try row.int("id"), slug: try row.string("slug"), kicker: try row.string("kicker"),
                    title: try row.string("title"), status: ArticleStatus(rawValue: try row.string("status")) ?? .draft,
                    sectionName: try row.string("section_name"), sectionSlug: try row.string("section_slug"),
                    updatedAt: try row.date("updated_at"), ownerID: try row.optionalInt("created_by"),
                    ownerName: try row.decode(column: "owner_name", as: String?.self))
            }
        }
        guard rows.count > limit, let last = rows.prefix(limit).last else { return (rows, nil) }
        return (Array(rows.prefix(limit)), NewsroomCursor(time: last.updatedAt.unixSeconds, key: last.id))
    }

    static func latestRevision(articleID: Int, in db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT MAX(number) AS n FROM article_revisions WHERE article_id = \(bind: articleID)").first()?
            .optionalInt("n") ?? 0
    }

    static func insertRevision(articleID: Int, number: Int, userID: Int?, snapshot: String, now: Date, in db: any SQLDatabase) async throws
    {
        try await db.raw(
            """
            INSERT INTO article_revisions (article_id, number, user_id, created_at, snapshot)
            VALUES (\(bind: articleID), \(bind: number), \(bind: userID), \(bind: now.unixSeconds), \(bind: snapshot))
            """
        ).run()
    }
}
