import Foundation
import VestnikCore
import VestnikStore

/// Every public URL of the site, built in one place so that links and routes cannot drift apart.
public enum SiteURLs {
    public static let home = "/"
    public static func article(section: String, slug: String) -> String { "/\(section)/\(slug)" }
    public static func article(_ summary: ArticleSummary) -> String { article(section: summary.sectionSlug, slug: summary.slug) }
    public static func article(_ article: Article) -> String { self.article(section: article.section.slug, slug: article.slug) }
    public static func section(_ slug: String) -> String { "/\(slug)" }
    public static func topic(_ slug: String) -> String { "/tema/\(slug)" }
    public static func tag(_ slug: String) -> String { "/tag/\(slug)" }
    public static func author(_ slug: String) -> String { "/avtor/\(slug)" }
    /// The list page of a section, topic, tag or author.
    public static func list(_ kind: TaxonomyKind, _ slug: String) -> String {
        switch kind {
        case .section: return section(slug)
        case .topic: return topic(slug)
        case .tag: return tag(slug)
        case .author: return author(slug)
        }
    }

    /// Where an article page reports a read (`POST`), and the image that does it without JavaScript.
    public static func readBeacon(_ articleID: Int) -> String { "/api/reads/\(articleID)" }
    public static func readPixel(_ articleID: Int) -> String { "/api/reads/\(articleID).gif" }

    /// The search page: `/търсене`, percent-encoded as it travels (`/search` and `/tarsene` answer too).
    public static let search = "/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5"
    public static let searchAPI = "/api/search"

    /// `path` with its query parameters, percent-encoded; empty values are left out.
    public static func withQuery(_ path: String, _ items: [(String, String)]) -> String {
        var components = URLComponents()
        components.queryItems = items.filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves "+" alone, but a form decodes it as a space.
        let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return query.isEmpty ? path : path + "?" + query
    }

    /// `base` with `?page=n`, or `base` itself for the first page.
    public static func page(_ base: String, _ number: Int) -> String { number <= 1 ? base : "\(base)?page=\(number)" }

    /// The feed of a list page, beside it: `/rss.xml` for the home page, `/svyat/atom.xml`, `/tag/rusia/feed.json`.
    public static func feed(of list: String, _ format: FeedFormat) -> String {
        (list == home ? "" : list) + "/" + format.fileName
    }

    /// The corrections page: the newest corrections and clarifications (its feeds beside it, `/popravki/rss.xml`).
    public static let corrections = "/popravki"
    /// A live blog's newest entries, as the part of its page they fill: its page's script asks every 2 seconds, with
    /// `?t=` the 2-second slot, so a CDN shares each slot's answer among all readers.
    public static func liveEntries(_ articleID: Int) -> String { "/na-zhivo/\(articleID)" }

    public static let robots = "/robots.txt"
    /// The sitemap index: every other sitemap but the news one.
    public static let sitemapIndex = "/sitemap.xml"
    /// Google News: the articles of the last 48 hours.
    public static let newsSitemap = "/news-sitemap.xml"
    /// One sitemap of the index, by its name (`articles-2026-11`, `tags-2`).
    public static func sitemap(_ name: String) -> String { "/sitemaps/\(name).xml" }

    /// `path` on the site at `publicURL` (`https://vestnik.bg`), for the places that need absolute addresses.
    public static func absolute(_ path: String, on publicURL: String) -> String {
        path.hasPrefix("/") ? publicURL + path : path
    }
}

/// The feed formats every list page offers.
public enum FeedFormat: String, Sendable, CaseIterable {
    case rss, atom, json

    /// The last segment of the feed's URL.
    public var fileName: String {
        switch self {
        case .rss: return "rss.xml"
        case .atom: return "atom.xml"
        case .json: return "feed.json"
        }
    }

    /// The media type, as served and as named in `<link rel="alternate" type=…>`.
    public var mediaType: String {
        switch self {
        case .rss: return "application/rss+xml"
        case .atom: return "application/atom+xml"
        case .json: return "application/feed+json"
        }
    }

    /// The name readers know the format by.
    public var displayName: String {
        switch self {
        case .rss: return "RSS"
        case .atom: return "Atom"
        case .json: return "JSON Feed"
        }
    }
}
