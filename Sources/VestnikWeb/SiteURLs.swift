import Foundation
import VestnikCore

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

    /// Where an article page reports a read (`POST`), and the image that does it without JavaScript.
    public static func readBeacon(_ articleID: Int) -> String { "/api/reads/\(articleID)" }
    public static func readPixel(_ articleID: Int) -> String { "/api/reads/\(articleID).gif" }
    /// The read statistics: the dashboard, and one article's reads over time.
    public static let readDashboard = "/statistika"
    public static func readStats(_ articleID: Int) -> String { "/statistika/\(articleID)" }

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
}
