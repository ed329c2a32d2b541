import Foundation
import SQLKit
import VestnikCore

/// An article's address and dates, as a sitemap lists it.
public struct ArticleLocation: Sendable, Equatable {
    public var id: Int
    public var slug: String
    public var sectionSlug: String
    public var publishedAt: Date
    public var updatedAt: Date

    public init(id: Int, slug: String, sectionSlug: String, publishedAt: Date, updatedAt: Date) {
        self.id = id
        self.slug = slug
        self.sectionSlug = sectionSlug
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt
    }
}

/// A place in the archive's order (oldest first, by publication time, then id): where the next chunk of a long
/// listing starts. Reading on from a key instead of skipping rows keeps every chunk as cheap as the first.
public struct ArchiveKey: Sendable, Equatable {
    public var publishedAt: Date
    public var id: Int

    public init(publishedAt: Date, id: Int) {
        self.publishedAt = publishedAt
        self.id = id
    }
}

/// The archive of visible articles month by month, read in chunks: what the article sitemaps of a site with
/// millions of articles are made of, in constant memory.
extension ArticleRepository {
    /// Every Sofia month with visible articles, newest first, with how many it has.
    ///
    /// Two index lookups per month that has articles (the first article on or after a moment; a count in a range),
    /// so empty stretches of the calendar cost nothing.
    public func archiveMonths(now: Date) async throws -> [(month: ArchiveMonth, count: Int)] {
        try await database.readAside { db in
            var months: [(month: ArchiveMonth, count: Int)] = []
            var from: Int?
            while true {
                let after: SQLQueryString = from.map { " AND a.published_at >= \(bind: $0)" } ?? ""
                guard
                    let first = try await db.raw(
                        """
                        SELECT a.published_at FROM articles a WHERE \(Self.visible(now))\(after)
                        ORDER BY a.published_at LIMIT 1
                        """
                    ).first()
                else { break }
                let month = ArchiveMonth.containing(try first.date("published_at"))
                let count = try await Self.archiveCount(month, now: now, in: db)
                months.append((month, count))
                from = month.end.unixSeconds
            }
            return months.reversed()
        }
    }

    /// How many visible articles `month` has.
    public func archiveCount(_ month: ArchiveMonth, now: Date) async throws -> Int {
        try await database.readAside { db in try await Self.archiveCount(month, now: now, in: db) }
    }

    /// The key of the `offset`-th visible article of `month` (0 is the oldest), to start a later page after it.
    public func archiveKey(_ month: ArchiveMonth, offset: Int, now: Date) async throws -> ArchiveKey? {
        try await database.readAside { db in
            try await db.raw(
                """
                SELECT a.published_at, a.id FROM articles a WHERE \(Self.inMonth(month, now: now))
                ORDER BY a.published_at, a.id LIMIT 1 OFFSET \(literal: max(0, offset))
                """
            ).first().map { ArchiveKey(publishedAt: try $0.date("published_at"), id: try $0.int("id")) }
        }
    }

    /// Up to `limit` visible articles of `month`, oldest first, after `key` (from the start when `nil`).
    public func archive(_ month: ArchiveMonth, after key: ArchiveKey?, limit: Int, now: Date) async throws -> [ArticleLocation] {
        var condition = Self.inMonth(month, now: now)
        if let key {
            // The range bound lets the index skip what came before; the second term orders ties by id.
            let seconds = key.publishedAt.unixSeconds
            condition += " AND a.published_at >= \(bind: seconds) AND (a.published_at > \(bind: seconds) OR a.id > \(bind: key.id))"
        }
        return try await database.readAside { [condition] db in
            try await db.raw(
                """
                SELECT a.id, a.slug, a.published_at, a.updated_at, s.slug AS section_slug
                FROM articles a JOIN sections s ON s.id = a.section_id
                WHERE \(condition) ORDER BY a.published_at, a.id LIMIT \(literal: max(0, limit))
                """
            ).all().map { row in
                ArticleLocation(
                    id: try row.int("id"), slug: try row.string("slug"), sectionSlug: try row.string("section_slug"),
                    publishedAt: try row.date("published_at"), updatedAt: try row.date("updated_at"))
            }
        }
    }

    private static func archiveCount(_ month: ArchiveMonth, now: Date, in db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM articles a WHERE \(inMonth(month, now: now))").first()?.int("n") ?? 0
    }

    private static func inMonth(_ month: ArchiveMonth, now: Date) -> SQLQueryString {
        visible(now) + " AND a.published_at >= \(bind: month.start.unixSeconds) AND a.published_at < \(bind: month.end.unixSeconds)"
    }
}
