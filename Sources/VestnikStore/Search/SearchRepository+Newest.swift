import Foundation
import SQLKit
import VestnikCore

extension SearchRepository {
    /// The newest visible articles the query matches, newest first: the same analysed match as the public search
    /// (any form of a word finds the article), ranked by time alone, for the editor's "Още:" picker. Only the
    /// word's `newestMatches` newest matches are looked at, so a common word costs no more than a rare one.
    public func newest(_ query: SearchQuery, limit: Int, now: Date) async throws -> [ArticleSummary] {
        let matches: SQLQueryString
        switch database.dialect {
        case .sqlite:
            matches = """
                SELECT rowid FROM article_search WHERE article_search MATCH \(bind: Self.fts5(query))
                ORDER BY rowid DESC LIMIT \(literal: Self.newestMatches)
                """
        case .postgres:
            matches = """
                SELECT x.article_id FROM article_search x WHERE x.document @@ CAST(\(bind: Self.tsquery(query)) AS tsquery)
                ORDER BY x.article_id + 0 DESC LIMIT \(literal: Self.newestMatches)
                """
        }
        return try await database.readAside { [matches] db in
            try await db.raw(
                """
                \(ArticleRepository.summaryColumns) WHERE \(ArticleRepository.visible(now)) AND a.id IN (\(matches))
                ORDER BY a.published_at DESC, a.id DESC LIMIT \(literal: max(1, min(limit, 50)))
                """
            ).all().map(ArticleRepository.summary)
        }
    }
}
