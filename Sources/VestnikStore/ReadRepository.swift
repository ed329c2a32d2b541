import Foundation
import SQLKit
import VestnikCore

/// Reads of one article within one UTC hour that a node has counted and not yet written.
public struct ReadIncrement: Sendable, Hashable {
    public var articleID: Int
    /// The start of a UTC hour.
    public var hour: Date
    public var count: Int

    public init(articleID: Int, hour: Date, count: Int) {
        self.articleID = articleID
        self.hour = hour
        self.count = count
    }

    /// The start of the UTC hour that holds `date`: the bucket a read at `date` belongs to.
    public static func hour(containing date: Date) -> Date {
        let seconds = date.unixSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds - ((seconds % 3600) + 3600) % 3600))
    }
}

/// An article of a "most read" list, with its reads within the list's window.
public struct MostReadArticle: Sendable, Equatable {
    public var summary: ArticleSummary
    public var reads: Int

    public init(summary: ArticleSummary, reads: Int) {
        self.summary = summary
        self.reads = reads
    }
}

/// The reads of one article in one UTC hour.
public struct HourlyReads: Sendable, Equatable {
    public var hour: Date
    public var count: Int

    public init(hour: Date, count: Int) {
        self.hour = hour
        self.count = count
    }
}

/// Read counts: the running total in `articles.reads` and the hourly buckets behind "most read" and the charts.
///
/// Totals are only ever added to (`reads = reads + n`), never read, changed and written back, so any number of
/// nodes may flush their own counts into one database and the totals stay exact sums.
public struct ReadRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Adds a batch of counted reads in one transaction: one `UPDATE` per article and one upsert per article and
    /// hour. Rows are touched in ascending order so that nodes flushing at the same moment cannot deadlock. Reads of
    /// an article deleted in the meantime are dropped.
    public func add(_ increments: [ReadIncrement]) async throws {
        var perArticle: [Int: Int] = [:]
        var perHour: [ReadBucket: Int] = [:]
        for increment in increments where increment.count > 0 {
            perArticle[increment.articleID, default: 0] += increment.count
            perHour[ReadBucket(articleID: increment.articleID, hour: increment.hour.unixSeconds), default: 0] += increment.count
        }
        guard !perArticle.isEmpty else { return }
        let articles = perArticle.sorted { $0.key < $1.key }
        let hours = perHour.sorted { $0.key < $1.key }
        try await database.write { db in
            for (articleID, count) in articles {
                try await db.raw("UPDATE articles SET reads = reads + \(bind: count) WHERE id = \(bind: articleID)").run()
            }
            for (bucket, count) in hours {
                try await db.raw(
                    """
                    INSERT INTO article_reads_hourly (article_id, hour, count)
                    SELECT id, \(bind: bucket.hour), \(bind: count) FROM articles WHERE id = \(bind: bucket.articleID)
                    ON CONFLICT (article_id, hour) DO UPDATE SET count = article_reads_hourly.count + excluded.count
                    """
                ).run()
            }
        }
    }

    /// The reads stored for an article (what every node has flushed), or nil for no such article.
    public func stored(articleID: Int) async throws -> Int? {
        try await database.read { db in
            try await db.raw("SELECT reads FROM articles WHERE id = \(bind: articleID)").first()?.decode(column: "reads", as: Int.self)
        }
    }

    /// The visible articles read most since `since` (counted by whole hours: the hour holding `since` is in),
    /// most reads first.
    public func mostRead(since: Date, limit: Int, now: Date) async throws -> [MostReadArticle] {
        let from = ReadIncrement.hour(containing: since).unixSeconds
        return try await database.read { db in
            try await db.raw(
                """
                SELECT a.id, a.slug, a.kicker, a.title, a.lead, a.has_video, a.has_gallery, a.published_at, a.reads,
                    s.slug AS section_slug, s.name AS section_name, r.n AS window_reads, \(ArticleRepository.summaryPicture)
                FROM (SELECT article_id, CAST(SUM(count) AS BIGINT) AS n FROM article_reads_hourly
                      WHERE hour >= \(bind: from) GROUP BY article_id) r
                JOIN articles a ON a.id = r.article_id JOIN sections s ON s.id = a.section_id \(ArticleRepository.summaryPictureJoin)
                WHERE \(ArticleRepository.visible(now)) AND r.n > 0
                ORDER BY r.n DESC, a.published_at DESC, a.id DESC LIMIT \(literal: max(1, limit))
                """
            ).all().map { row in MostReadArticle(summary: try ArticleRepository.summary(row), reads: try row.int("window_reads")) }
        }
    }

    /// The hourly counts of one article from the hour holding `from` through the hour holding `through`, oldest
    /// first; hours without reads are left out.
    public func hourly(articleID: Int, from: Date, through: Date) async throws -> [HourlyReads] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT hour, count FROM article_reads_hourly
                WHERE article_id = \(bind: articleID) AND hour >= \(bind: ReadIncrement.hour(containing: from).unixSeconds)
                    AND hour <= \(bind: ReadIncrement.hour(containing: through).unixSeconds)
                ORDER BY hour
                """
            ).all().map { HourlyReads(hour: try $0.date("hour"), count: try $0.int("count")) }
        }
    }
}

/// One row of `article_reads_hourly`, ordered as rows are locked.
private struct ReadBucket: Hashable, Comparable {
    var articleID: Int
    var hour: Int

    static func < (lhs: ReadBucket, rhs: ReadBucket) -> Bool {
        (lhs.articleID, lhs.hour) < (rhs.articleID, rhs.hour)
    }
}
