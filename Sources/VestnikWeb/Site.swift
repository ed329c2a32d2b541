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
    /// The embedded posts' titles and thumbnails for their facades, looked up in the background.
    public var embedPreviews: EmbedPreviewRepository { EmbedPreviewRepository(database: database) }
    public let theme: Theme
    /// The site settings as pages read them, swapped whole when a setting changes on any node (`SiteSettings`).
    let settingsBox: SiteSettingsBox
    /// The settings now: read it once where a request needs several of them, so they agree with each other.
    public var current: SiteSettings { settingsBox.current }
    public var locale: SiteLocale { current.locale }
    public var siteName: String { current.siteName }
    public var followURL: String { current.followURL }
    /// The site's public address without a trailing slash (`https://vestnik.bg`): canonical links and Open Graph
    /// need absolute URLs.
    public var publicURL: String { settingsBox.publicURL }
    /// Where the "Още:" blocks go in an article body.
    public var moreBlocks: InlineMoreBlocks { current.moreBlocks }
    /// Whether feeds carry whole articles or only their leads (the `feed.content` setting).
    public var feedContent: FeedContent { current.feedContent }
    /// Which web origins may read the content API from a browser (the `api.cors_origins` setting).
    public var apiOrigins: APIOrigins { current.apiOrigins }
    /// How much the feeds and sitemaps carry.
    public var limits: ReachLimits
    /// The clock every "now" comes from, so tests can stand on a fixed moment.
    public let now: @Sendable () -> Date
    /// The sections and "Новините днес", shared by every public page.
    let lists: SharedLists
    /// Turns newsroom objects into view models (made once per settings, with their date formatters and linked-data
    /// publisher).
    var views: ViewFactory { current.views }

    /// Reads the site settings (language, name…) and loads the theme's matching locale; from then on reads them
    /// again whenever a change announcement names `CacheKey.settings` (made by `SettingsService` on any node, or by
    /// the external-write watcher on SQLite), then drops again the pages the change names, so no page made from the
    /// old settings while they were being read stays cached. `publicURL` is used when the `site.url` setting is not
    /// set.
    public static func make(
        database: Database, theme: Theme, publicURL: String = "http://127.0.0.1:8080",
        now: @escaping @Sendable () -> Date = { Date() }, passwordHasher: PasswordHasher = PasswordHasher(),
        media: MediaSettings = MediaSettings(), secrets: TOTPSecretBox? = nil
    ) async throws -> Site {
        let settings = SettingsRepository(database: database)
        let box = SiteSettingsBox(
            try await SiteSettings.load(settings: settings, theme: theme, defaultURL: publicURL, now: now)
        ) { try await SiteSettings.load(settings: settings, theme: theme, defaultURL: publicURL, now: now) }
        let feed = database.changes
        // This node's own changes: read again before the caches hear of them.
        feed.subscribeBeforeDelivery { change in if change.changesSettings { await box.reload() } }
        // Other nodes' changes (LISTEN/NOTIFY) arrive here only: read again, then drop the pages once more.
        feed.subscribeToOtherNodes { change in
            guard change.changesSettings else { return }
            Task {
                await box.reload()
                var pages = change
                pages.keys.remove(CacheKey.settings)
                feed.deliver(pages, fromNode: SiteSettingsBox.reloaded)
            }
        }
        return Site(
            database: database, articles: ArticleRepository(database: database),
            taxonomy: TaxonomyRepository(database: database), settings: settings,
            search: SearchRepository(database: database),
            accounts: Accounts(database: database, hasher: passwordHasher),
            twoFactor: TwoFactor(
                database: database, box: try secrets ?? TOTPSecretBox.fromEnvironment(), required: { box.current.twoFactorRequired }),
            editorial: EditorialRepository(database: database),
            writes: ArticleWriteService(database: database),
            drafts: DraftKeeping(database: database), reads: ReadRepository(database: database),
            media: MediaRepository(database: database), mediaFiles: MediaFiles(folder: media.folder), mediaSettings: media,
            renditions: MediaRenditions(database: database, files: MediaFiles(folder: media.folder)),
            theme: theme, settingsBox: box, limits: ReachLimits(), now: now, lists: SharedLists(database: database))
    }
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
