import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// `/robots.txt`, the sitemap index `/sitemap.xml` over paged sitemaps (`/sitemaps/{name}.xml`: the home page;
/// sections, topics, tags and authors with a visible article; articles month by month) and the Google News
/// sitemap `/news-sitemap.xml`.
///
/// Sitemaps are streamed: rows come from the database in chunks, each read on from the last row's key, and each
/// chunk is written to the connection before the next is read, so a sitemap of 50,000 articles takes as little
/// memory as one of ten (see `bench/sitemaps.py`). What decides the status (does the page exist?) is settled
/// before the first byte, so a sitemap past the end is a clean 404.
struct SitemapController<Context: RequestContext>: Sendable {
    let site: Site

    static var sitemapNamespace: String { "http://www.sitemaps.org/schemas/sitemap/0.9" }
    static var newsNamespace: String { "http://www.google.com/schemas/sitemap-news/0.9" }

    func addRoutes(to router: Router<Context>) {
        router.get(RouterPath(SiteURLs.robots), use: robots)
        router.get(RouterPath(SiteURLs.sitemapIndex), use: index)
        router.get(RouterPath(SiteURLs.newsSitemap), use: news)
        router.get(RouterPath(SiteURLs.sitemap("{name}")), use: sitemap)
    }

    @Sendable func robots(_ request: Request, context: Context) async throws -> Response {
        let text = """
            User-agent: *
            Allow: /

            Sitemap: \(absolute(SiteURLs.sitemapIndex))
            Sitemap: \(absolute(SiteURLs.newsSitemap))

            """
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func index(_ request: Request, context: Context) async throws -> Response {
        let now = site.now()
        let size = site.limits.sitemapURLs
        var files: [SitemapFile] = [.pages]
        for kind in TaxonomyKind.allCases {
            let count = try await site.taxonomy.listedCount(kind, now: now)
            files += Self.pages(count, size).map { SitemapFile.lists(kind, page: $0) }
        }
        for (month, count) in try await site.articles.archiveMonths(now: now) {
            files += Self.pages(count, size).map { SitemapFile.articles(month, page: $0) }
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"\(Self.sitemapNamespace)\">\n"
        for file in files { xml += "<sitemap><loc>\(XML.escape(absolute(SiteURLs.sitemap(file.name))))</loc></sitemap>\n" }
        xml += "</sitemapindex>\n"
        return Self.xml(ResponseBody(byteBuffer: ByteBuffer(string: xml)))
    }

    @Sendable func sitemap(_ request: Request, context: Context) async throws -> Response {
        let file = try context.parameters.require("name")
        guard let sitemap = SitemapFile(name: file) else { throw HTTPError(.notFound) }
        let now = site.now()
        switch sitemap {
        case .pages:
            return urlset { emit in try await emit(entry(SiteURLs.home)) }

        case .lists(let kind, let page):
            let taxonomy = site.taxonomy
            return try await paged(
                page, of: try await taxonomy.listedCount(kind, now: now),
                keyAt: { offset in try await taxonomy.listedKey(kind, offset: offset, now: now) },
                rows: { after, limit in try await taxonomy.listed(kind, afterID: after ?? 0, limit: limit, now: now) },
                key: \.id, entry: { entry(SiteURLs.list(kind, $0.slug)) })

        case .articles(let month, let page):
            let articles = site.articles
            let dates = site.views.dates
            return try await paged(
                page, of: try await articles.archiveCount(month, now: now),
                keyAt: { offset in try await articles.archiveKey(month, offset: offset, now: now) },
                rows: { after, limit in try await articles.archive(month, after: after, limit: limit, now: now) },
                key: { ArchiveKey(publishedAt: $0.publishedAt, id: $0.id) },
                entry: {
                    entry(SiteURLs.article(section: $0.sectionSlug, slug: $0.slug), lastModified: dates.rfc3339UTC($0.updatedAt))
                })
        }
    }

    /// Google News: the articles of the last two days, newest first, at most 1,000 (REFERENCE §5).
    @Sendable func news(_ request: Request, context: Context) async throws -> Response {
        let now = site.now()
        let recent = try await site.articles.published(
            from: now.addingTimeInterval(-site.limits.newsWindow), to: now.addingTimeInterval(1), limit: site.limits.newsURLs,
            now: now)
        let dates = site.views.dates
        let publication =
            "<news:publication><news:name>\(XML.escape(site.siteName))</news:name>"
            + "<news:language>\(XML.escape(site.locale.language))</news:language></news:publication>"
        return urlset(extraNamespaces: " xmlns:news=\"\(Self.newsNamespace)\"") { emit in
            try await emit(
                recent.map { article in
                    "<url><loc>\(XML.escape(absolute(SiteURLs.article(article))))</loc><news:news>\(publication)"
                        + "<news:publication_date>\(dates.rfc3339UTC(article.publishedAt))</news:publication_date>"
                        + "<news:title>\(XML.escape(article.headline))</news:title></news:news></url>\n"
                }.joined())
        }
    }

    // MARK: Writing

    /// Page `page` of a list of `count` rows, `ReachLimits.sitemapURLs` a page, streamed in chunks: `keyAt(n)` gives
    /// the key of the n-th row (0-based), where a later page starts after; `rows(after, limit)` reads on from a key.
    /// A page past the end (or of an empty list) is a 404, decided before the first byte.
    private func paged<Row: Sendable, Key: Sendable>(
        _ page: Int, of count: Int, keyAt: (Int) async throws -> Key?,
        rows: @escaping @Sendable (_ after: Key?, _ limit: Int) async throws -> [Row],
        key: @escaping @Sendable (Row) -> Key, entry: @escaping @Sendable (Row) -> String
    ) async throws -> Response {
        let size = site.limits.sitemapURLs
        guard Self.pages(count, size).contains(page) else { throw HTTPError(.notFound) }
        var start: Key?
        if page > 1 {
            guard let found = try await keyAt((page - 1) * size - 1) else { throw HTTPError(.notFound) }
            start = found
        }
        let chunk = max(1, min(site.limits.chunk, size))
        return urlset { [start] emit in
            var after = start
            var remaining = size
            while remaining > 0 {
                let batch = try await rows(after, min(chunk, remaining))
                guard let last = batch.last else { break }
                try await emit(batch.map(entry).joined())
                remaining -= batch.count
                after = key(last)
            }
        }
    }

    /// A `<urlset>` written piece by piece as `body` emits it; each piece goes to the client before the next is made.
    private func urlset(
        extraNamespaces: String = "",
        _ body: @escaping @Sendable (_ emit: (String) async throws -> Void) async throws -> Void
    ) -> Response {
        let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"\(Self.sitemapNamespace)\"\(extraNamespaces)>\n"
        return Self.xml(
            ResponseBody { writer in
                try await writer.write(ByteBuffer(string: head))
                try await body { piece in try await writer.write(ByteBuffer(string: piece)) }
                try await writer.write(ByteBuffer(string: "</urlset>\n"))
                try await writer.finish(nil)
            })
    }

    private func entry(_ path: String, lastModified: String? = nil) -> String {
        "<url><loc>\(XML.escape(absolute(path)))</loc>" + (lastModified.map { "<lastmod>\($0)</lastmod>" } ?? "") + "</url>\n"
    }

    private func absolute(_ path: String) -> String { SiteURLs.absolute(path, on: site.publicURL) }

    private static func xml(_ body: ResponseBody) -> Response {
        Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: body)
    }

    /// Page numbers of a sitemap of `count` URLs, `size` a page; none when empty (an empty `<urlset>` is invalid).
    private static func pages(_ count: Int, _ size: Int) -> Range<Int> {
        1..<(1 + max(0, (count + size - 1) / size))
    }
}
