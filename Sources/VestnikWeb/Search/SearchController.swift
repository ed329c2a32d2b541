import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// Site search: the page (`/търсене`, `/search`) and its JSON twin (`/api/search`).
struct SearchController<Context: RequestContext>: Sendable {
    let site: Site
    let pageSize = 10

    func addRoutes(to router: Router<Context>) {
        // Full-text search and its snippets are the heaviest thing a reader can ask for: they take turns (HeavyWork).
        for path in [SiteURLs.search, "/търсене", "/search", "/tarsene"] {
            router.get(RouterPath(path)) { request, context in try await HeavyWork.shared.run { try await page(request, context: context) }
            }
        }
        router.get(RouterPath(SiteURLs.searchAPI)) { request, context in
            try await HeavyWork.shared.run { try await api(request, context: context) }
        }
    }

    /// A search as the request describes it, or the reason it cannot run.
    struct Request {
        var text: String
        var sectionSlug: String
        var authorSlug: String
        var fromText: String
        var untilText: String
        var page: Int
        var filters: SearchFilters
        var query: Result<SearchQuery, SearchQuery.Problem>
    }

    /// Reads and checks the query string; malformed filters or page numbers are a 400.
    func read(_ request: HummingbirdCore.Request) async throws -> Request {
        let parameters = FormQuery(request.uri.query)
        func one(_ name: String) throws -> String {
            let values = parameters.all(name)
            guard values.count <= 1 else { throw HTTPError(.badRequest, message: "\(name) is given twice") }
            return values.first ?? ""
        }
        let text = try one("q")
        var page = 1
        let pageText = try one("page")
        if !pageText.isEmpty {
            guard pageText.count <= 6, let number = Int(pageText), number >= 1 else {
                throw HTTPError(.badRequest, message: "page must be a whole number from 1")
            }
            page = number
        }
        var filters = SearchFilters()
        let sectionSlug = try one("section")
        if !sectionSlug.isEmpty {
            guard let section = try await site.taxonomy.section(slug: sectionSlug) else {
                throw HTTPError(.badRequest, message: "no such section")
            }
            filters.sectionID = section.id
        }
        let authorSlug = try one("author")
        if !authorSlug.isEmpty {
            guard let author = try await site.taxonomy.author(slug: authorSlug) else {
                throw HTTPError(.badRequest, message: "no such author")
            }
            filters.authorID = author.id
        }
        let fromText = try one("from")
        let untilText = try one("to")
        filters.from = try day(fromText)
        // "to" names the last day included, so the range ends at the next midnight.
        filters.until = try day(untilText).map { SofiaTime.startOfDay(containing: $0.addingTimeInterval(36 * 3600)) }
        let query: Result<SearchQuery, SearchQuery.Problem>
        do { query = .success(try SearchQuery.parse(text)) } catch { query = .failure(error) }
        return Request(
            text: text, sectionSlug: sectionSlug, authorSlug: authorSlug, fromText: fromText, untilText: untilText,
            page: page, filters: filters, query: query)
    }

    /// `YYYY-MM-DD` as the Sofia midnight that starts that day.
    private func day(_ text: String) throws -> Date? {
        guard !text.isEmpty else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard text.count == 10, parts.count == 3,
            let date = SofiaTime.date(from: LocalDateTime(year: parts[0], month: parts[1], day: parts[2]))
        else { throw HTTPError(.badRequest, message: "dates are written YYYY-MM-DD") }
        return date
    }

