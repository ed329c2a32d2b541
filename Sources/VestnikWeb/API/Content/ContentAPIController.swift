import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The public, read-only content API (`/api/v1/…`, described in `Assets/api/openapi.json`): articles with filters
/// and a keyset cursor, one article by id or slug, sections, topics, tags, authors, "most read" and today's news.
///
/// Every answer carries the `Surrogate-Key`s of what it shows, like a page, so the API cache in front of these
/// routes (and a CDN) keeps it until an edit names one of them; the cache also gives the ETag and the 304.
struct ContentAPIController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let mostRead: MostReadLists

    static let prefix = "/api/v1"

    var json: ContentJSON { ContentJSON(publicURL: site.publicURL, dates: site.views.dates) }

    /// Every route's path, for the CORS preflight (`OPTIONS`, answered by `CORSMiddleware`).
    static let paths = [
        "articles", "articles/:id", "articles/by-slug/:slug", "sections", "topics", "tags", "authors", "most-read", "today", "search",
    ]

    func addRoutes(to group: RouterGroup<Context>) {
        for path in Self.paths { group.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) } }
        group.get("articles") { request, _ in
            // A full-text filter is as heavy as a search: it takes its turn like one.
            if FormQuery(request.uri.query).all("q").isEmpty { return try await articles(request) }
            return try await HeavyWork.shared.run { try await articles(request) }
        }
        group.get("articles/by-slug/:slug") { request, context in
            let slug = try context.parameters.require("slug")
            guard slug.utf8.count <= 200, let found = try await site.articles.article(slug: slug),
                found.status == .published, found.publishedAt <= site.now()
            else { throw APIProblem(.notFound, "no published article has this slug") }
            return try await one(found, request)
        }
        group.get("articles/:id") { request, context in
            let text = try context.parameters.require("id")
            guard text.count <= 12, let id = Int(text), id > 0 else {
                throw APIProblem(.badRequest, "an article id is a positive whole number")
            }
            guard let found = try await site.articles.visibleArticle(id: id, now: site.now()) else {
                throw APIProblem(.notFound, "no published article has this id")
            }
            return try await one(found, request)
        }
        group.get("sections") { request, _ in
            _ = try APIParameters(request.uri, known: [])
            let sections = try await site.taxonomy.sections()
            return list(sections.map { json.section($0) }, next: nil, keys: PageKeys())
        }
        for kind in [TaxonomyKind.topic, .tag, .author] {
            group.get(RouterPath("\(kind.rawValue)s")) { request, _ in try await terms(kind, request) }
        }
        group.get("most-read") { request, _ in try await mostReadList(request) }
        // The site's own search (ranking, snippets, "did you mean"), which takes its turn like the search page.
        group.get("search") { request, _ in try await HeavyWork.shared.run { try await search(request) } }
        group.get("today") { request, _ in
            let parameters = try APIParameters(request.uri, known: ["limit", "cursor", "fields"])
            var query = ArticleQuery()
            query.since = SofiaTime.startOfDay(containing: site.now())
            return try await articleList(query, parameters, keys: [CacheKey.latest])
        }
    }

    // MARK: Articles

    func articles(_ request: Request) async throws -> Response {
        let parameters = try APIParameters(
            request.uri, known: ["section", "topic", "tag", "author", "since", "until", "q", "limit", "cursor", "fields"])
        var query = ArticleQuery()
        var keys: [String] = []
        if let slug = try parameters.one("section") {
            guard let section = try await site.taxonomy.section(slug: slug) else {
                throw APIProblem(.badRequest, "no section has this slug")
            }
            query.sectionID = section.id
            keys.append(CacheKey.section(section.id))
        }
        if let slug = try parameters.one("topic") {
            guard let topic = try await site.taxonomy.topic(slug: slug) else { throw APIProblem(.badRequest, "no topic has this slug") }
            query.topicID = topic.id
            keys.append(CacheKey.topic(topic.id))
        }
        if let slug = try parameters.one("tag") {
            guard let tag = try await site.taxonomy.tag(slug: slug) else { throw APIProblem(.badRequest, "no tag has this slug") }
            query.tagID = tag.id
            keys.append(CacheKey.tag(tag.id))
        }
        if let slug = try parameters.one("author") {
            guard let author = try await site.taxonomy.author(slug: slug) else { throw APIProblem(.badRequest, "no author has this slug") }
            query.authorID = author.id
            keys.append(CacheKey.author(author.id))
        }
        query.since = try parameters.time("since")
        query.until = try parameters.time("until")
        if let text = try parameters.one("q") {
            do { query.text = try SearchQuery.parse(text) } catch { throw APIProblem(.badRequest, "q: \(error)") }
        }
        // A list that no one list key covers (the whole site, a period, a text) is dropped with the newest articles.
        if keys.isEmpty || query.since != nil || query.until != nil || query.text != nil { keys.append(CacheKey.latest) }
        return try await articleList(query, parameters, keys: keys)
    }

    private func articleList(_ query: ArticleQuery, _ parameters: APIParameters, keys: [String]) async throws -> Response {
        let limit = try parameters.limit()
        let fields = try parameters.list("fields", allowed: ContentJSON.articleFields) ?? ContentJSON.listFields
        let cursor = try parameters.articleCursor()
        // One more than asked tells whether another page follows.
        var found = try await site.articles.page(query, after: cursor, limit: limit + 1, now: site.now())
        let more = found.count > limit
        if more { found.removeLast() }
        var pageKeys = PageKeys()
        for key in keys { pageKeys.insert(key) }
        pageKeys.insert(found)
        let next = more ? found.last.map { KeysetCursor(time: Int($0.publishedAt.timeIntervalSince1970), key: $0.id).text } : nil
        let json = self.json
        let renditions = try await renditionsOf(found, fields: fields)
        return list(found.map { json.article($0, fields: fields, include: [], renditions: renditions) }, next: next, keys: pageKeys)
    }

    private func one(_ article: Article, _ request: Request) async throws -> Response {
        let parameters = try APIParameters(request.uri, known: ["fields", "include"])
        let fields = try parameters.list("fields", allowed: ContentJSON.articleFields) ?? ContentJSON.articleFields
        let include = try parameters.list("include", allowed: ContentJSON.includes) ?? []
        var keys = PageKeys()
        keys.insert(CacheKey.article(article.id))
        var related: [ArticleSummary] = []
        if include.contains("related") {
            related = try await site.articles.related(to: article, limit: 6, now: site.now())
            keys.insert(CacheKey.articlePage(article.id))
            keys.insert(related)
        }
        let renditions = try await renditionsOf([article], fields: fields)
        return Response.json(json.article(article, fields: fields, include: include, related: related, renditions: renditions))
            .cacheable(under: keys)
    }

    // MARK: Lists

    private func terms(_ kind: TaxonomyKind, _ request: Request) async throws -> Response {
        let parameters = try APIParameters(request.uri, known: ["limit", "cursor"])
        let limit = try parameters.limit()
        var found = try await site.taxonomy.listedTerms(kind, afterID: try parameters.idCursor(), limit: limit + 1, now: site.now())
        let more = found.count > limit
        if more { found.removeLast() }
        // Which entries have a published article changes with any publication.
        var keys = PageKeys()
        keys.insert(CacheKey.latest)
        let json = self.json
        return list(found.map { json.term($0, kind: kind) }, next: more ? found.last.map { String($0.id) } : nil, keys: keys)
    }

    private func mostReadList(_ request: Request) async throws -> Response {
        let parameters = try APIParameters(request.uri, known: ["window", "limit", "fields"])
        let window: MostReadLists.Window
        switch try parameters.one("window") ?? "day" {
        case "day": window = .day
        case "week": window = .week
        case "month": window = .month
        default: throw APIProblem(.badRequest, "window must be day, week or month")
        }
        let limit = try parameters.limit(default: 10)
        let fields = try parameters.list("fields", allowed: ContentJSON.articleFields) ?? ContentJSON.listFields
        let ranked: [MostReadArticle] = Array(try await mostRead.articles(window).prefix(limit))
        let articles = try await site.articles.visibleArticles(ids: ranked.map(\.summary.id), now: site.now())
        let windowReads = Dictionary(ranked.map { ($0.summary.id, $0.reads) }, uniquingKeysWith: { (first: Int, _: Int) in first })
        var keys = PageKeys()
        keys.insert(articles)
        let json = self.json
        let renditions = try await renditionsOf(articles, fields: fields)
        let items = articles.map { article -> JSONValue in
            guard case .object(var members) = json.article(article, fields: fields, include: [], renditions: renditions) else {
                return .null
            }
            members["window_reads"] = .int(windowReads[article.id] ?? 0)
            return .object(members)
        }
        return list(items, next: nil, keys: keys)
    }

    /// `search?q=…`: the site search's ranked hits (the search page's query syntax and filters), a numbered page at a
    /// time, with the search page's "did you mean" when few are found.
    private func search(_ request: Request) async throws -> Response {
        let parameters = try APIParameters(request.uri, known: ["q", "section", "author", "page", "limit"])
        guard let text = try parameters.one("q") else { throw APIProblem(.badRequest, "q is required") }
        let query: SearchQuery
        do { query = try SearchQuery.parse(text) } catch { throw APIProblem(.badRequest, "q: \(error)") }
        var filters = SearchFilters()
        if let slug = try parameters.one("section") {
            guard let section = try await site.taxonomy.section(slug: slug) else {
                throw APIProblem(.badRequest, "no section has this slug")
            }
            filters.sectionID = section.id
        }
        if let slug = try parameters.one("author") {
            guard let author = try await site.taxonomy.author(slug: slug) else { throw APIProblem(.badRequest, "no author has this slug") }
            filters.authorID = author.id
        }
        var page = 1
        if let number = try parameters.one("page") {
            guard number.count <= 4, let value = Int(number), value >= 1 else {
                throw APIProblem(.badRequest, "page is a whole number from 1")
            }
            page = value
        }
        let limit = try parameters.limit(default: 10)
        let found = try await site.search.search(query, filters: filters, page: PageRequest(number: page, size: limit), now: site.now())
        let suggestion = found.total < SearchRepository.suggestBelow ? try await site.search.suggestion(for: query) : nil
        let terms = query.highlightTerms
        let json = self.json
        let items = found.items.map { hit -> JSONValue in
            guard case .object(var members) = json.summary(hit.article) else { return .null }
            members["snippet"] = .string(SearchSnippet.html(hit.text, terms: terms))
            return .object(members)
        }
        // Which articles match changes with any publication or edit.
        var keys = PageKeys()
        keys.insert(CacheKey.latest)
        return Response.json(
            .object([
                "query": .string(text), "suggestion": .optional(suggestion), "total": .int(found.total), "page": .int(found.number),
                "pages": .int(found.pageCount), "items": .array(items),
            ])
        ).cacheable(under: keys)
    }

    /// The renditions of the articles' featured pictures (one query for a page), when the answer shows them.
    private func renditionsOf(_ articles: [Article], fields: Set<String>) async throws -> [String: [Rendition]] {
        guard fields.contains("featured_media") else { return [:] }
        return try await site.renditions.renditions(of: articles.compactMap { $0.featuredImage?.address.hash })
    }

    /// A list answer: the items and the cursor of the next page (null on the last).
    private func list(_ items: [JSONValue], next: String?, keys: PageKeys) -> Response {
        Response.json(.object(["items": .array(items), "next_cursor": .optional(next)])).cacheable(under: keys)
    }
}
