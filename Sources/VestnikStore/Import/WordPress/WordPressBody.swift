import Foundation
import VestnikCore

/// A WordPress post's `content:encoded` turned into the HTML the newsroom's editor would have saved: block-editor
/// comments dropped, paragraphs made where WordPress makes them at display time (`wpautop`: a blank line ends a
/// paragraph, a single line break is a `<br>`), `[caption]` shortcodes turned into figures with captions, other
/// shortcodes taken out (their inner text kept) and counted, and the result passed through the editor's
/// `BodySanitizer`. One pass over the text, so a hostile body costs time in proportion to its length.
public enum WordPressBody {
    public struct Converted: Sendable, Equatable {
        /// The sanitised body, block by block (an importer may take the first paragraph out as the lead).
        public var blocks: [BodyBlock]
        /// Sanitised HTML, blocks joined by newlines.
        public var html: String { blocks.map(\.html).joined(separator: "\n") }
        /// Shortcodes other than `[caption]` that were taken out, by name, with how many times each occurred.
        public var unknownShortcodes: [String: Int]
    }

    /// `rewriteImage` may replace an `<img>`'s `src` (a WordPress upload → the media library's copy), or return nil
    /// to keep it (the sanitizer then drops a picture that is not in the library).
    public static func convert(_ content: String, rewriteImage: (String) -> String? = { _ in nil }) -> Converted {
        var unknown: [String: Int] = [:]
        let withoutComments = WordPressText.dropComments(content)
        let shortcodesDone = WordPressText.shortcodes(withoutComments, unknown: &unknown)
        let rewritten = rewriteImageSources(shortcodesDone, rewrite: rewriteImage)
        return Converted(blocks: BodySanitizer.blocks(WordPressText.autop(rewritten)), unknownShortcodes: unknown)
    }

    /// Each `src="…"` of an `<img>` passed through `rewrite`.
    static func rewriteImageSources(_ html: String, rewrite: (String) -> String?) -> String {
        guard WordPressText.firstRange(of: "<img", in: Substring(html), ignoringCase: true) != nil else { return html }
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var rest = Substring(html)
        while let tag = WordPressText.firstRange(of: "<img", in: rest, ignoringCase: true) {
            out += rest[..<tag.upperBound]
            rest = rest[tag.upperBound...]
            // An `<img` never closed: the rest is text (looking for `>` again at every later `<img` would be quadratic).
            guard let tagEnd = rest.firstIndex(of: ">") else { break }
            guard let src = rest[..<tagEnd].range(of: "src=\"") ?? rest[..<tagEnd].range(of: "src='"),
                let quote = rest[src.upperBound..<tagEnd].firstIndex(of: rest[rest.index(before: src.upperBound)])
            else { continue }
            let url = HTML.unescape(String(rest[src.upperBound..<quote]))
            out += rest[..<src.upperBound]
            out += rewrite(url).map(HTML.escape) ?? HTML.escape(url)
            rest = rest[quote...]
        }
        out += rest
        return out
    }
}
