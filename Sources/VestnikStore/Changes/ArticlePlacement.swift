import Foundation
import SQLKit
import VestnikCore

/// Where an article stands on the public site: whether it is out, when, and in which lists. Comparing it before
/// and after a write tells which pages must change: an edited text changes the pages showing the article; a new
/// section, tag or publication time changes the lists too.
struct ArticlePlacement: Equatable {
    var status: String
    var publishedAt: Int
    var sectionID: Int
    var topicID: Int?
    var tagIDs: [Int]
    var authorIDs: [Int]

    var isPublic: Bool { status == ArticleStatus.published.rawValue }

    /// The keys of every list the article is in.
    var listKeys: Set<String> {
        var keys: Set<String> = [CacheKey.latest, CacheKey.section(sectionID)]
        if let topicID { keys.insert(CacheKey.topic(topicID)) }
        keys.formUnion(tagIDs.map(CacheKey.tag))
        keys.formUnion(authorIDs.map(CacheKey.author))
        return keys
    }

    static func of(articleID: Int, in db: any SQLDatabase) async throws -> ArticlePlacement? {
        guard
            let row = try await db.raw(
                "SELECT status, published_at, section_id, topic_id FROM articles WHERE id = \(bind: articleID)"
            ).first()
        else { return nil }
        let tags = try await db.raw(
            "SELECT tag_id FROM article_tags WHERE article_id = \(bind: articleID) ORDER BY position"
        ).all().map { try $0.int("tag_id") }
        let authors = try await db.raw(
            "SELECT author_id FROM article_authors WHERE article_id = \(bind: articleID) ORDER BY position"
        ).all().map { try $0.int("author_id") }
        return ArticlePlacement(
            status: try row.string("status"), publishedAt: try row.int("published_at"), sectionID: try row.int("section_id"),
            topicID: try row.optionalInt("topic_id"), tagIDs: tags, authorIDs: authors)
    }

    /// What public pages a write that moved an article from `before` to `after` changed. Nothing, while it was
    /// never public (drafts, articles in review); its pages and the lists of both places when it moved.
    static func change(articleID: Int, before: ArticlePlacement?, after: ArticlePlacement?) -> ContentChange {
        guard before?.isPublic == true || after?.isPublic == true else { return ContentChange(keys: []) }
        var keys: Set<String> = [CacheKey.article(articleID), CacheKey.articlePage(articleID)]
        if before != after {
            keys.formUnion(before?.listKeys ?? [])
            keys.formUnion(after?.listKeys ?? [])
        }
        return ContentChange(keys: keys)
    }
}
