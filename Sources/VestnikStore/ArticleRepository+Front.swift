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
    static func frontBranch(group: Int, filter: ArticleFilter, limit: Int, now: Date, extra: SQLQueryString = "") -> SQLQueryString {
        let condition = visible(now) + self.condition(filter) + extra
        return """
            SELECT * FROM (SELECT \(literal: group) AS front_group, q.* FROM (\(summaryColumns) WHERE \(condition)
                ORDER BY a.published_at DESC, a.id DESC LIMIT \(literal: max(0, limit))) AS q) AS f\(unsafeRaw: String(group))
            """
    }
}

/// One list a front zone's rule asks for: the newest visible articles of `filter`, published after `since` if set.
public struct FrontListQuery: Sendable, Equatable {
    public var filter: ArticleFilter
    public var since: Date?
    public var limit: Int

    public init(filter: ArticleFilter, since: Date? = nil, limit: Int) {
        self.filter = filter
        self.since = since
        self.limit = limit
    }
}

extension ArticleRepository {
    /// What a curated front shows, in one statement: the visible articles among `pinned` (by id), and each of
    /// `lists`, newest first; a pinned article that is no longer visible is left out.
    public func front(
        pinned: [Int], lists: [FrontListQuery], now: Date
    ) async throws
        -> (pinned: [Int: ArticleSummary], lists: [[ArticleSummary]])
    {
        var query: SQLQueryString = ""
        var branches = 0
        let ids = Array(Set(pinned)).sorted()
        if !ids.isEmpty {
            branches += 1
            var inList: SQLQueryString = ""
            for (index, id) in ids.enumerated() {
                if index > 0 { inList += ", " }
                inList += "\(bind: id)"
            }
            query += """
                SELECT * FROM (SELECT -1 AS front_group, q.* FROM (\(Self.summaryColumns) WHERE \(Self.visible(now))
                    AND a.id IN (\(inList)) LIMIT \(literal: ids.count)) AS q) AS fp
                """
        }
        for (index, list) in lists.enumerated() {
            if branches > 0 { query += " UNION ALL " }
            branches += 1
            var since: SQLQueryString = ""
            if let date = list.since { since = " AND a.published_at >= \(bind: date.unixSeconds)" }
            query += Self.frontBranch(group: index, filter: list.filter, limit: list.limit, now: now, extra: since)
        }
        guard branches > 0 else { return ([:], []) }
        let statement = query
        let rows = try await database.read { db in try await db.raw(statement).all() }
        var found: [Int: ArticleSummary] = [:]
        var groups = Array(repeating: [ArticleSummary](), count: lists.count)
        for row in rows {
            let group = try row.int("front_group")
            let summary = try Self.summary(row)
            if group < 0 { found[summary.id] = summary } else if group < groups.count { groups[group].append(summary) }
        }
        return (found, groups.map { $0.sorted { ($0.publishedAt, $0.id) > ($1.publishedAt, $1.id) } })
    }
}
