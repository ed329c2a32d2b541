import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// `/popravki`: the newest corrections and clarifications on the site's articles, and the same as RSS, Atom and
/// JSON Feed beside it. Each page carries `corrections` (a new note) and its articles' keys (a renamed or withdrawn
/// article), so exactly these pages drop when either changes.
struct CorrectionsController<Context: RequestContext>: Sendable {
    let site: Site
    /// Notes on the page and in each feed.
    let limit = 50

    func addRoutes(to router: Router<Context>) {
        router.get(RouterPath(SiteURLs.corrections)) { _, _ in try await page() }
        for format in FeedFormat.allCases {
            router.get(RouterPath(SiteURLs.feed(of: SiteURLs.corrections, format))) { request, _ in
                try await feed(format, request)
            }
        }
    }

    private var repository: CorrectionRepository { CorrectionRepository(database: site.database) }

    private func page() async throws -> Response {
        let now = site.now()
        let listed = try await repository.latest(limit: limit, now: now)
        let sections = try await site.lists.sections(now: now)
        let views = site.views
        let heading = site.locale["corrections_title"]
        let view = CorrectionsPageView(
            layout: views.layout(
                title: heading, description: site.locale["corrections_intro"], canonical: SiteURLs.corrections, sections: sections,
                banner: try await site.lists.banner(now: now),
                feeds: feedLinks(), jsonLD: [views.structuredData.breadcrumbs([(heading, SiteURLs.corrections)])], now: now),
            heading: heading, intro: site.locale["corrections_intro"],
            corrections: listed.map { views.correction($0.correction, article: $0.article) }, empty: listed.isEmpty)
        return .page(try site.theme.render("corrections", view), keys: keys(listed))
    }

    private func feed(_ format: FeedFormat, _ request: Request) async throws -> Response {
        let now = site.now()
        let listed = try await repository.latest(limit: limit, now: now)
        let views = site.views
        let host = URLComponents(string: site.publicURL)?.host ?? "localhost"
        let items = listed.map { entry -> FeedItem in
            let note = entry.correction
            let label = site.locale["correction_kind_" + note.kind.rawValue]
            return FeedItem(
                id: "tag:\(host),\(views.dates.rfc3339UTC(note.at).prefix(10)):correction-\(note.id)",
                url: views.absolute(SiteURLs.article(entry.article) + "#" + CorrectionView.anchor(note)),
                title: "\(label): \(entry.article.headline)", summary: note.text, contentHTML: nil, published: note.at,
                updated: note.at, authors: [], categories: [label], image: nil)
        }
        let lastModified = listed.map(\.correction.at).max()
        let feed = Feed(
            title: views.pageTitle(site.locale["corrections_title"]), description: site.locale["corrections_intro"],
            pageURL: views.absolute(SiteURLs.corrections),
            selfURLs: Dictionary(
                uniqueKeysWithValues: FeedFormat.allCases.map { ($0, views.absolute(SiteURLs.feed(of: SiteURLs.corrections, $0))) }),
            language: site.locale.language, publisher: site.siteName,
            iconURL: ViewFactory.picture(ViewFactory.logo, in: views.assets, publicURL: site.publicURL).url,
            updated: lastModified ?? now, lastModified: lastModified, items: items)
        return Response.conditional(
            FeedWriter(dates: views.dates).render(feed, as: format), contentType: format.mediaType + "; charset=utf-8",
            lastModified: lastModified, request: request, dates: views.dates
        ).cacheable(under: keys(listed, feed: true))
    }

    private func keys(_ listed: [ListedCorrection], feed: Bool = false) -> PageKeys {
        var keys = PageKeys()
        if feed { keys.insert(CacheKey.feeds) }
        keys.insert(CacheKey.corrections)
        keys.insert(listed.map(\.article))
        return keys
    }

    private func feedLinks() -> [FeedLink] {
        let name = site.locale["corrections_title"]
        return FeedFormat.allCases.map { format in
            FeedLink(
                title: site.locale.format("feed_link", ["name": name, "format": format.displayName]), type: format.mediaType,
                url: SiteURLs.feed(of: SiteURLs.corrections, format))
        }
    }
}
