import VestnikCore

/// Names for what a public page shows, shared by the page cache, the `Surrogate-Key` header a CDN reads and the
/// change events that tell both what to drop. A page carries the key of every article it shows and of every list
/// it shows; a change names the keys it affects, so exactly the pages that show the changed thing are dropped.
public enum CacheKey {
    /// On every page: the navigation, the site's name, settings. Announcing it drops everything.
    public static let site = "site"
    /// The newest articles of the whole site (home page, "Новините днес", the site's feeds).
    public static let latest = "latest"
    /// The corrections page (`/popravki`) and its feeds.
    public static let corrections = "corrections"
    /// Every feed (RSS, Atom, JSON Feed): what `feed.content` changes.
    public static let feeds = "feeds"
    /// Every article's own page: what `site.follow_url` and `site.more_after` change.
    public static let articlePages = "articles"
    /// On no page: a change naming it tells every node to read the site's settings again (`SettingsService`).
    public static let settings = "settings"
    static let named: Set<Substring> = [
        Substring(site), Substring(latest), Substring(corrections), Substring(feeds), Substring(articlePages), Substring(settings),
    ]

    /// Every page that shows the article: its own page, and each list, card and "Още:" link naming it.
    public static func article(_ id: Int) -> String { "a\(id)" }
    /// The article's own page only (its "Още:" list changed, say).
    public static func articlePage(_ id: Int) -> String { "p\(id)" }
    /// The list of a section (section page, its feeds, the section's block on the home page).
    public static func section(_ id: Int) -> String { "s\(id)" }
    public static func topic(_ id: Int) -> String { "t\(id)" }
    public static func tag(_ id: Int) -> String { "g\(id)" }
    public static func author(_ id: Int) -> String { "u\(id)" }
    /// A front page's arrangement (`FrontLayoutService`): `f0` the home page, `f<id>` a section's front. A layout's
    /// change drops exactly the page that shows its zones.
    public static func front(_ scope: FrontScope) -> String { "f\(scope.number)" }

    /// Whether `text` looks like one of these keys (a purge request or a notification names only these).
    public static func isValid(_ text: Substring) -> Bool {
        guard let first = text.first, !text.isEmpty, text.count <= 24 else { return false }
        if named.contains(text) { return true }
        return "apstguf".contains(first) && text.dropFirst().allSatisfy(\.isASCII) && Int(text.dropFirst()) != nil
    }
}
