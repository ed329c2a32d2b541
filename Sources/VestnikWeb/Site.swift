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
    public let reads: ReadRepository
    public let theme: Theme
    public let locale: SiteLocale
    public let siteName: String
    public let followURL: String
    /// The site's public address without a trailing slash (`https://vestnik.bg`): canonical links and Open Graph
    /// need absolute URLs.
    public let publicURL: String
    /// Where the "Още:" blocks go in an article body.
    public let moreBlocks: InlineMoreBlocks
    /// The clock every "now" comes from, so tests can stand on a fixed moment.
    public let now: @Sendable () -> Date

    /// Reads the site settings (language, name) and loads the theme's matching locale.
    /// `publicURL` is used when the `site.url` setting is not set.
    public static func make(
        database: Database, theme: Theme, publicURL: String = "http://127.0.0.1:8080",
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> Site {
        let settings = SettingsRepository(database: database)
        let code = try await settings.value(SettingKeys.locale) ?? "bg"
        guard SiteLocale.available.contains(code) || FileManager.default.fileExists(atPath: theme.localesFolder.appendingPathComponent("\(code).json").path)
        else { throw ThemeError("the site setting \(SettingKeys.locale) = \(code) names no locale file") }
        let locale = try theme.locale(code)
        let name = try await settings.value(SettingKeys.siteName) ?? locale["site_name"]
        let follow = try await settings.value(SettingKeys.followURL) ?? "https://news.google.com/"
        var moreBlocks = InlineMoreBlocks()
        if let after = try await settings.value(SettingKeys.moreAfterParagraphs) {
            let positions = after.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
            guard !positions.isEmpty else {
                throw ThemeError("the site setting \(SettingKeys.moreAfterParagraphs) must list paragraph numbers, e.g. 1,2,4")
            }
            moreBlocks = InlineMoreBlocks(afterParagraphs: positions, blockSizes: positions.indices.map { $0 % 2 == 0 ? 2 : 1 })
        }
        var address = try await settings.value(SettingKeys.publicURL) ?? publicURL
        while address.hasSuffix("/") { address.removeLast() }
        return Site(
            database: database, articles: ArticleRepository(database: database),
            taxonomy: TaxonomyRepository(database: database), settings: settings,
            search: SearchRepository(database: database), reads: ReadRepository(database: database), theme: theme,
            locale: locale, siteName: name, followURL: follow, publicURL: address, moreBlocks: moreBlocks, now: now)
    }

    var views: ViewFactory {
        ViewFactory(locale: locale, assets: theme.assets, siteName: siteName, publicURL: publicURL, now: now)
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
}
