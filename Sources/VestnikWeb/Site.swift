import Foundation
import Logging
import VestnikCore
import VestnikStore

/// Everything a request handler may use, built once at start-up and passed in (no globals).
public struct Site: Sendable {
    public let database: Database
    public let articles: ArticleRepository
    public let taxonomy: TaxonomyRepository
    public let settings: SettingsRepository
    public let search: SearchRepository
    public let accounts: Accounts
    /// Two-factor sign-in (TOTP): enrolment, codes, recovery codes.
    public let twoFactor: TwoFactor
    public let editorial: EditorialRepository
    /// The one way articles are written (newsroom, scheduler, importers).
    public let writes: ArticleWriteService
    public let drafts: DraftKeeping
    public let reads: ReadRepository
    /// The media library: its rows, its files, and its limits.
    public let media: MediaRepository
    public let mediaFiles: MediaFiles
    public let mediaSettings: MediaSettings
    /// The pictures' smaller sizes and other formats, and the queue that makes them (`var`: tests turn libvips off).
    public var renditions: MediaRenditions
    public let theme: Theme
    public let locale: SiteLocale
    public let siteName: String
    public let followURL: String
    /// The site's public address without a trailing slash (`https://vestnik.bg`): canonical links and Open Graph
    /// need absolute URLs.
    public let publicURL: String
    /// Where the "Още:" blocks go in an article body.
    public let moreBlocks: InlineMoreBlocks
    /// Whether feeds carry whole articles or only their leads (the `feed.content` setting).
    public let feedContent: FeedContent
    /// Which web origins may read the content API from a browser (the `api.cors_origins` setting).
    public let apiOrigins: APIOrigins
    /// How much the feeds and sitemaps carry.
    public var limits: ReachLimits
    /// The clock every "now" comes from, so tests can stand on a fixed moment.
    public let now: @Sendable () -> Date
    /// The sections and "Новините днес", shared by every public page.
    let lists: SharedLists
    /// Turns newsroom objects into view models; made once (its date formatters and linked-data publisher were
    /// made again for every page).
    let views: ViewFactory

