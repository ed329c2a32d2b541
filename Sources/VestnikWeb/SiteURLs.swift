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

    /// `base` with `?page=n`, or `base` itself for the first page.
    public static func page(_ base: String, _ number: Int) -> String { number <= 1 ? base : "\(base)?page=\(number)" }
}
