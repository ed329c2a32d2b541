import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// RSS, Atom and JSON Feed for the whole site and for each section, topic, tag and author, each beside its list
/// page: `/rss.xml`, `/svyat/atom.xml`, `/tema/{slug}/feed.json`, `/tag/{slug}/rss.xml`, `/avtor/{slug}/rss.xml`.
struct FeedController<Context: RequestContext>: Sendable {
    let site: Site

    func addRoutes(to router: Router<Context>) {
        for format in FeedFormat.allCases {
            router.get(RouterPath(SiteURLs.feed(of: SiteURLs.home, format))) { request, _ in
                try await feed(.site, format, request)
            }
            for kind in TaxonomyKind.allCases {
                // The parameter names are the list pages' own (`PublicController`): one trie node per position.
                let parameter = kind == .section ? "section" : "slug"
                router.get(RouterPath(SiteURLs.feed(of: SiteURLs.list(kind, "{\(parameter)}"), format))) { request, context in
                    let slug = try context.parameters.slug(parameter)
                    let subject: ListSubject
                    do {
                        subject = try await ListSubject.resolve(kind, slug: slug, in: site)
                    } catch let error as HTTPError where error.status == .notFound {
                        // A feed under a slug the newsroom renamed away moves with its page (readers follow a 301).
                        guard let current = try await site.taxonomy.movedSlug(kind, from: slug) else { throw error }
                        return Response.redirect(permanentlyTo: SiteURLs.feed(of: SiteURLs.list(kind, current), format))
                    }
                    return try await feed(subject, format, request)
                }
            }
        }
    }

    private func feed(_ subject: ListSubject, _ format: FeedFormat, _ request: Request) async throws -> Response {
        let now = site.now()
        let articles = try await site.articles.latest(subject.filter, limit: site.limits.feedItems, now: now)
        if articles.isEmpty && !subject.isPublicWhenEmpty { throw HTTPError(.notFound) }
        let views = site.views
        let pictures = try await site.renditions.renditions(of: articles.compactMap { $0.featuredImage?.address.hash })
        let feed = views.feed(subject, articles: articles, content: site.feedContent, pictures: pictures, now: now)
        let text = FeedWriter(dates: views.dates).render(feed, as: format)
        var keys = PageKeys()
        keys.insert(CacheKey.feeds)
        keys.insert(subject)
        keys.insert(articles)
        return Response.conditional(
            text, contentType: format.mediaType + "; charset=utf-8", lastModified: feed.lastModified, request: request,
            dates: views.dates
        ).cacheable(under: keys)
    }
}

extension ViewFactory {
    /// The feed of a list: its newest articles, whole or as leads, with absolute links throughout; each with its
    /// picture: the featured picture's 16×9 crop (1200 wide) once made (`pictures`: renditions by picture), else
    /// the original.
    func feed(
        _ subject: ListSubject, articles: [Article], content: FeedContent, pictures: [String: [Rendition]] = [:], now: Date
    ) -> Feed {
        let host = URLComponents(string: publicURL)?.host ?? "localhost"
        let items = articles.map { article -> FeedItem in
            var body: String?
            if content == .full {
                body =
                    "<p>\(HTML.escape(article.lead))</p>\n"
                    + ArticleBody.resolvingRootRelativeURLs(in: EmbedHTML(locale: locale).renderBody(article.bodyHTML), against: publicURL)
            }
            return FeedItem(
                id: "tag:\(host),\(dates.rfc3339UTC(article.publishedAt).prefix(10)):article-\(article.id)",
                url: absolute(SiteURLs.article(article)), title: article.headline, summary: article.lead,
                contentHTML: body, published: article.publishedAt, updated: article.updatedAt,
                authors: article.authors.map { FeedPerson(name: $0.name, url: absolute(SiteURLs.author($0.slug))) },
                categories: [article.section.name] + article.tags.map(\.name),
                image: self.pictures(for: article, renditions: article.featuredImage.flatMap { pictures[$0.address.hash] } ?? [])[0])
        }
        let lastModified = articles.map(\.updatedAt).max()
        return Feed(
            title: pageTitle(subject.name), description: feedDescription(subject), pageURL: absolute(subject.path),
            selfURLs: Dictionary(uniqueKeysWithValues: FeedFormat.allCases.map { ($0, absolute(SiteURLs.feed(of: subject.path, $0))) }),
            language: locale.language, publisher: siteName,
            iconURL: Self.picture(Self.logo, in: assets, publicURL: publicURL).url, updated: lastModified ?? now,
            lastModified: lastModified, items: items)
    }

    private func feedDescription(_ subject: ListSubject) -> String {
        if subject.isWholeSite { return locale["site_description"] }
        return subject.description ?? locale.format("feed_description", ["name": subject.name ?? siteName])
    }
}