    @Sendable func page(_ request: HummingbirdCore.Request, context: Context) async throws -> Response {
        let search = try await read(request)
        let now = site.now()
        let views = site.views
        let sections = try await site.taxonomy.sections()
        var message: String?
        var results: [SearchResultView] = []
        var summary: String?
        var pager: Pager?
        var suggestion: SearchSuggestionView?
        switch search.query {
        case .failure(.empty): message = nil
        case .failure(.tooLong(let limit)): message = site.locale.format("search_too_long", ["limit": String(limit)])
        case .failure(.nothingToFind): message = site.locale["search_nothing_to_find"]
        case .failure(.tooManyTerms(let limit)): message = site.locale.format("search_too_many_terms", ["limit": String(limit)])
        case .success(let query):
            let found = try await site.search.search(
                query, filters: search.filters, page: PageRequest(number: search.page, size: pageSize), now: now)
            let terms = query.highlightTerms
            let cards = views.cards(
                found.items.map(\.article), pictures: try await site.cardPictures(found.items.map(\.article)), eager: 2)
            results = zip(cards, found.items).map { SearchResultView(card: $0, snippet: SearchSnippet.html($1.text, terms: terms)) }
            if found.total == 0 {
                message = site.locale["search_no_results"]
            } else if search.page > found.pageCount {
                message = site.locale["search_past_end"]
            } else {
                summary =
                    found.total > SearchRepository.countLimit
                    ? site.locale.format("search_summary_over", ["count": String(SearchRepository.countLimit)])
                    : site.locale.format("search_summary", ["count": String(found.total)])
            }
            pager = views.pager(found, url: { url(search, page: $0) })
            if found.total < SearchRepository.suggestBelow, let better = try await site.search.suggestion(for: query) {
                var suggested = search
                suggested.text = better
                suggestion = SearchSuggestionView(label: better, url: url(suggested, page: 1))
            }
        }
        let view = SearchView(
            layout: views.layout(
                title: search.text.isEmpty ? site.locale["search_title"] : site.locale.format("search_title_for", ["query": search.text]),
                canonical: nil, sections: sections, banner: try await site.lists.banner(now: now), now: now),
            query: search.text, from: search.fromText, to: search.untilText,
            sections: sections.map { SectionOption(slug: $0.slug, name: $0.name, selected: $0.slug == search.sectionSlug) },
            author: search.authorSlug, message: message, summary: summary, results: results, pager: pager,
            firstPageURL: search.page > 1 ? url(search, page: 1) : nil, suggestion: suggestion)
        return .html(try site.theme.render("search", view))
    }

    @Sendable func api(_ request: HummingbirdCore.Request, context: Context) async throws -> Response {
        let search = try await read(request)
        let query: SearchQuery
        switch search.query {
        case .success(let parsed): query = parsed
        case .failure(let problem): return try json(SearchAPIError(error: "\(problem)"), status: .badRequest)
        }
        let found = try await site.search.search(
            query, filters: search.filters, page: PageRequest(number: search.page, size: pageSize), now: site.now())
        let dates = site.views.dates
        let terms = query.highlightTerms
        let suggestion = found.total < SearchRepository.suggestBelow ? try await site.search.suggestion(for: query) : nil
        let body = SearchAPIResponse(
            query: search.text, suggestion: suggestion, total: found.total, page: found.number, pages: found.pageCount,
            results: found.items.map {
                .init(
                    title: $0.article.title, kicker: $0.article.kicker, url: site.publicURL + SiteURLs.article($0.article),
                    section: $0.article.sectionName, published: dates.isoDateTime($0.article.publishedAt),
                    snippet: SearchSnippet.html($0.text, terms: terms))
            })
        return try json(body, status: .ok)
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    private func url(_ search: Request, page: Int) -> String {
        SiteURLs.withQuery(
            SiteURLs.search,
            [
                ("q", search.text), ("section", search.sectionSlug), ("author", search.authorSlug), ("from", search.fromText),
                ("to", search.untilText), ("page", page > 1 ? String(page) : ""),
            ])
    }
}

struct SearchAPIResponse: Encodable {
    struct Result: Encodable {
        var title, kicker, url, section, published, snippet: String
    }
    var query: String
    /// "Did you mean": the query with its unknown words replaced by the closest the site holds; absent if none.
    var suggestion: String?
    var total, page, pages: Int
    var results: [Result]
}

struct SearchAPIError: Encodable {
    var error: String
}
