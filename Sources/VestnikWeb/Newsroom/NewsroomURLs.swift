import VestnikStore

/// Every newsroom URL, in one place.
public enum NewsroomURLs {
    public static let home = "/newsroom"
    public static let setup = "/newsroom/setup"
    public static let login = "/newsroom/login"
    public static let logout = "/newsroom/logout"
    public static let password = "/newsroom/password"
    /// The own two-factor sign-in: enrol, confirm, turn off.
    public static let twoFactor = "/newsroom/two-factor"
    /// The second step of a sign-in with two-factor: the code.
    public static let loginCode = "/newsroom/login/code"
    /// The signed-in user's own name and byline.
    public static let profile = "/newsroom/profile"
    /// Ends every session of the signed-in user.
    public static let signOutEverywhere = "/newsroom/logout/everywhere"
    /// The chief editor's staff page, and one account's changes (`role`, `suspend`, `reactivate`, `delete`).
    public static let users = "/newsroom/users"
    public static func user(_ id: Int, _ change: String) -> String { "/newsroom/users/\(id)/\(change)" }
    public static let review = "/newsroom/review"
    /// The chief editor's settings page.
    public static let settings = "/newsroom/settings"
    /// The breaking-news banner: put up or taken down (editors and the chief).
    public static let banner = "/newsroom/banner"
    /// Front-page curation: the layouts of every front page, and one layout (its forms post below it).
    public static let fronts = "/newsroom/front"
    public static func front(_ id: Int) -> String { "/newsroom/front/\(id)" }
    public static let newArticle = "/newsroom/articles/new"
    public static func article(_ id: Int) -> String { "/newsroom/articles/\(id)" }
    /// Adds a correction or clarification to a published article (`POST`).
    public static func corrections(_ id: Int) -> String { "/newsroom/articles/\(id)/corrections" }
    /// An article's live desk; `start`, `end` and `entries` below it take the desk's forms (`POST`).
    public static func live(_ id: Int, _ action: String? = nil) -> String {
        "/newsroom/articles/\(id)/live" + (action.map { "/" + $0 } ?? "")
    }
    public static func reset(_ token: String) -> String { "/newsroom/reset/\(token)" }
    /// The structure pages: `sections`, `topics`, `tags`, `authors`, and one entry of each.
    public static func structure(_ kind: TaxonomyKind) -> String { "/newsroom/\(kind.rawValue)s" }
    public static func structure(_ kind: TaxonomyKind, _ id: Int) -> String { "/newsroom/\(kind.rawValue)s/\(id)" }
    /// Tag suggestions for the editor (`?q=` a prefix), as JSON.
    public static let tagSuggestions = "/newsroom/api/tags"
    /// The read statistics: the dashboard, and one article's reads over time.
    public static let readDashboard = "/newsroom/statistika"
    public static func readStats(_ articleID: Int) -> String { "/newsroom/statistika/\(articleID)" }

    /// `text` if it is a newsroom path the login page may return to, else nil: never another site (`//host`,
    /// `/\\host`) nor anything outside `/newsroom`. The path part may hold no `%` at all: a browser reads `%2e%2e`
    /// as `..` (and `%2f` could hide a slash), so `/newsroom/%2e%2e/x` would leave the newsroom. Newsroom paths
    /// are plain ASCII; only the query may carry escapes.
    public static func returnPath(_ text: String?) -> String? {
        guard let text, text.count <= 300, text == home || text.hasPrefix(home + "/"),
            text.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }), !text.contains("//"), !text.contains("\\"),
            !text.contains("..")
        else { return nil }
        let path = text.prefix { $0 != "?" && $0 != "#" }
        guard !path.contains("%"), !path.split(separator: "/").contains(".") else { return nil }
        return text
    }
}
