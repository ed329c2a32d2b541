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

    public init(status: ArticleStatus? = nil, sectionID: Int? = nil, authorID: Int? = nil, ids: [Int]? = nil) {
        self.status = status
        self.sectionID = sectionID
        self.authorID = authorID
        self.ids = ids
    }
}

/// Where a page of the newsroom list starts: just after the article last changed at `updatedAt` with `id`.
/// Keyset pagination costs the same on the 5,000th page as on the first.
public struct NewsroomCursor: Sendable, Equatable {
    public var updatedAt: Int
    public var id: Int

    public init(updatedAt: Int, id: Int) {
        self.updatedAt = updatedAt
        self.id = id
    }

    /// `1795600800-42`
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts.allSatisfy({ $0.count <= 12 }), let t = Int(parts[0]), let i = Int(parts[1]) else { return nil }
        self.init(updatedAt: t, id: i)
    }

    public var text: String { "\(updatedAt)-\(id)" }
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
}

/// A save based on a revision that is no longer the latest: the latest is returned so both can be shown.
public struct EditorialConflict: Sendable, Equatable {
    public var current: ArticleInput
    public var revision: Int
    public var byName: String
    public var at: Date
}

public struct RevisionInfo: Sendable, Equatable {
    public var number: Int
    public var userName: String
    public var at: Date
    public var status: ArticleStatus
}

