import Foundation
import SQLKit
import VestnikCore

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    public var userName: String
    /// `published`, `unpublished`, `review`, `draft`, `created`; for the structure `section_created`, `tag_merged` …
    public var action: String
    public var articleID: Int?
    public var title: String
}

/// Text a user typed but has not saved (autosaved every few seconds by the editor), and the audit log of editorial
/// actions. Autosaves never touch the article or its revision number, so they cannot cause conflicts.
public struct DraftKeeping: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Keeps `fields` (the form as typed, opaque to storage) for `userID` on `articleID` (nil: a new article).
    public func autosave(userID: Int, articleID: Int?, fields: String, now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO article_autosaves (user_id, article_key, saved_at, fields)
                VALUES (\(bind: userID), \(bind: articleID ?? 0), \(bind: now.unixSeconds), \(bind: fields))
                ON CONFLICT (user_id, article_key) DO UPDATE SET saved_at = EXCLUDED.saved_at, fields = EXCLUDED.fields
                """
            ).run()
        }
    }

    public func autosaved(userID: Int, articleID: Int?) async throws -> (fields: String, at: Date)? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    "SELECT fields, saved_at FROM article_autosaves WHERE user_id = \(bind: userID) AND article_key = \(bind: articleID ?? 0)"
                ).first()
            else { return nil }
            return (try row.string("fields"), try row.date("saved_at"))
        }
    }

    public func clearAutosave(userID: Int, articleID: Int?) async throws {
        try await database.write { db in try await Self.clearAutosave(userID: userID, articleID: articleID, in: db) }
    }

    static func clearAutosave(userID: Int, articleID: Int?, in db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM article_autosaves WHERE user_id = \(bind: userID) AND article_key = \(bind: articleID ?? 0)").run()
    }

    /// Notes that `userID` has article `articleID` open now.
    public func touch(articleID: Int, userID: Int, now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO article_presence (article_id, user_id, seen_at) VALUES (\(bind: articleID), \(bind: userID), \(bind: now.unixSeconds))
                ON CONFLICT (article_id, user_id) DO UPDATE SET seen_at = EXCLUDED.seen_at
                """
            ).run()
        }
    }

    /// Notes that `userID` closed the article.
    public func leave(articleID: Int, userID: Int) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM article_presence WHERE article_id = \(bind: articleID) AND user_id = \(bind: userID)").run()
        }
    }

    /// The names of the others who had the article open since `since`.
    public func editors(articleID: Int, except userID: Int, since: Date) async throws -> [String] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT u.name FROM article_presence p JOIN users u ON u.id = p.user_id
                WHERE p.article_id = \(bind: articleID) AND p.user_id <> \(bind: userID) AND p.seen_at >= \(bind: since.unixSeconds)
                ORDER BY u.name
                """
            ).all().map { try $0.string("name") }
        }
    }

    /// Notes an action: on an article (`articleID`), or on the site's structure (nil; `title` names what changed).
    public func audit(userID: Int, action: String, articleID: Int?, title: String, now: Date) async throws {
        try await database.write { db in
            try await ArticleWriteService.audit(userID: userID, action: action, articleID: articleID, title: title, now: now, in: db)
        }
    }

    /// The newest entries first.
    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT l.at, l.action, l.article_id, l.title, u.name FROM audit_log l LEFT JOIN users u ON u.id = l.user_id
                ORDER BY l.at DESC, l.id DESC LIMIT \(literal: limit)
                """
            ).all().map { row in
                AuditEntry(
                    at: try row.date("at"), userName: try row.decode(column: "name", as: String?.self) ?? "",
                    action: try row.string("action"), articleID: try row.optionalInt("article_id"), title: try row.string("title"))
            }
        }
    }
}
