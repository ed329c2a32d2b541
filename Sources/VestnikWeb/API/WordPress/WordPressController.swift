import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// A read-only subset of the WordPress REST API at `/wp-json/wp/v2/` (README: "Reading Vestnik as WordPress"):
/// posts, categories, tags, users and media, with `page`/`per_page`, `X-WP-Total`/`X-WP-TotalPages`, `?_embed` and
/// the discovery `Link` header. Parameters WordPress knows and this subset does not are ignored, as WordPress
/// ignores unknown ones; those it reads are checked (a 400 in WordPress's error shape). Answers are cached and
/// purged like the content API's.
struct WordPressController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site

    static let prefix = "/wp-json"
    /// WordPress's own ceiling for `per_page`.
    static let maxPerPage = 100
    /// How deep numbered pages may go (offsets cost their length).
    static let maxOffset = 10_000

    var json: WordPressJSON { WordPressJSON(publicURL: site.publicURL, dates: site.views.dates) }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("/") { request, _ in
            var keys = PageKeys()
            keys.insert(CacheKey.site)
            return answer(
                .object([
                    "name": .string(site.siteName), "description": .string(""), "url": .string(site.publicURL),
                    "home": .string(site.publicURL), "namespaces": .array([.string("wp/v2")]), "authentication": .object([:]),
                    "routes": .object(
                        Dictionary(
                            uniqueKeysWithValues: ["posts", "categories", "tags", "users", "media"].map {
                                ("/wp/v2/\($0)", JSONValue.object(["namespace": .string("wp/v2"), "methods": .array([.string("GET")])]))
                            })),
                ]), keys: keys, request: request)
        }
        group.get("wp/v2/posts") { request, _ in try await posts(request) }
        group.get("wp/v2/posts/:id") { request, context in
            let article = try await visible(try pathID(context))
            var keys = PageKeys()
            keys.insert([article])
            return answer(embeds(request) ? json.embedded(article) : json.post(article), keys: keys, request: request)
        }
        group.get("wp/v2/media/:id") { request, context in
            let article = try await visible(try pathID(context))
            guard let image = article.featuredImage else { throw WordPressError.notFound }
            var keys = PageKeys()
            keys.insert([article])
            return answer(json.media(image, of: article), keys: keys, request: request)
        }
        group.get("wp/v2/media") { request, _ in
            let (page, perPage) = try paging(request)
            var query = ArticleQuery()
            query.withPicture = true
            query.order = try order(FormQuery(request.uri.query))
            return try await articleList(query, page: page, perPage: perPage, request: request) { article in
                article.featuredImage.map { json.media($0, of: article) } ?? .null
            }
        }
        for (path, kind) in [("categories", TaxonomyKind.section), ("tags", .tag), ("users", .author)] {
            group.get(RouterPath("wp/v2/\(path)")) { request, _ in try await terms(kind, request) }
            group.get(RouterPath("wp/v2/\(path)/:id")) { request, context in
                let id = try pathID(context)
                guard let term = try await site.taxonomy.listedTerms(kind, afterID: id - 1, limit: 1, now: site.now()).first, term.id == id
                else { throw WordPressError.notFound }
                var keys = PageKeys()
                keys.insert(CacheKey.latest)
                return answer(self.term(term, kind), keys: keys, request: request)
            }
        }
    }

    private func posts(_ request: Request) async throws -> Response {
        let (page, perPage) = try paging(request)
        let parameters = FormQuery(request.uri.query)
        var query = ArticleQuery()
        query.sectionID = try idFilter(parameters, "categories")
        query.tagID = try idFilter(parameters, "tags")
        query.authorID = try idFilter(parameters, "author")
        if let slug = parameters.all("slug").first, !slug.isEmpty { query.slug = String(slug.prefix(200)) }
        if let after = parameters.all("after").first { query.since = try time(after, "after") }
        if let before = parameters.all("before").first { query.until = try time(before, "before") }
        if let text = parameters.all("search").first, !text.isEmpty {
            do { query.text = try SearchQuery.parse(text) } catch { throw WordPressError.invalidParameter("search") }
        }
        query.order = try order(parameters)
        let embed = embeds(request)
        let json = self.json
        let asked = query
        let list: () async throws -> Response = {
            try await articleList(asked, page: page, perPage: perPage, request: request) { embed ? json.embedded($0) : json.post($0) }
        }
        return query.text == nil ? try await list() : try await HeavyWork.shared.run { try await list() }
    }

    private func articleList(
        _ query: ArticleQuery, page: Int, perPage: Int, request: Request, _ item: (Article) -> JSONValue
    ) async throws -> Response {
        let now = site.now()
        let total = try await site.articles.count(query, now: now)
        let pages = (total + perPage - 1) / perPage
        // WordPress answers a page past the end with this error (an empty first page is still a page).
        if page > max(1, pages) { throw WordPressError.pageOutOfRange }
        let articles = try await site.articles.page(query, offset: try offset(request) ?? (page - 1) * perPage, limit: perPage, now: now)
        var keys = PageKeys()
        keys.insert(CacheKey.latest)
        keys.insert(articles)
        var response = answer(.array(articles.map(item)), keys: keys, request: request)
        addPaging(&response, total: total, pages: pages, page: page, request: request)
        return response
    }

    private func terms(_ kind: TaxonomyKind, _ request: Request) async throws -> Response {
        let (page, perPage) = try paging(request)
        let now = site.now()
        let total = try await site.taxonomy.listedCount(kind, now: now)
        let pages = (total + perPage - 1) / perPage
        if page > max(1, pages) { throw WordPressError.pageOutOfRange }
        var found: [ListedTerm] = []
        if let first = try await site.taxonomy.listedKey(kind, offset: try offset(request) ?? (page - 1) * perPage, now: now) {
            found = try await site.taxonomy.listedTerms(kind, afterID: first - 1, limit: perPage, now: now)
        }
        var keys = PageKeys()
        keys.insert(CacheKey.latest)
        var response = answer(.array(found.map { term($0, kind) }), keys: keys, request: request)
        addPaging(&response, total: total, pages: pages, page: page, request: request)
        return response
    }

    private func term(_ term: ListedTerm, _ kind: TaxonomyKind) -> JSONValue {
        switch kind {
        case .section, .topic:
            return json.category(id: term.id, slug: term.slug, name: term.name, description: term.description, count: term.articles)
        case .tag: return json.tag(id: term.id, slug: term.slug, name: term.name, count: term.articles)
        case .author: return json.user(id: term.id, slug: term.slug, name: term.name, bio: term.description, photo: term.photo)
        }
    }

    // MARK: Parameters

    private func paging(_ request: Request) throws -> (page: Int, perPage: Int) {
        let parameters = FormQuery(request.uri.query)
        var page = 1
        var perPage = 10
        if let text = parameters.all("page").first {
            guard text.count <= 6, let number = Int(text), number >= 1 else { throw WordPressError.invalidParameter("page") }
            page = number
        }
        if let text = parameters.all("per_page").first {
            guard text.count <= 3, let number = Int(text), (1...Self.maxPerPage).contains(number) else {
                throw WordPressError.invalidParameter("per_page")
            }
            perPage = number
        }
        if (page - 1) * perPage > Self.maxOffset { throw WordPressError.pageOutOfRange }
        return (page, perPage)
    }

    /// `?offset=N`: items skipped, instead of the page's (WordPress: `offset` wins over `page`).
    private func offset(_ request: Request) throws -> Int? {
        guard let text = FormQuery(request.uri.query).all("offset").first else { return nil }
        guard text.count <= 6, let offset = Int(text), (0...Self.maxOffset).contains(offset) else {
            throw WordPressError.invalidParameter("offset")
        }
        return offset
    }

    /// `?orderby=date|id|modified|slug|title&order=desc|asc` (WordPress's default: date, desc). WordPress's other
    /// orders (author, include, parent, relevance, include_slugs) are refused as WordPress refuses unknown ones.
    private func order(_ parameters: FormQuery) throws -> ArticleOrder {
        var order = ArticleOrder()
        if let text = parameters.all("orderby").first {
            guard let key = ArticleOrder.Key(rawValue: text) else { throw WordPressError.invalidParameter("orderby") }
            order.key = key
        }
        if let text = parameters.all("order").first {
            guard text == "asc" || text == "desc" else { throw WordPressError.invalidParameter("order") }
            order.ascending = text == "asc"
        }
        return order
    }

    /// `?categories=3` (one id; WordPress takes lists, this subset one).
    private func idFilter(_ parameters: FormQuery, _ name: String) throws -> Int? {
        guard let text = parameters.all(name).first ?? parameters.all(name + "[]").first, !text.isEmpty else { return nil }
        guard text.count <= 12, let id = Int(text), id > 0 else { throw WordPressError.invalidParameter(name) }
        return id
    }

    private func time(_ text: String, _ name: String) throws -> Date {
        // WordPress sends its own dates without an offset: they are the site's (Sofia) time.
        if let date = APIParameters.parseTime(text) { return date }
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard text.count == 19, parts.count == 6,
            let date = SofiaTime.date(
                from: LocalDateTime(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5]))
        else { throw WordPressError.invalidParameter(name) }
        return date
    }

    private func embeds(_ request: Request) -> Bool {
        request.uri.query?.split(separator: "&").contains { $0.hasPrefix("_embed") } ?? false
    }

    private func pathID(_ context: Context) throws -> Int {
        guard let text = context.parameters.get("id"), text.count <= 12, let id = Int(text), id > 0 else { throw WordPressError.notFound }
        return id
    }

    private func visible(_ id: Int) async throws -> Article {
        guard let article = try await site.articles.visibleArticle(id: id, now: site.now()) else { throw WordPressError.notFound }
        return article
    }

    // MARK: Answers

    private func answer(_ value: JSONValue, keys: PageKeys, request: Request) -> Response {
        var value = value
        // `?_fields=id,title.rendered,link`: only those members (of each item of a list), as WordPress answers.
        if let text = FormQuery(request.uri.query).all("_fields").first {
            let fields = text.split(separator: ",").prefix(50).map {
                $0.trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init)
            }
            value = value.keeping(fields.filter { !$0.isEmpty })
        }
        var response = Response.json(value).cacheable(under: keys)
        response.headers[.wordPressLink] = "<\(site.publicURL)/wp-json/>; rel=\"https://api.w.org/\""
        return response
    }

    private func addPaging(_ response: inout Response, total: Int, pages: Int, page: Int, request: Request) {
        response.headers[HTTPField.Name("X-WP-Total")!] = String(total)
        response.headers[HTTPField.Name("X-WP-TotalPages")!] = String(pages)
        var links = [response.headers[.wordPressLink] ?? ""]
        func link(_ number: Int, _ rel: String) -> String {
            var items = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("page=") }.map(String.init)
            items.append("page=\(number)")
            return "<\(site.publicURL)\(request.uri.path)?\(items.joined(separator: "&"))>; rel=\"\(rel)\""
        }
        if page > 1 { links.append(link(page - 1, "prev")) }
        if page < pages { links.append(link(page + 1, "next")) }
        response.headers[.wordPressLink] = links.joined(separator: ", ")
    }
}

/// WordPress's error shape (`{"code", "message", "data": {"status"}}`), which its clients read.
enum WordPressError: Error {
    case notFound
    case pageOutOfRange
    case invalidParameter(String)

    var response: Response {
        let (status, code, message): (HTTPResponse.Status, String, String)
        switch self {
        case .notFound: (status, code, message) = (.notFound, "rest_post_invalid_id", "Invalid ID.")
        case .pageOutOfRange:
            (status, code, message) = (
                .badRequest, "rest_post_invalid_page_number", "The page number requested is larger than the number of pages available."
            )
        case .invalidParameter(let name): (status, code, message) = (.badRequest, "rest_invalid_param", "Invalid parameter(s): \(name)")
        }
        return Response.json(
            .object(["code": .string(code), "message": .string(message), "data": .object(["status": .int(status.code)])]), status: status)
    }
}

/// Writes `WordPressError`s in WordPress's shape.
struct WordPressErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as WordPressError {
            return error.response
        }
    }
}

extension HTTPField.Name {
    /// `Link` (RFC 8288): WordPress's API discovery and its pages' `next`/`prev`.
    static let wordPressLink = Self("Link")!
}
