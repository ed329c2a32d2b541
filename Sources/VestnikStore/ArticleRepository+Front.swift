import Foundation
import SQLKit
import VestnikCore

/// The home page's lists in one query.
extension ArticleRepository {
    /// What the home page shows: the newest `latest` visible articles, and the newest `perSection` of each of
    /// `sections` (by id), each list newest first; a section with nothing visible has an empty list.
    ///
    /// One statement of `UNION ALL`ed branches, each an index range scan of `articles_status_published` or
    /// `articles_section_published` that stops after its few rows, so it costs the same over 1,000 or 1,000,000
    /// articles (a page of `list(_:page:now:)` also counts the whole list, which the home page does not need).
    public func front(
        latest: Int, sections: [Int], perSection: Int, now: Date
    ) async throws
        -> (latest: [ArticleSummary], sections: [Int: [ArticleSummary]])
    {
        var branches: [SQLQueryString] = [Self.frontBranch(group: 0, filter: .all, limit: latest, now: now)]
        for id in sections {
            branches.append(Self.frontBranch(group: id, filter: .section(id), limit: perSection, now: now))
        }
        var query: SQLQueryString = ""
        for (index, branch) in branches.enumerated() {
            if index > 0 { query += " UNION ALL " }
            query += branch
        }
        let statement = query
        let rows = try await database.read { db in try await db.raw(statement).all() }
        var groups: [Int: [(summary: ArticleSummary, order: Int)]] = [:]
        for (order, row) in rows.enumerated() {
            groups[try row.int("front_group"), default: []].append((try Self.summary(row), order))
        }
        // UNION ALL keeps each branch's order in practice, but no standard promises it: sort again.
        func sorted(_ group: Int) -> [ArticleSummary] {
            (groups[group] ?? []).sorted { a, b in
                (a.summary.publishedAt, a.summary.id) > (b.summary.publishedAt, b.summary.id)
            }.map(\.summary)
        }
        var bySection: [Int: [ArticleSummary]] = [:]
        for id in sections { bySection[id] = sorted(id) }
        return (sorted(0), bySection)
    }

    /// One branch: `SELECT * FROM (<summary columns> … LIMIT n) AS fN` with its group number in `front_group`.
    static func frontBranch(group: Int, filter: ArticleFilter, limit: Int, now: Date) -> SQLQueryString {
        let condition = visible(now) + self.condition(filter)
        return """
            SELECT * FROM (SELECT \(literal: group) AS front_group, q.* FROM (\(summaryColumns) WHERE \(condition)
                ORDER BY a.published_at DESC, a.id DESC LIMIT \(literal: max(0, limit))) AS q) AS f\(unsafeRaw: String(group))
            """
    }
}
