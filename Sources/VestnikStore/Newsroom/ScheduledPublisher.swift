import Foundation
import SQLKit
import VestnikCore

/// Publishes scheduled articles whose time has come. Every node may run it; each article is claimed by a conditional
/// update (`status = 'scheduled'` → `'published'`) that only one transaction can win, so exactly one node publishes
/// it and does the follow-up work ("Още:" lists, audit log).
public struct ScheduledPublisher: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Publishes what is due at `now` (overdue ones too, e.g. after a restart); returns the ids this call published.
    @discardableResult
    public func publishDue(now: Date, limit: Int = 100) async throws -> [Int] {
        let due = try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM articles WHERE status = \(bind: ArticleStatus.scheduled.rawValue)
                    AND published_at <= \(bind: now.unixSeconds) ORDER BY published_at, id LIMIT \(literal: limit)
                """
            ).all().map { try $0.int("id") }
        }
        var published: [Int] = []
        for id in due {
            let claimed = try await database.write { db -> ContentChange? in
                let before = try await ArticlePlacement.of(articleID: id, in: db)
                guard
                    let row = try await db.raw(
                        """
                        UPDATE articles SET status = \(bind: ArticleStatus.published.rawValue), updated_at = \(bind: now.unixSeconds)
                        WHERE id = \(bind: id) AND status = \(bind: ArticleStatus.scheduled.rawValue) RETURNING title
                        """
                    ).first()
                else { return nil }
                let title = try row.string("title")
                try await db.raw(
                    """
                    INSERT INTO audit_log (at, user_id, action, article_id, title)
                    VALUES (\(bind: now.unixSeconds), NULL, \(bind: ArticleStatus.published.rawValue), \(bind: id), \(bind: title))
                    """
                ).run()
                let after = try await ArticlePlacement.of(articleID: id, in: db)
                return ArticlePlacement.change(articleID: id, before: before, after: after)
            }
            guard let claimed else { continue }
            await database.announce(claimed)
            try await RelatedArticles(database: database).refresh(after: id, now: now)
            published.append(id)
        }
        return published
    }
}