/// The newsroom's side of articles: saves as numbered revisions (with conflict detection), the editor's view of
/// an article, and the article list. Every save goes through `ArticleRepository.save`, which keeps the search index
/// and the "Още:" lists in step.
public struct EditorialRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public enum SaveOutcome: Sendable, Equatable {
        case saved(id: Int, revision: Int)
        case conflict(EditorialConflict)
    }

    /// Saves `draft` as a new revision of article `articleID` (or a new article), if `baseRevision` is still the
    /// latest. Two saves based on the same revision race for the next revision number; a unique key lets only one
    /// win, so nothing is ever overwritten silently.
    public func save(_ draft: ArticleInput, articleID: Int?, baseRevision: Int, userID: Int, now: Date) async throws -> SaveOutcome {
        let articles = ArticleRepository(database: database)
        guard let articleID else {
            var input = draft
            if draft.status != .scheduled { input.publishedAt = now }
            try ArticleRepository.validate(input)
            let taken = try await articles.article(slug: draft.slug) != nil
            let formerly = try await articles.currentSlug(forOldSlug: draft.slug) != nil
            if taken || formerly {
                throw InvalidInput("the slug „\(draft.slug)“ is taken")
            }
            let id = try await articles.save(input, now: now).id
            let snapshot = String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
            try await database.write { db in
                try await db.raw("UPDATE articles SET created_by = \(bind: userID) WHERE id = \(bind: id)").run()
                try await Self.insertRevision(articleID: id, number: 1, userID: userID, snapshot: snapshot, now: now, in: db)
            }
            return .saved(id: id, revision: 1)
        }
        guard let current = try await article(id: articleID) else { throw InvalidInput("no article \(articleID)") }
        let wasPublished = current.draft.status == .published
        var input = draft
        // The publication time is set when an article is first published and kept after that.
        if draft.status == .scheduled {
            input.publishedAt = draft.publishedAt
        } else {
            input.publishedAt = draft.status == .published && !wasPublished ? now : current.publishedAt
        }
        try ArticleRepository.validate(input)
        if draft.slug != current.draft.slug, try await articles.article(slug: draft.slug) != nil {
            throw InvalidInput("the slug „\(draft.slug)“ is taken")
        }
        let snapshot = String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
        let claimed: Int? = try await database.write { db in
            let latest = try await Self.latestRevision(articleID: articleID, in: db)
            guard latest == baseRevision else { return nil }
            try await Self.insertRevision(articleID: articleID, number: latest + 1, userID: userID, snapshot: snapshot, now: now, in: db)
            return latest + 1
        }
        guard let claimed else {
            let latest = try await database.read { db in
                try await db.raw(
                    """
                    SELECT r.number, r.created_at, r.snapshot, u.name FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
                    WHERE r.article_id = \(bind: articleID) ORDER BY r.number DESC LIMIT 1
                    """
                ).first()
            }
            guard let latest else { throw InvalidInput("no revision of article \(articleID)") }
            let latestDraft = try JSONDecoder().decode(ArticleInput.self, from: Data(try latest.string("snapshot").utf8))
            return .conflict(
                EditorialConflict(
                    current: latestDraft, revision: try latest.int("number"),
                    byName: try latest.decode(column: "name", as: String?.self) ?? "", at: try latest.date("created_at")))
        }
        if draft.slug != current.draft.slug { try await articles.changeSlug(articleID: articleID, to: draft.slug) }
        _ = try await articles.save(input, now: now)
        return .saved(id: articleID, revision: claimed)
    }

    /// The article as the editor shows it.
    public func article(id: Int) async throws -> EditableArticle? {
        let found = try await database.read { db -> (String, Int?, Int, FeaturedImage?)? in
            guard
                let row = try await db.raw(
                    "SELECT slug, created_by, featured_media, featured_caption, featured_credit FROM articles WHERE id = \(bind: id)"
                ).first()
            else { return nil }
            // The article's own caption and credit, as typed: empty still means "the library's".
            let featured = try row.decode(column: "featured_media", as: String?.self).map {
                FeaturedImage(media: $0, caption: try row.string("featured_caption"), credit: try row.string("featured_credit"))
            }
            return (
                try row.string("slug"), try row.optionalInt("created_by"), try await Self.latestRevision(articleID: id, in: db), featured
            )
        }
        guard let (slug, owner, revision, featured) = found,
            let article = try await ArticleRepository(database: database).article(slug: slug)
        else { return nil }
        let draft = ArticleInput(
            slug: article.slug, kicker: article.kicker, title: article.title, lead: article.lead, bodyHTML: article.bodyHTML,
            section: article.section.name, topic: article.topic?.name, tags: article.tags.map(\.name),
            authors: article.authors.map { .init(name: $0.name, role: $0.role.isEmpty ? nil : $0.role) }, sources: article.sources,
            media: article.media, status: article.status, publishedAt: article.publishedAt, featuredImage: featured)
        return EditableArticle(
            id: id, draft: draft, revision: revision, ownerID: owner, sectionSlug: article.section.slug,
            publishedAt: article.publishedAt)
    }

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
    public func list(_ filter: NewsroomListFilter, after cursor: NewsroomCursor?, limit: Int) async throws
        -> (rows: [NewsroomArticleRow], next: NewsroomCursor?)
    {
        var condition: SQLQueryString = "1 = 1"
        if let status = filter.status { condition += " AND a.status = \(bind: status.rawValue)" }
        if let section = filter.sectionID { condition += " AND a.section_id = \(bind: section)" }
        if let author = filter.authorID {
            condition += " AND EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = \(bind: author))"
        }
        if let ids = filter.ids {
            if ids.isEmpty { return ([], nil) }
            let values: [any Encodable & Sendable] = ids
            condition += " AND a.id IN (\(binds: values))"
        }
        if let cursor {
            condition += """
                 AND (a.updated_at < \(bind: cursor.updatedAt) OR (a.updated_at = \(bind: cursor.updatedAt) AND a.id < \(bind: cursor.id)))
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
        return (Array(rows.prefix(limit)), NewsroomCursor(updatedAt: last.updatedAt.unixSeconds, id: last.id))
    }

    static func latestRevision(articleID: Int, in db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT MAX(number) AS n FROM article_revisions WHERE article_id = \(bind: articleID)").first()?
            .optionalInt("n") ?? 0
    }

    static func insertRevision(articleID: Int, number: Int, userID: Int, snapshot: String, now: Date, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO article_revisions (article_id, number, user_id, created_at, snapshot)
            VALUES (\(bind: articleID), \(bind: number), \(bind: userID), \(bind: now.unixSeconds), \(bind: snapshot))
            """
        ).run()
    }
}
