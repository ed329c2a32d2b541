import Foundation
import SQLKit
import VestnikCore

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

/// One setting a chief editor may change (the newsroom's settings page, `vestnik setting`): its key, the group it is
/// shown in, the values it takes, and which public pages show it (what a change drops from the caches).
public struct SettingDefinition: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text, address, number
        case choice([String])
    }

    /// Which cached pages show the setting.
    public enum Shown: Sendable, Equatable {
        /// Every page (the site's name, language, address).
        case everywhere
        /// Every article's own page (the "follow us" line, the "Още:" blocks).
        case articlePages
        /// The feeds.
        case feeds
        /// No cached public page (sign-in, mail, backups; `/.well-known/security.txt` and API headers are made per
        /// request).
        case nowhere
    }

    public let key: String
    /// The page's group: `site`, `feeds`, `newsroom`, `mail`, `backup`, `api`.
    public let group: String
    public let kind: Kind
    public let shown: Shown

    /// The keys of the pages a change of this setting alters, with `CacheKey.settings` so every node reloads it.
    public var change: ContentChange {
        switch shown {
        case .everywhere: ContentChange(keys: [CacheKey.settings, CacheKey.site])
        case .articlePages: ContentChange(keys: [CacheKey.settings, CacheKey.articlePages])
        case .feeds: ContentChange(keys: [CacheKey.settings, CacheKey.feeds])
        case .nowhere: ContentChange(keys: [CacheKey.settings])
        }
    }
}

/// Every setting the settings page shows and `vestnik setting` documents, in the page's order. (Settings Vestnik keeps
/// for itself, such as `site.demo_loaded` or `backup.last_started`, are not here.) No setting holds a secret: the
/// SMTP password is read from the environment (`VESTNIK_SMTP_PASSWORD`), never from the database.
public enum SettingCatalog {
    public static let locales = ["bg", "en"]

    public static let all: [SettingDefinition] = [
        .init(key: SettingKeys.siteName, group: "site", kind: .text, shown: .everywhere),
        .init(key: SettingKeys.locale, group: "site", kind: .choice(locales), shown: .everywhere),
        .init(key: SettingKeys.publicURL, group: "site", kind: .address, shown: .everywhere),
        .init(key: SettingKeys.followURL, group: "site", kind: .address, shown: .articlePages),
        .init(key: SettingKeys.moreAfterParagraphs, group: "site", kind: .text, shown: .articlePages),
        .init(key: SettingKeys.feedContent, group: "feeds", kind: .choice(FeedContent.allCases.map(\.rawValue)), shown: .feeds),
        .init(key: SettingRules.twoFactorRequiredKey, group: "newsroom", kind: .choice(["no", "yes"]), shown: .nowhere),
        .init(key: SettingRules.securityContactKey, group: "newsroom", kind: .text, shown: .nowhere),
        .init(key: "mail.from", group: "mail", kind: .text, shown: .nowhere),
        .init(key: "mail.smtp_host", group: "mail", kind: .text, shown: .nowhere),
        .init(key: "mail.smtp_port", group: "mail", kind: .number, shown: .nowhere),
        .init(key: "mail.smtp_tls", group: "mail", kind: .choice(["starttls", "tls", "off"]), shown: .nowhere),
        .init(key: "mail.smtp_user", group: "mail", kind: .text, shown: .nowhere),
        .init(key: "mail.smtp_ca_file", group: "mail", kind: .text, shown: .nowhere),
        .init(key: "backup.folder", group: "backup", kind: .text, shown: .nowhere),
        .init(key: "backup.every_hours", group: "backup", kind: .number, shown: .nowhere),
        .init(key: "backup.keep", group: "backup", kind: .number, shown: .nowhere),
        .init(key: SettingRules.corsOriginsKey, group: "api", kind: .text, shown: .nowhere),
    ]

    public static func definition(_ key: String) -> SettingDefinition? { all.first { $0.key == key } }

    /// The keys, comma-separated, for messages and `--help`.
    public static var keyList: String { all.map(\.key).joined(separator: ", ") }
}

/// What the settings service refuses.
public enum SettingsError: Error, Equatable, CustomStringConvertible {
    /// Only a chief editor (or the operator at the shell) changes settings.
    case notAllowed
    /// The key is not one of `SettingCatalog.all`.
    case unknownKey(String)
    /// The value is not one the setting takes: the sentence says why.
    case invalid(key: String, problem: String)

    public var description: String {
        switch self {
        case .notAllowed: "only a chief editor changes the site's settings"
        case .unknownKey(let key): "there is no setting \(key); the settings are \(SettingCatalog.keyList)"
        case .invalid(_, let problem): problem
        }
    }
}

/// The one way a chief editor's setting changes, for the newsroom's settings page and `vestnik setting` alike: checks
/// the acting user's role and the value, writes it with an audit row (who, key, old → new) in one transaction, and
/// announces the change with the keys of exactly the pages it alters plus `CacheKey.settings`, so every running node
/// reloads its settings (LISTEN/NOTIFY on PostgreSQL; on SQLite a write from another process is noticed by the
/// server's external-write watcher).
public struct SettingsService: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Sets `key` to `value`, or removes it (back to its default) when `value` is nil or empty. Returns whether
    /// anything changed (the same value again writes, audits and announces nothing).
    @discardableResult
    public func change(_ key: String, to value: String?, by actor: ArticleWriter, now: Date = Date()) async throws -> Bool {
        guard actor.role == .chief else { throw SettingsError.notAllowed }
        guard let definition = SettingCatalog.definition(key) else { throw SettingsError.unknownKey(key) }
        let value = value.flatMap { $0.isEmpty ? nil : $0 }
        if let value, let problem = SettingRules.problem(key: key, value: value) {
            throw SettingsError.invalid(key: key, problem: problem)
        }
        let changed = try await database.write { db -> Bool in
            if actor.userID != nil { try await StaffService.requireActiveChief(actor, in: db) }
            let old = try await db.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.string("value")
            guard old != value else { return false }
            if let value {
                try await db.raw(
                    """
                    INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value))
                    ON CONFLICT (key) DO UPDATE SET value = \(bind: value)
                    """
                ).run()
            } else {
                try await db.raw("DELETE FROM settings WHERE key = \(bind: key)").run()
            }
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "setting_changed", articleID: nil,
                title: "\(key): \(Self.shown(old)) → \(Self.shown(value))", now: now, in: db)
            return true
        }
        if changed { await database.announce(definition.change) }
        return changed
    }

    /// A value as the audit log names it: capped, "—" for none.
    static func shown(_ value: String?) -> String {
        guard let value else { return "—" }
        return value.count > 120 ? String(value.prefix(120)) + "…" : value
    }
}
