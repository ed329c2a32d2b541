import Foundation
import Hummingbird
import VestnikStore

/// Where an old address of an imported site (`LegacyRedirects`) leads now, as a path of this site.
struct LegacyRedirectResolver: Sendable {
    let redirects: LegacyRedirects
    let now: @Sendable () -> Date

    init(site: Site) {
        redirects = LegacyRedirects(database: site.database)
        now = site.now
    }

    /// Whether a request for the home page names a WordPress post (`?p=123`, `?page_id=12`) rather than the home page.
    static func namesOldPost(path: String, query: String?) -> Bool {
        path == "/" && query.map { !$0.isEmpty && LegacyRedirects.key(path: "/", query: $0) != "/" } == true
    }

    /// The current path of what `path` and `query` named on the old site; nil when it named nothing, or something not
    /// public.
    func location(path: String, query: String?) async throws -> String? {
        guard let key = LegacyRedirects.key(path: path, query: query), let target = try await redirects.target(key, now: now()) else {
            return nil
        }
        switch target {
        case .article(let section, let slug): return SiteURLs.article(section: section, slug: slug)
        case .section(let slug): return SiteURLs.section(slug)
        case .topic(let slug): return SiteURLs.topic(slug)
        case .tag(let slug): return SiteURLs.tag(slug)
        case .author(let slug): return SiteURLs.author(slug)
        case .feed: return SiteURLs.feed(of: SiteURLs.home, .rss)
        case .home: return SiteURLs.home
        }
    }
}

/// The old site's addresses answer 301 to where their content is now. Asked only when no page of ours answers (a
/// 404 from the router), and for the home page with WordPress's `?p=123` or `?page_id=12` (which the page cache
/// passes through), so an old address never shadows a real page and costs ordinary pages nothing. (An old address
/// spelled with a trailing slash, as WordPress writes them, is answered by `PageCacheMiddleware` in one hop.)
struct LegacyRedirectMiddleware<Context: RequestContext>: RouterMiddleware {
    let resolver: LegacyRedirectResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        if LegacyRedirectResolver.namesOldPost(path: request.uri.path, query: request.uri.query),
            let location = try await resolver.location(path: "/", query: request.uri.query)
        {
            return .redirect(permanentlyTo: location)
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let location = try await resolver.location(path: request.uri.path, query: request.uri.query) else { throw error }
            return .redirect(permanentlyTo: location)
        }
    }
}
