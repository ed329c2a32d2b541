import Foundation
import SQLKit
import VestnikCore

/// The addresses of the site a newsroom moved from (WordPress permalinks, `/?p=123`, category and tag archives) and
/// where they lead now, so links out in the world keep working after the move. Asked only for what no page of ours
/// answers, so they never shadow a real page.
public struct LegacyRedirects: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Where an old address leads.
    public enum Target: Sendable, Equatable {
        /// An article, at its current section and slug (only while it is public).
        case article(sectionSlug: String, slug: String)
        case section(String)
        case topic(String)
        case tag(String)
        case author(String)
        /// The site's feed.
        case feed
        /// The home page.
        case home
    }

    /// The stored form of a request's path and query: percent-decoded, lowercased, without a trailing slash; the
    /// query only when it names a WordPress post or page (`?p=123`, `?page_id=12`). Nil for what can never be stored.
    public static func key(path: String, query: String? = nil) -> String? {
        guard path.utf8.count <= 2_000 else { return nil }
        var decoded = (FormURLEncoding.percentDecoded(path) ?? path).lowercased()
        while decoded.count > 1, decoded.hasSuffix("/") { decoded.removeLast() }
        if decoded.isEmpty { decoded = "/" }
        guard decoded.hasPrefix("/"), !decoded.contains("\0") else { return nil }
        if let query, !query.isEmpty {
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, ["p", "page_id"].contains(parts[0]), parts[1].count <= 12, parts[1].allSatisfy(\.isNumber)
                else { continue }
                return "/?\(parts[0])=\(parts[1])"
            }
        }
        return decoded
    }

    /// Where `key` leads now; nil when it is not an old address, or names an article that is not public.
    public func target(_ key: String, now: Date) async throws -> Target? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT r.target, a.slug, a.status, a.published_at, s.slug AS section_slug FROM legacy_redirects r
                    LEFT JOIN articles a ON a.id = r.article_id LEFT JOIN sections s ON s.id = a.section_id
                    WHERE r.path = \(bind: key)
                    """
                ).first()
            else { return nil }
            if let slug = try row.decode(column: "slug", as: String?.self) {
                guard try row.string("status") == ArticleStatus.published.rawValue, try row.int("published_at") <= now.unixSeconds else {
                    return nil
                }
                return .article(sectionSlug: try row.string("section_slug"), slug: slug)
            }
            return try row.decode(column: "target", as: String?.self).flatMap(Self.target(stored:))
        }
    }

    /// Stores old addresses of articles, path → article (inside the import's transaction), in multi-row statements;
    /// an address stored before now leads to the article given.
    static func store(_ paths: [String: Int], in db: any SQLDatabase) async throws {
        let sorted = paths.sorted { $0.key < $1.key }
        for group in Database.rowGroups(sorted.count, largest: 256) {
            var rows: SQLQueryString = ""
            for (offset, entry) in sorted[group].enumerated() {
                rows += (offset == 0 ? "" : ", ") + "(\(bind: entry.key), \(bind: entry.value), NULL)"
            }
            try await db.raw(
                """
                INSERT INTO legacy_redirects (path, article_id, target) VALUES \(rows)
                ON CONFLICT (path) DO UPDATE SET article_id = EXCLUDED.article_id, target = NULL
                """
            ).run()
        }
    }

    /// Stores an old address that leads to a list page or the feed.
    func store(_ key: String, to target: Target) async throws {
        guard let text = Self.stored(target) else { return }
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO legacy_redirects (path, article_id, target) VALUES (\(bind: key), NULL, \(bind: text))
                ON CONFLICT (path) DO NOTHING
                """
            ).run()
        }
    }

    private static func stored(_ target: Target) -> String? {
        switch target {
        case .article: return nil
        case .section(let slug): return "section:" + slug
        case .topic(let slug): return "topic:" + slug
        case .tag(let slug): return "tag:" + slug
        case .author(let slug): return "author:" + slug
        case .feed: return "feed"
        case .home: return "home"
        }
    }

    private static func target(stored text: String) -> Target? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("feed", 1): return .feed
        case ("home", 1): return .home
        case ("section", 2): return .section(parts[1])
        case ("topic", 2): return .topic(parts[1])
        case ("tag", 2): return .tag(parts[1])
        case ("author", 2): return .author(parts[1])
        default: return nil
        }
    }
}
