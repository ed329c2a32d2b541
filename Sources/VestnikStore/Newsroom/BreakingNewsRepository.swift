import Foundation
import SQLKit
import VestnikCore

/// The breaking-news banner: one row while it is up. Setting and clearing it are for editors and the chief, each
/// with its audit row in the same transaction, then announced as a change of everything (`site`): the banner is on
/// every page, so every cached page (this node's, the other nodes', a shared cache's) is dropped and renders again
/// with it. When its time is up `expireDue` takes it down the same way (the `PublicationScheduler` calls it every second).
public struct BreakingNewsRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The banner shown at `now`, if any.
    public func current(now: Date) async throws -> BreakingNews? {
        try await database.read { db in
            try await db.raw(
                "SELECT text, url, until_at FROM breaking_news WHERE id = 1 AND until_at > \(bind: now.unixSeconds)"
            ).first().map { row in
                BreakingNews(text: try row.string("text"), url: try row.string("url"), until: try row.date("until_at"))
            }
        }
    }

    /// Puts `banner` up (replacing one that is up); throws `ArticleWriteError.notAllowed` below editor and
    /// `InvalidInput` for a banner `BreakingNews.problem` refuses.
    public func set(_ banner: BreakingNews, by writer: ArticleWriter, now: Date) async throws {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        let banner = BreakingNews(
            text: banner.text.trimmingCharacters(in: .whitespacesAndNewlines), url: banner.url, until: banner.until)
        if let problem = BreakingNews.problem(text: banner.text, url: banner.url, until: banner.until, now: now) {
            throw InvalidInput(problem)
        }
        try await database.write { db in
            try await db.raw("DELETE FROM breaking_news WHERE id = 1").run()
            try await db.raw(
                """
                INSERT INTO breaking_news (id, text, url, until_at, set_at, set_by)
                VALUES (1, \(bind: banner.text), \(bind: banner.url), \(bind: banner.until.unixSeconds), \(bind: now.unixSeconds),
                    \(bind: writer.userID))
                """
            ).run()
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "banner_set", articleID: nil, title: banner.text, now: now, in: db)
        }
        await database.announce(.everything)
    }

    /// Takes the banner down now; false when none was up (nothing announced, no audit row).
    @discardableResult
    public func clear(by writer: ArticleWriter, now: Date) async throws -> Bool {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        let cleared = try await database.write { db -> Bool in
            guard let row = try await db.raw("DELETE FROM breaking_news WHERE id = 1 RETURNING text").first() else { return false }
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "banner_cleared", articleID: nil, title: try row.string("text"), now: now, in: db)
            return true
        }
        if cleared { await database.announce(.everything) }
        return cleared
    }

    /// Takes down a banner whose time is up, and announces it; true when this call did (one node wins the delete).
    @discardableResult
    public func expireDue(now: Date) async throws -> Bool {
        // Read first: this runs every second, and a write (even one that deletes nothing) takes SQLite's writer and
        // makes the shared lists read again.
        let due = try await database.read { db in
            try await db.raw("SELECT id FROM breaking_news WHERE until_at <= \(bind: now.unixSeconds)").first() != nil
        }
        guard due else { return false }
        let expired = try await database.write { db in
            try await db.raw("DELETE FROM breaking_news WHERE id = 1 AND until_at <= \(bind: now.unixSeconds) RETURNING id").first() != nil
        }
        if expired { await database.announce(.everything) }
        return expired
    }
}