    /// Reads the site settings (language, name) and loads the theme's matching locale.
    /// `publicURL` is used when the `site.url` setting is not set.
    public static func make(
        database: Database, theme: Theme, publicURL: String = "http://127.0.0.1:8080",
        now: @escaping @Sendable () -> Date = { Date() }, passwordHasher: PasswordHasher = PasswordHasher(),
        media: MediaSettings = MediaSettings(), secrets: TOTPSecretBox? = nil
    ) async throws -> Site {
        let settings = SettingsRepository(database: database)
        let code = try await settings.value(SettingKeys.locale) ?? "bg"
        guard
            SiteLocale.available.contains(code)
                || FileManager.default.fileExists(atPath: theme.localesFolder.appendingPathComponent("\(code).json").path)
        else { throw ThemeError("the site setting \(SettingKeys.locale) = \(code) names no locale file") }
        let locale = try theme.locale(code)
        let name = try await settings.value(SettingKeys.siteName) ?? locale["site_name"]
        let follow = try await settings.value(SettingKeys.followURL) ?? "https://news.google.com/"
        if let problem = SettingRules.problem(key: SettingKeys.followURL, value: follow) {
            throw ThemeError("the site setting \(problem); change it with `vestnik setting \(SettingKeys.followURL) https://…`")
        }
        var moreBlocks = InlineMoreBlocks()
        if let after = try await settings.value(SettingKeys.moreAfterParagraphs) {
            let positions = after.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
            guard !positions.isEmpty else {
                throw ThemeError("the site setting \(SettingKeys.moreAfterParagraphs) must list paragraph numbers, e.g. 1,2,4")
            }
            moreBlocks = InlineMoreBlocks(afterParagraphs: positions, blockSizes: positions.indices.map { $0 % 2 == 0 ? 2 : 1 })
        }
        let storedAddress = try await settings.value(SettingKeys.publicURL)
        var address = storedAddress ?? publicURL
        if let storedAddress, let problem = SettingRules.problem(key: SettingKeys.publicURL, value: storedAddress) {
            throw ThemeError("the site setting \(problem); change it with `vestnik setting \(SettingKeys.publicURL) https://…`")
        }
        while address.hasSuffix("/") { address.removeLast() }
        let siteURL = URLText.percentEncoded(address)
        let feedSetting = try await settings.value(SettingKeys.feedContent) ?? FeedContent.summary.rawValue
        guard let feedContent = FeedContent(rawValue: feedSetting) else {
            throw ThemeError("the site setting \(SettingKeys.feedContent) must be one of \(FeedContent.allNames), not \(feedSetting)")
        }
        var apiOrigins = APIOrigins.none
        if let origins = try await settings.value(SettingRules.corsOriginsKey) {
            guard let parsed = APIOrigins(setting: origins) else {
                throw ThemeError("the site setting \(SettingRules.problem(key: SettingRules.corsOriginsKey, value: origins) ?? origins)")
            }
            apiOrigins = parsed
        }
        return Site(
            database: database, articles: ArticleRepository(database: database),
            taxonomy: TaxonomyRepository(database: database), settings: settings,
            search: SearchRepository(database: database),
            accounts: Accounts(database: database, hasher: passwordHasher),
            twoFactor: TwoFactor(database: database, box: try secrets ?? TOTPSecretBox.fromEnvironment()),
            editorial: EditorialRepository(database: database),
            writes: ArticleWriteService(database: database),
            drafts: DraftKeeping(database: database), reads: ReadRepository(database: database),
            media: MediaRepository(database: database), mediaFiles: MediaFiles(folder: media.folder), mediaSettings: media,
            renditions: MediaRenditions(database: database, files: MediaFiles(folder: media.folder)),
            theme: theme, locale: locale,
            siteName: name, followURL: follow, publicURL: siteURL, moreBlocks: moreBlocks,
            feedContent: feedContent, apiOrigins: apiOrigins, limits: ReachLimits(), now: now,
            lists: SharedLists(database: database),
            views: ViewFactory(locale: locale, assets: theme.assets, siteName: name, publicURL: siteURL, now: now))
    }
}

/// Names of the site settings kept in the database.
public enum SettingKeys {
    /// `bg` or `en`: the language of the public site.
    public static let locale = "site.locale"
    public static let siteName = "site.name"
    /// Where the "follow us on Google News" line points.
    public static let followURL = "site.follow_url"
    /// After which paragraphs "Още:" blocks stand, e.g. `1,2,4`.
    public static let moreAfterParagraphs = "site.more_after"
    /// The public address of the site, e.g. `https://vestnik.bg`.
    public static let publicURL = "site.url"
    /// Set once the demo content has been loaded, so deleting it never brings it back.
    public static let demoLoaded = "site.demo_loaded"
    /// `summary` (the default) or `full`: what feeds carry of each article.
    public static let feedContent = "feed.content"
}

/// What a feed carries of each article: publishers who live from visits give the lead, others the whole text.
public enum FeedContent: String, Sendable, CaseIterable {
    case summary, full

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How much the feeds and sitemaps carry. The defaults are the protocols' own limits; tests make them small to see
/// paging with a handful of articles.
public struct ReachLimits: Sendable {
    /// Items in a feed.
    public var feedItems = 30
    /// URLs in one sitemap (sitemaps.org: at most 50,000).
    public var sitemapURLs = 50_000
    /// URLs in the news sitemap (Google News: at most 1,000).
    public var newsURLs = 1_000
    /// How far back the news sitemap reaches (Google News: two days).
    public var newsWindow: TimeInterval = 48 * 3600
    /// Rows read per query while a sitemap streams out.
    public var chunk = 1_000

    public init() {}
}
