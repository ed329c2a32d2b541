import Foundation
import SQLKit
import VestnikCore

extension ArticleWriteService {
    /// Runs the article as a live blog from `now`: editors and the chief, or the author who started the article.
    /// Its page then shows the entries and keeps itself up to date; the article's own text stays as it is.
    public func startLive(_ articleID: Int, by writer: ArticleWriter, now: Date) async throws {
        try await liveWrite(articleID, by: writer, now: now, action: "live_started") { db, _ in
            try await db.raw(
                """
                INSERT INTO live_coverage (article_id, started_at) VALUES (\(bind: articleID), \(bind: now.unixSeconds))
                ON CONFLICT (article_id) DO UPDATE SET ended_at = NULL
                """
            ).run()
        }
    }

    /// Ends the coverage (editors and the chief): the page is frozen, with its entries, and takes no more.
    public func endLive(_ articleID: Int, by writer: ArticleWriter, now: Date) async throws {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        try await liveWrite(articleID, by: writer, now: now, action: "live_ended") { db, _ in
            let ended = try await db.raw(
                """
                UPDATE live_coverage SET ended_at = \(bind: now.unixSeconds) WHERE article_id = \(bind: articleID) AND ended_at IS NULL
                RETURNING article_id
                """
            ).first()
            guard ended != nil else { throw InvalidInput("the article has no live coverage running") }
        }
    }

    /// Adds an entry to a running live blog: editors and the chief, and authors (of any live blog: a live desk is
    /// several people). Each entry is a row of its own, so entries posted at once by several people are all kept.
    /// Announces the article's own page (`p<id>`), which is all that shows entries.
    @discardableResult
    public func addLiveEntry(
        to articleID: Int, text: String, pictureHash: String?, isKey: Bool, by writer: ArticleWriter, now: Date
    ) async throws -> LiveEntry {
        guard writer.role >= .author, let userID = writer.userID else { throw ArticleWriteError.notAllowed }
        guard let body = LiveEntry.normalized(text) else {
            throw InvalidInput("an entry needs a text of 1 to \(LiveEntry.maxLength) characters")
        }
        let picture: MediaItem? = try await pictureHash.asyncMap { hash in
            guard let item = try await MediaRepository(database: database).item(hash: hash) else {
                throw ArticleWriteError.missingPicture
            }
            return item
        }
        let entry: LiveEntry = try await database.write { db in
            guard
                try await db.raw(
                    "SELECT 1 AS running FROM live_coverage WHERE article_id = \(bind: articleID) AND ended_at IS NULL"
                ).first() != nil
            else { throw InvalidInput("the article has no live coverage running") }
            let name = try await db.raw("SELECT name FROM users WHERE id = \(bind: userID)").first().map { try $0.string("name") } ?? ""
            let row = try await db.raw(
                """
                INSERT INTO live_entries (article_id, user_id, author_name, text, media_hash, is_key, created_at)
                VALUES (\(bind: articleID), \(bind: userID), \(bind: name), \(bind: body), \(bind: picture?.address.hash),
                    \(bind: isKey ? 1 : 0), \(bind: now.unixSeconds))
                RETURNING id
                """
            ).first()
            return LiveEntry(
                id: try row.map { try $0.int("id") } ?? 0, articleID: articleID, authorName: name, text: body, picture: picture?.address,
                pictureAlt: picture?.alt ?? "", isKey: isKey, at: Date(timeIntervalSince1970: TimeInterval(now.unixSeconds)))
        }
        await database.announce(ContentChange(keys: [CacheKey.articlePage(articleID)]))
        return entry
    }

    /// A change of the coverage itself: the article must exist, the writer may edit it, an audit row goes with it.
    private func liveWrite(
        _ articleID: Int, by writer: ArticleWriter, now: Date, action: String,
        _ change: @escaping @Sendable (any SQLDatabase, String) async throws -> Void
    ) async throws {
        try await database.write { db in
            guard let row = try await db.raw("SELECT title, created_by FROM articles WHERE id = \(bind: articleID)").first() else {
                throw InvalidInput("no article \(articleID)")
            }
            let owner = try row.optionalInt("created_by")
            guard writer.role.editsAnyone || (writer.role >= .author && owner != nil && owner == writer.userID) else {
                throw ArticleWriteError.notAllowed
            }
            let title = try row.string("title")
            try await change(db, title)
            try await Self.audit(userID: writer.userID, action: action, articleID: articleID, title: title, now: now, in: db)
        }
        await database.announce(ContentChange(keys: [CacheKey.articlePage(articleID)]))
    }
}

/// Reads a live blog: its coverage and its entries, newest first.
public struct LiveCoverageRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func coverage(articleID: Int) async throws -> LiveCoverage? {
        try await database.read { db in try await Self.coverage(articleID: articleID, in: db) }
    }

    /// The newest `limit` entries, newest first.
    public func entries(articleID: Int, limit: Int) async throws -> [LiveEntry] {
        try await database.read { db in try await Self.entries(articleID: articleID, limit: limit, in: db) }
    }

    /// The coverage and its newest `limit` entries, or nil when the article is no live blog: in one read.
    public func liveBlog(articleID: Int, limit: Int) async throws -> (coverage: LiveCoverage, entries: [LiveEntry])? {
        try await database.read { db in try await Self.liveBlog(articleID: articleID, limit: limit, in: db) }
    }

    /// `liveBlog` inside a read of the caller's (the article page reads it with its notes).
    static func liveBlog(articleID: Int, limit: Int, in db: any SQLDatabase) async throws -> (coverage: LiveCoverage, entries: [LiveEntry])?
    {
        guard let coverage = try await coverage(articleID: articleID, in: db) else { return nil }
        return (coverage, try await entries(articleID: articleID, limit: limit, in: db))
    }

    static func coverage(articleID: Int, in db: any SQLDatabase) async throws -> LiveCoverage? {
        try await db.raw("SELECT started_at, ended_at FROM live_coverage WHERE article_id = \(bind: articleID)").first().map { row in
            LiveCoverage(
                articleID: articleID, startedAt: try row.date("started_at"),
                endedAt: try row.optionalInt("ended_at").map { Date(timeIntervalSince1970: TimeInterval($0)) })
        }
    }

    static func entries(articleID: Int, limit: Int, in db: any SQLDatabase) async throws -> [LiveEntry] {
        try await db.raw(
            """
            SELECT e.id, e.author_name, e.text, e.is_key, e.created_at, m.hash, m.type, m.alt FROM live_entries e
            LEFT JOIN media m ON m.hash = e.media_hash
            WHERE e.article_id = \(bind: articleID) ORDER BY e.id DESC LIMIT \(literal: limit)
            """
        ).all().map { row in
            var picture: MediaAddress?
            if let hash = try row.decode(column: "hash", as: String?.self), MediaAddress.isHash(hash),
                let type = try row.decode(column: "type", as: String?.self), let format = ImageFormat(rawValue: type)
            {
                picture = MediaAddress(hash: hash, format: format)
            }
            return LiveEntry(
                id: try row.int("id"), articleID: articleID, authorName: try row.string("author_name"), text: try row.string("text"),
                picture: picture, pictureAlt: try row.decode(column: "alt", as: String?.self) ?? "", isKey: try row.flag("is_key"),
                at: try row.date("created_at"))
        }
    }
}
