import Foundation

/// An article run as a live blog: when its coverage started and, once an editor ended it, when it ended (the page
/// is then frozen: no new entries, no more polling).
public struct LiveCoverage: Sendable, Equatable {
    public var articleID: Int
    public var startedAt: Date
    public var endedAt: Date?

    public init(articleID: Int, startedAt: Date, endedAt: Date?) {
        self.articleID = articleID
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    public var isLive: Bool { endedAt == nil }
}

/// One short timestamped entry of a live blog: a row of its own, so several people can post at once and none
/// overwrites another.
public struct LiveEntry: Sendable, Equatable {
    public var id: Int
    public var articleID: Int
    /// Who wrote it, as their byline reads then.
    public var authorName: String
    /// Plain text; a blank line starts a new paragraph.
    public var text: String
    /// A picture from the media library, shown under the text.
    public var picture: MediaAddress?
    public var pictureAlt: String
    /// A key moment: also listed at the top of the page.
    public var isKey: Bool
    public var at: Date

    public init(
        id: Int, articleID: Int, authorName: String, text: String, picture: MediaAddress?, pictureAlt: String, isKey: Bool, at: Date
    ) {
        self.id = id
        self.articleID = articleID
        self.authorName = authorName
        self.text = text
        self.picture = picture
        self.pictureAlt = pictureAlt
        self.isKey = isKey
        self.at = at
    }

    /// The longest entry, in characters: a few paragraphs.
    public static let maxLength = 5000

    /// The entry's text as stored: line ends made `\n`, trimmed; nil when empty or too long.
    public static func normalized(_ text: String) -> String? { normalizedNote(text, maxLength: maxLength) }

    /// The text's paragraphs (split at blank lines; single line ends kept inside a paragraph).
    public var paragraphs: [String] {
        text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
