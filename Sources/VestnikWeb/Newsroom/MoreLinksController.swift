import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The editor's "Още:" panel (editor-more.js): the article picker's search, and what the page's blocks will hold
/// before publishing. The plan itself is a field of the article form, saved through `ArticleWriteService` with the
/// rest; these two answers only read.
struct MoreLinksController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let editorial: EditorialRepository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("api/articles", use: search)
        group.get("articles/{id}/more", use: preview)
    }

    /// One article of the picker or of a block.
    struct Item: Encodable {
        var id: Int
        var title: String
        var section: String
        var date: String
        var url: String
        /// In a block: chosen by the ranking (not hand-picked or pinned).
        var automatic: Bool? = nil
    }

    struct Preview: Encodable {
        struct Block: Encodable {
            var after: Int
            /// Place by place as in the plan; null where nothing fills the place.
            var links: [Item?]
        }
        var blocks: [Block]
        /// The plan as the server read it (normalised), for the panel to keep.
        var plan: String
    }

    /// Published articles the words of `q` find as the public search does (any form of a word: "бюджета" finds
    /// "Бюджетът на София"), newest first; the newest 20 for an empty `q`, none for one of stopwords only: JSON, for
    /// anyone signed in.
    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        guard context.newsroom.session != nil else { return Response(status: .unauthorized, headers: [.cacheControl: "no-store"]) }
        let text = FormQuery(request.uri.query).all("q").first ?? ""
        guard text.count <= 200 else { throw HTTPError(.badRequest) }
        let now = site.now()
        let query: SearchQuery
        do {
            query = try SearchQuery.parse(text)
        } catch SearchQuery.Problem.empty {
            return try json(try await site.articles.list(.all, page: PageRequest(number: 1, size: 20), now: now).items.map(item))
        } catch {
            return try json([Item]())
        }
        let found = try await site.search.newest(query, limit: 20, now: now)
        return try json(found.map(item))
    }

    /// The blocks the article's page will get with the plan `plan` (the panel's unsaved one; empty: the site's
    /// automatic layout): every link with its title and whether the ranking chose it.
    @Sendable func preview(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return Response(status: .unauthorized, headers: [.cacheControl: "no-store"]) }
        let editable = try await EditorController.loadArticle(context, session: session, editorial: editorial)
        let text = FormQuery(request.uri.query).all("plan").first ?? ""
        let plan: MoreLinks
        if text.isEmpty {
            plan = MoreLinks(automatic: site.moreBlocks)
        } else {
            guard let read = MoreLinks(json: text) else { throw HTTPError(.badRequest) }
            plan = read
        }
        guard var article = try await site.articles.article(slug: editable.draft.slug) else { throw HTTPError(.notFound) }
        article.more = plan
        let now = site.now()
        let related = try await site.articles.related(to: article, limit: site.moreBlocks.capacity, now: now)
        let ranked = related.map { (id: $0.id, link: $0) }
        let chosen = Set(plan.chosen)
        let available = Dictionary(
            related.filter { chosen.contains($0.id) }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let blocks = plan.places(article: article.id, ranked: ranked, available: available).map { block in
            Preview.Block(
                after: block.after,
                links: block.links.map { filled in
                    filled.map { filled in
                        var entry = item(filled.link)
                        entry.automatic = filled.isAutomatic
                        return entry
                    }
                })
        }
        return try json(Preview(blocks: blocks, plan: plan.json))
    }

    private func item(_ summary: ArticleSummary) -> Item {
        Item(
            id: summary.id, title: summary.title, section: summary.sectionName, date: site.views.dates.dateLine(summary.publishedAt),
            url: SiteURLs.article(section: summary.sectionSlug, slug: summary.slug))
    }

    private func json(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }
}
