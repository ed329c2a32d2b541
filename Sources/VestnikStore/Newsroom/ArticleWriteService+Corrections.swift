import Foundation
import SQLKit
import VestnikCore

extension ArticleWriteService {
    /// Adds a dated correction or clarification to a published article: editors and the chief only, the note and its
    /// audit row (and the `article.updated` webhook deliveries) in one transaction, then the article's own page and the corrections page with its feeds are
    /// announced (`p<id>`, `corrections`): nothing else shows a note. The article's text is not touched (a fixed typo
    /// is a plain `save`); its page's `dateModified` is the newest of its save and its notes.
    @discardableResult
    public func addCorrection(
        to articleID: Int, kind: CorrectionKind, text: String, by writer: ArticleWriter, now: Date
    ) async throws -> Correction {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        guard let note = Correction.normalized(text) else {
            throw InvalidInput("a correction needs a text of 1 to \(Correction.maxLength) characters")
        }
        let id: Int = try await database.write { db in
            guard let row = try await db.raw("SELECT status, title FROM articles WHERE id = \(bind: articleID)").first() else {
                throw InvalidInput("no article \(articleID)")
            }
            guard try row.string("status") == ArticleStatus.published.rawValue else {
                throw InvalidInput("only a published article takes a correction")
            }
            let inserted = try await db.raw(
                """
                INSERT INTO article_corrections (article_id, kind, text, created_at, created_by)
                VALUES (\(bind: articleID), \(bind: kind.rawValue), \(bind: note), \(bind: now.unixSeconds), \(bind: writer.userID))
                RETURNING id
                """
            ).first()
            try await Self.audit(
                userID: writer.userID, action: kind.rawValue, articleID: articleID, title: try row.string("title"), now: now, in: db)
            // The published article changed for its readers: the same event as a saved edit.
            try await WebhookRepository.enqueue([.updated], articleID: articleID, now: now, in: db)
            return try inserted.map { try $0.int("id") } ?? 0
        }
        await database.announce(ContentChange(keys: [CacheKey.articlePage(articleID), CacheKey.corrections]))
        return Correction(
            id: id, articleID: articleID, kind: kind, text: note, at: Date(timeIntervalSince1970: TimeInterval(now.unixSeconds)))
    }
}

/// Reads the corrections: an article's own, for its page and the newsroom, and the newest of the site's visible
/// articles, for `/popravki` and its feeds.
public struct CorrectionRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// An article's notes, oldest first (as they are read at its foot).
    public func corrections(articleID: Int) async throws -> [Correction] {
        try await database.read { db in try await Self.corrections(articleID: articleID, in: db) }
    }

    /// The same inside a read of the caller's (the article page reads its notes with its live coverage).
    static func corrections(articleID: Int, in db: any SQLDatabase) async throws -> [Correction] {
        try await db.raw(
            """
            SELECT id, article_id, kind, text, created_at FROM article_corrections WHERE article_id = \(bind: articleID)
            ORDER BY created_at, id
            """
        ).all().map(Self.correction)
    }

    /// The newest notes on articles a reader can see, newest first.
    public func latest(limit: Int, now: Date) async throws -> [ListedCorrection] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT c.id AS correction_id, c.article_id, c.kind, c.text, c.created_at, q.* FROM article_corrections c
                JOIN (\(ArticleRepository.summaryColumns) WHERE \(ArticleRepository.visible(now))) q ON q.id = c.article_id
                ORDER BY c.created_at DESC, c.id DESC LIMIT \(literal: limit)
                """
            ).all().map { row in
                ListedCorrection(
                    correction: Correction(
                        id: try row.int("correction_id"), articleID: try row.int("article_id"),
                        kind: CorrectionKind(rawValue: try row.string("kind")) ?? .correction, text: try row.string("text"),
                        at: try row.date("created_at")),
                    article: try ArticleRepository.summary(row))
            }
        }
    }

    static func correction(_ row: any SQLRow) throws -> Correction {
        Correction(
            id: try row.int("id"), articleID: try row.int("article_id"),
            kind: CorrectionKind(rawValue: try row.string("kind")) ?? .correction, text: try row.string("text"),
            at: try row.date("created_at"))
    }
}
