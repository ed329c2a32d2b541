import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// The newsroom's article list (filters, text search, keyset pages) and the editors' review queue.
struct ArticleListController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let editorial: EditorialRepository
    let taxonomy: TaxonomyRepository
    let search: SearchRepository
    /// While the search index is rebuilt, the list says how far it is: older articles are not found until then.
    let rebuild: SearchRebuild
    let pageSize = 50

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(use: list)
        group.get("review", use: reviewQueue)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        return try await listPage(request, session: session, review: false)
    }

    @Sendable func reviewQueue(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        return try await listPage(request, session: session, review: true)
    }

    private func listPage(_ request: Request, session: NewsroomSession, review: Bool) async throws -> Response {
        let query = FormQuery(request.uri.query)
        func one(_ name: String) -> String { query.all(name).first ?? "" }
        let statusText = review ? ArticleStatus.review.rawValue : one("status")
        let sectionSlug = one("section")
        let authorSlug = one("author")
        let text = one("q")
        let afterText = one("after")
        var filter = NewsroomListFilter(visibleTo: session.user.role.editsAnyone ? nil : session.user.id)
        if !statusText.isEmpty {
            guard let status = ArticleStatus(rawValue: statusText) else { throw HTTPError(.badRequest) }
            filter.status = status
        }
        let sections = try await taxonomy.sections()
        if !sectionSlug.isEmpty {
            guard let section = sections.first(where: { $0.slug == sectionSlug }) else { throw HTTPError(.badRequest) }
            filter.sectionID = section.id
        }
        if !authorSlug.isEmpty {
            guard let author = try await taxonomy.author(slug: Slug.make(authorSlug)) else { throw HTTPError(.badRequest) }
            filter.authorID = author.id
        }
        var message: String?
        if !text.isEmpty {
            switch Result(catching: { try SearchQuery.parse(text) }) {
            case .success(let parsed):
                // The best 200 matches, then listed like the rest (newest change first); below editor, among one's own.
                let owner = session.user.role.editsAnyone ? nil : session.user.id
                let found = try await search.search(
                    parsed, filters: SearchFilters(includeUnpublished: true, ownerID: owner), page: PageRequest(number: 1, size: 200),
                    now: pages.now())
                filter.ids = found.items.map(\.article.id)
            case .failure(SearchQuery.Problem.tooManyTerms(let limit)):
                message = t.format("search_too_many_terms", ["limit": String(limit)])
                filter.ids = []
            case .failure(SearchQuery.Problem.tooLong(let limit)):
                message = t.format("search_too_long", ["limit": String(limit)])
                filter.ids = []
            case .failure:
                // Only stopwords or exclusions: nothing to look for, so the list stands unfiltered by text.
                break
            }
        }
        var rebuilding: String?
        if let progress = try await rebuild.progress(), !progress.finished {
            rebuilding = t.format("nr_search_rebuilding", ["done": String(progress.done), "total": String(progress.total)])
        }
        var cursor: NewsroomCursor?
        if !afterText.isEmpty {
            guard let parsed = NewsroomCursor(afterText) else { throw HTTPError(.badRequest) }
            cursor = parsed
        }
        let (rows, next) = try await editorial.list(filter, after: cursor, limit: pageSize)
        let base: [(String, String)] = [
            ("status", review ? "" : statusText), ("section", sectionSlug), ("author", authorSlug), ("q", text),
        ]
        let path = review ? NewsroomURLs.review : NewsroomURLs.home
        let page = NewsroomListPage(
            layout: pages.layout(review ? t["nr_review_title"] : t["nr_list_title"], session),
            heading: review ? t["nr_review_title"] : t["nr_list_title"],
            statuses: [NewsroomOption(value: "", label: t["nr_status_any"], selected: statusText.isEmpty)]
                + ArticleStatus.allCases.map {
                    NewsroomOption(value: $0.rawValue, label: t["nr_status_" + $0.rawValue], selected: $0.rawValue == statusText)
                },
            sections: sections.map { NewsroomOption(value: $0.slug, label: $0.name, selected: $0.slug == sectionSlug) },
            author: authorSlug, query: text, message: message, rebuilding: rebuilding, rows: rows.map(row), empty: rows.isEmpty,
            nextURL: next.map { SiteURLs.withQuery(path, base + [("after", $0.text)]) },
            firstURL: cursor == nil ? nil : SiteURLs.withQuery(path, base))
        return try pages.render("nr-list", page)
    }

    private func row(_ row: NewsroomArticleRow) -> NewsroomRowView {
        NewsroomRowView(
            url: NewsroomURLs.article(row.id), title: row.title, kicker: row.kicker.isEmpty ? nil : row.kicker,
            status: t["nr_status_" + row.status.rawValue], statusClass: row.status.rawValue, section: row.sectionName,
            owner: row.ownerName, updated: pages.dates.dateLine(row.updatedAt),
            publicURL: row.status == .published ? SiteURLs.article(section: row.sectionSlug, slug: row.slug) : nil)
    }
}
