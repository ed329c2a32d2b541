import Foundation

/// A note an editor adds to a published article when it said something wrong (`correction`) or something that
/// could be misread (`clarification`). A fixed typo is a plain save, not one of these: the editor chooses.
public enum CorrectionKind: String, Sendable, CaseIterable, Codable {
    case correction
    case clarification
}

/// One dated note on an article, shown at its foot, marked at its top, listed on the corrections page and its feeds.
public struct Correction: Sendable, Equatable {
    public var id: Int
    public var articleID: Int
    public var kind: CorrectionKind
    /// Plain text, as the editor wrote it (escaped wherever it is shown).
    public var text: String
    public var at: Date

    public init(id: Int, articleID: Int, kind: CorrectionKind, text: String, at: Date) {
        self.id = id
        self.articleID = articleID
        self.kind = kind
        self.text = text
        self.at = at
    }

    /// The longest note, in characters: a correction is a sentence or a short paragraph, not a second article.
    public static let maxLength = 2000

    /// The note's text as stored: trimmed, line ends made `\n`; nil when empty or longer than `maxLength`.
    public static func normalized(_ text: String) -> String? { normalizedNote(text, maxLength: maxLength) }
}

/// A short plain text a newsroom user typed (a correction, a live entry), as stored: line ends made `\n`, trimmed;
/// nil when empty or longer than `maxLength` characters. The byte count is checked first, so an oversized text costs
/// no work.
public func normalizedNote(_ text: String, maxLength: Int) -> String? {
    guard text.utf8.count <= maxLength * 4 else { return nil }
    let trimmed = text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty, trimmed.count <= maxLength else { return nil }
    return trimmed
}

/// A correction on the public corrections page: the note and the article it is on.
public struct ListedCorrection: Sendable, Equatable {
    public var correction: Correction
    public var article: ArticleSummary

    public init(correction: Correction, article: ArticleSummary) {
        self.correction = correction
        self.article = article
    }
}
