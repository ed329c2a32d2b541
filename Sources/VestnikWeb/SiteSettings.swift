import Foundation
import Logging
import VestnikCore
import VestnikStore

/// The site settings as pages read them, read together from the database: one value, so a page made while a
/// setting changes uses either the old settings or the new ones, never half of each.
public struct SiteSettings: Sendable {
    public let locale: SiteLocale
    public let siteName: String
    public let followURL: String
    /// The site's public address without a trailing slash.
    public let publicURL: String
    public let moreBlocks: InlineMoreBlocks
    public let feedContent: FeedContent
    public let apiOrigins: APIOrigins
    /// `newsroom.totp_required`: editors and chief editors must sign in with a code.
    public let twoFactorRequired: Bool
    let views: ViewFactory

    /// Reads every setting at once; a stored value no page could use (written before its rule existed) is an error
    /// that says how to change it.
    static func load(
        settings: SettingsRepository, theme: Theme, defaultURL: String, now: @escaping @Sendable () -> Date
    ) async throws -> SiteSettings {
        let stored = try await settings.all()
        let code = stored[SettingKeys.locale] ?? "bg"
        guard
            SiteLocale.available.contains(code)
                || FileManager.default.fileExists(atPath: theme.localesFolder.appendingPathComponent("\(code).json").path)
        else { throw ThemeError("the site setting \(SettingKeys.locale) = \(code) names no locale file") }
        let locale = try theme.locale(code)
        let name = stored[SettingKeys.siteName] ?? locale["site_name"]
        let follow = stored[SettingKeys.followURL] ?? "https://news.google.com/"
        var address = stored[SettingKeys.publicURL] ?? defaultURL
        for key in [SettingKeys.followURL, SettingKeys.publicURL] {
            if let value = stored[key], let problem = SettingRules.problem(key: key, value: value) {
                throw ThemeError("the site setting \(problem); change it with `vestnik setting \(key) https://…`")
            }
        }
        var moreBlocks = InlineMoreBlocks()
        if let after = stored[SettingKeys.moreAfterParagraphs] {
            guard let positions = SettingRules.moreAfter(after) else {
                throw ThemeError("the site setting \(SettingKeys.moreAfterParagraphs) must list paragraph numbers, e.g. 1,2,4")
            }
            moreBlocks = InlineMoreBlocks(afterParagraphs: positions, blockSizes: positions.indices.map { $0 % 2 == 0 ? 2 : 1 })
        }
        while address.hasSuffix("/") { address.removeLast() }
        let siteURL = URLText.percentEncoded(address)
        let feedSetting = stored[SettingKeys.feedContent] ?? FeedContent.summary.rawValue
        guard let feedContent = FeedContent(rawValue: feedSetting) else {
            throw ThemeError("the site setting \(SettingKeys.feedContent) must be one of \(FeedContent.allNames), not \(feedSetting)")
        }
        var apiOrigins = APIOrigins.none
        if let origins = stored[SettingRules.corsOriginsKey] {
            guard let parsed = APIOrigins(setting: origins) else {
                throw ThemeError("the site setting \(SettingRules.problem(key: SettingRules.corsOriginsKey, value: origins) ?? origins)")
            }
            apiOrigins = parsed
        }
        return SiteSettings(
            locale: locale, siteName: name, followURL: follow, publicURL: siteURL, moreBlocks: moreBlocks, feedContent: feedContent,
            apiOrigins: apiOrigins, twoFactorRequired: stored[SettingRules.twoFactorRequiredKey] == "yes",
            views: ViewFactory(locale: locale, assets: theme.assets, siteName: name, publicURL: siteURL, now: now))
    }
}

/// Holds the current `SiteSettings` and swaps them whole when they are read again. Reads that overlap keep the
/// order they started in: a read begun before a change cannot put back the old settings after a later read stored
/// the new ones.
final class SiteSettingsBox: @unchecked Sendable {
    /// The origin under which the pages a settings change names are dropped again once the settings are read.
    static let reloaded = "settings-reloaded"

    private let lock = NSLock()
    private var settings: SiteSettings
    private var started = 0
    private var stored = 0
    private let load: @Sendable () async throws -> SiteSettings
    private let logger = Logger(label: "vestnik.settings")

    init(_ settings: SiteSettings, load: @escaping @Sendable () async throws -> SiteSettings) {
        self.settings = settings
        self.load = load
    }

    var current: SiteSettings { lock.withLock { settings } }

    /// `current.publicURL` without copying the rest (every answer asks it: `SecurityHeadersResponder`).
    var publicURL: String { lock.withLock { settings.publicURL } }

    /// Reads the settings again; if they cannot be used, keeps the ones in force and logs why.
    func reload() async {
        let ticket = lock.withLock {
            started += 1
            return started
        }
        do {
            let fresh = try await load()
            lock.withLock {
                guard ticket > stored else { return }
                settings = fresh
                stored = ticket
            }
        } catch {
            logger.error("cannot read the site settings again, keeping those in force: \(error)")
        }
    }
}
