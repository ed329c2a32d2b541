import Foundation
import Hummingbird
import VestnikStore

/// The old site's addresses (an import's `LegacyRedirects`) answer 301 to where their content is now. Asked only
/// when no page of ours answers (a 404 from the router), and for the home page with WordPress's `?p=123` or
/// `?page_id=12`, so an old address never shadows a real page and costs ordinary pages nothing.
struct LegacyRedirectMiddleware<Context: RequestContext>: RouterMiddleware {
    let redirects: LegacyRedirects
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        if request.uri.path == "/", let query = request.uri.query, !query.isEmpty,
            let key = LegacyRedirects.key(path: "/", query: query), key != "/", let found = try await location(key)
        {
            return found
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let key = LegacyRedirects.key(path: request.uri.path, query: request.uri.query), let found = try await location(key) else {
                throw error
            }
            return found
        }
    }

    private func location(_ key: String) async throws -> Response? {
        guard let target = try await redirects.target(key, now: now()) else { return nil }
        let path: String
        switch target {
        case .article(let section, let slug): path = SiteURLs.article(section: section, slug: slug)
        case .section(let slug): path = SiteURLs.section(slug)
        case .topic(let slug): path = SiteURLs.topic(slug)
        case .tag(let slug): path = SiteURLs.tag(slug)
        case .author(let slug): path = SiteURLs.author(slug)
        case .feed: path = SiteURLs.feed(of: SiteURLs.home, .rss)
        case .home: path = SiteURLs.home
        }
        return .redirect(permanentlyTo: path)
    }
}
