import Foundation

/// The breaking-news banner at the top of every public page: a line of text, where it leads, and until when.
public struct BreakingNews: Sendable, Equatable {
    public var text: String
    /// A site path (`/svyat/…`) or an `http(s)://` address.
    public var url: String
    public var until: Date

    public init(text: String, url: String, until: Date) {
        self.text = text
        self.url = url
        self.until = until
    }

    /// The longest banner text, in characters: one line on a phone.
    public static let maxText = 160
    /// How far ahead the banner may be set: it is for news breaking now, not for announcements.
    public static let maxDuration: TimeInterval = 7 * 24 * 3600

    /// Why this banner may not be shown from `now`, or nil when it may: a text of 1 to `maxText` characters on one
    /// line, a site path or an http(s) address (never `javascript:`), an end after `now` and within `maxDuration`.
    public static func problem(text: String, url: String, until: Date, now: Date) -> String? {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text.count > maxText || text.contains(where: \.isNewline) {
            return "the banner needs one line of 1 to \(maxText) characters"
        }
        if !isLink(url) { return "the banner's link must be a site path (/…) or an http(s):// address" }
        if until <= now { return "the banner's end must be in the future" }
        if until.timeIntervalSince(now) > maxDuration { return "the banner may be set for at most 7 days" }
        return nil
    }

    /// A path on this site (`/x`, not `//host`) or an absolute http(s) address, at most 1,000 characters, no spaces.
    public static func isLink(_ url: String) -> Bool {
        guard !url.isEmpty, url.count <= 1000, !url.contains(where: { $0.isWhitespace || $0 == "\\" }) else { return false }
        if url.hasPrefix("/") { return !url.hasPrefix("//") }
        guard let colon = url.firstIndex(of: ":") else { return false }
        let scheme = url[..<colon].lowercased()
        return (scheme == "http" || scheme == "https") && url[colon...].hasPrefix("://") && url.count > scheme.count + 3
    }
}
