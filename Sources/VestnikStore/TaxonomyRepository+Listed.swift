import Foundation
import SQLKit
import VestnikCore

/// The kinds of list page a site has besides its home page.
public enum TaxonomyKind: String, Sendable, CaseIterable {
    case section, topic, tag, author
}

/// A section, topic, tag or author page, as a sitemap lists it.
public struct TaxonomyLocation: Sendable, Equatable {
    public var id: Int
    public var slug: String

    public init(id: Int, slug: String) {
        self.id = id
        self.slug = slug
    }
}

/// The list pages worth listing for machines: those with at least one visible article, in id order, read in
/// chunks from a key so that a site with a million tags needs no more memory than one with ten.
extension TaxonomyRepository {
    /// How many pages of `kind` have a visible article.
    public func listedCount(_ kind: TaxonomyKind, now: Date) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM \(ident: Self.table(kind)) g WHERE \(Self.listed(kind, now: now))")
                .first()?.int("n") ?? 0
        }
    }

    /// The id of the `offset`-th listed page of `kind` (0 is the first), to start a later page after it.
    public func listedKey(_ kind: TaxonomyKind, offset: Int, now: Date) async throws -> Int? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT g.id FROM \(ident: Self.table(kind)) g WHERE \(Self.listed(kind, now: now))
                ORDER BY g.id LIMIT 1 OFFSET \(literal: max(0, offset))
                """
            ).first()?.int("id")
        }
    }

    /// Up to `limit` listed pages of `kind` with an id above `afterID`, in id order.
    public func listed(_ kind: TaxonomyKind, afterID: Int, limit: Int, now: Date) async throws -> [TaxonomyLocation] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT g.id, g.slug FROM \(ident: Self.table(kind)) g
                WHERE g.id > \(bind: afterID) AND \(Self.listed(kind, now: now))
                ORDER BY g.id LIMIT \(literal: max(0, limit))
                """
            ).all().map { TaxonomyLocation(id: try $0.int("id"), slug: try $0.string("slug")) }
        }
    }

    static func table(_ kind: TaxonomyKind) -> String {
        switch kind {
        case .section: return "sections"
        case .topic: return "topics"
        case .tag: return "tags"
        case .author: return "authors"
        }
    }

    /// The page of `g` has a visible article (each probe is an index lookup that stops at the first hit).
    static func listed(_ kind: TaxonomyKind, now: Date) -> SQLQueryString {
        let visible = ArticleRepository.visible(now)
        switch kind {
        case .section: return "EXISTS (SELECT 1 FROM articles a WHERE a.section_id = g.id AND \(visible))"
        case .topic: return "EXISTS (SELECT 1 FROM articles a WHERE a.topic_id = g.id AND \(visible))"
        case .tag:
            return "EXISTS (SELECT 1 FROM article_tags x JOIN articles a ON a.id = x.article_id WHERE x.tag_id = g.id AND \(visible))"
        case .author:
            return """
                EXISTS (SELECT 1 FROM article_authors x JOIN articles a ON a.id = x.article_id
                    WHERE x.author_id = g.id AND \(visible))
                """
        }
    }
}
