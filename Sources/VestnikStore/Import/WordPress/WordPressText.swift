import Foundation

/// The text passes of a WordPress body that need nothing but Foundation (so `fuzz/run.sh wordpress` builds them
/// alone): comments out, WordPress's paragraphs, shortcodes. Each is one pass over the text: a hostile body costs
/// time in proportion to its length.
enum WordPressText {
    /// Block-level elements: a chunk that starts with one is kept as it is, any other chunk becomes a paragraph.
    static let blockTags: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "figure", "table", "pre", "hr",
        "img", "iframe", "section", "article", "aside", "dl", "address", "form", "video", "audio",
    ]

    /// Removes `<!-- … -->` comments (the block editor's `<!-- wp:paragraph -->` markers among them).
    static func dropComments(_ text: String) -> String {
        guard firstRange(of: "<!--", in: Substring(text)) != nil else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let start = firstRange(of: "<!--", in: rest) {
            out += rest[..<start.lowerBound]
            guard let end = firstRange(of: "-->", in: rest[start.upperBound...]) else { return out }
            rest = rest[end.upperBound...]
        }
        out += rest
        return out
    }

    /// WordPress's paragraphs: chunks separated by blank lines; a chunk that starts with a block element stays as it
    /// is, any other is wrapped in `<p>` with its single line breaks as `<br>`.
    static func autop(_ text: String) -> String {
        // Foundation's replacing costs more than the rest of the pass; most exports have no carriage returns.
        let normalized = text.utf8.contains(13) ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        var out: [String] = []
        var chunk: [Substring] = []
        func flush() {
            let joined = trimmed(chunk.joined(separator: "\n"))
            chunk.removeAll(keepingCapacity: true)
            guard !joined.isEmpty else { return }
            if startsWithBlock(joined) {
                out.append(joined)
            } else {
                let lines = joined.utf8.contains(10) ? joined.replacingOccurrences(of: "\n", with: "<br>") : joined
                out.append("<p>" + lines + "</p>")
            }
        }
        // Split at the bytes of line feeds: a line feed is always a character of its own, so this is the split by
        // characters, without finding every character's bounds in the body.
        for bytes in normalized.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            let line = Substring(bytes)
            if line.allSatisfy(\.isWhitespace) { flush() } else { chunk.append(line) }
        }
        flush()
        return out.joined(separator: "\n")
    }

    /// `trimmingCharacters(in: set)` without the trip through `NSString`: the set's membership tested scalar by scalar
    /// at the two ends only (the members of `.whitespacesAndNewlines` and `.whitespaces` are all single BMP scalars, as
    /// NSString's UTF-16 test sees them). Bridging every paragraph to `NSString` to trim it cost an import about 5 % of
    /// its CPU, an item's eight plain fields (`.whitespaces`) 2 % more.
    static func trimmed(_ text: String, _ set: CharacterSet = .whitespacesAndNewlines) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, set.contains(scalars[start]) { start = scalars.index(after: start) }
        while end > start {
            let before = scalars.index(before: end)
            guard set.contains(scalars[before]) else { break }
            end = before
        }
        return start == scalars.startIndex && end == scalars.endIndex ? text : String(scalars[start..<end])
    }

    /// Where `needle` (ASCII) first occurs in `text`, with ASCII letters matched in either case when `ignoringCase`
    /// (then `needle` is lowercase): a byte search, many times faster than Foundation's `range(of:)` on these
    /// bodies. An ASCII byte never occurs inside a multi-byte character in UTF-8, so the range is always on
    /// character boundaries of the text's scalars.
    static func firstRange(of needle: String, in text: Substring, ignoringCase: Bool = false) -> Range<String.Index>? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return nil }
        // The same walk over the text's contiguous bytes (a native string's): stepping `Substring.UTF8View`'s indices
        // one by one cost more than the comparisons, on every body (most have no `<img` and no comment).
        if let found = text.utf8.withContiguousStorageIfAvailable({ bytes -> Int? in
            var index = 0
            while index < bytes.count {
                let byte = ignoringCase && bytes[index] >= 65 && bytes[index] <= 90 ? bytes[index] | 0x20 : bytes[index]
                if byte == first {
                    var matched = 1
                    while matched < pattern.count, index + matched < bytes.count {
                        let probe = bytes[index + matched]
                        let next = ignoringCase && probe >= 65 && probe <= 90 ? probe | 0x20 : probe
                        guard next == pattern[matched] else { break }
                        matched += 1
                    }
                    if matched == pattern.count { return index }
                }
                index += 1
            }
            return nil
        }) {
            guard let offset = found else { return nil }
            let start = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
            return start..<text.utf8.index(start, offsetBy: pattern.count)
        }
        let bytes = text.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = ignoringCase && bytes[index] >= 65 && bytes[index] <= 90 ? bytes[index] | 0x20 : bytes[index]
            if byte == first {
                var probe = bytes.index(after: index)
                var matched = 1
                while matched < pattern.count, probe < bytes.endIndex {
                    let next = ignoringCase && bytes[probe] >= 65 && bytes[probe] <= 90 ? bytes[probe] | 0x20 : bytes[probe]
                    guard next == pattern[matched] else { break }
                    matched += 1
                    probe = bytes.index(after: probe)
                }
                if matched == pattern.count { return index..<probe }
            }
            index = bytes.index(after: index)
        }
        return nil
    }

    private static func startsWithBlock(_ text: String) -> Bool {
        guard text.hasPrefix("<") else { return false }
        let name = text.dropFirst().prefix { $0.isLetter || $0.isNumber }.lowercased()
        return blockTags.contains(name)
    }

    /// One pass over `[name …]`, `[/name]` and `[name … /]`. `[caption …]…[/caption]` becomes
    /// `<figure>picture<figcaption>text</figcaption></figure>` (its text is what follows the picture); every other
    /// shortcode tag is dropped and counted. `[[name]]` is WordPress's escape for a literal `[name]`.
    /// `byCharacters`: search by characters whatever the text (tests compare both ways).
    static func shortcodes(_ text: String, unknown: inout [String: Int], byCharacters: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        // The text of an open caption, its shortcodes resolved as outside one. (Copying its raw slice at the close
        // wrote an escaped `[[x]]` inside a caption twice: once resolved, once raw; fuzz target `wordpress`.)
        var caption: String?
        var index = text.startIndex
        var plainFrom = index
        func append(_ part: Substring) {
            if caption != nil { caption! += part } else { out += part }
        }
        // The next `[` that is a character of its own: in a text whose every scalar is one, the next `[` byte.
        let plain = !byCharacters && everyScalarIsACharacter(text)
        func nextBracket(from start: String.Index) -> String.Index? {
            guard plain else { return text[start...].firstIndex(of: "[") }
            let bytes = text.utf8
            return bytes[start...].firstIndex(of: UInt8(ascii: "["))
        }
        while let open = nextBracket(from: index) {
            guard let tag = ShortcodeTag.parse(text, at: open) else {
                index = text.index(after: open)
                continue
            }
            append(text[plainFrom..<open])
            if tag.escaped {
                append(text[text.index(after: open)..<text.index(before: tag.end)])
            } else if tag.name == "caption" {
                if tag.closing {
                    if let inside = caption { out += figure(inside) }
                    caption = nil
                } else if caption == nil {
                    caption = ""
                }
            } else if caption == nil, !tag.closing {
                unknown[tag.name, default: 0] += 1
            }
            index = tag.end
            plainFrom = index
        }
        // An unclosed caption: its content as it is.
        append(text[plainFrom...])
        return out + (caption ?? "")
    }

    /// Whether every Unicode scalar of `text` is a character of its own (`Unicode.Scalar.standsAlone`; CR LF, one
    /// character, holds no `[`): a byte search then finds what a search by characters finds, without finding every
    /// character's bounds.
    static func everyScalarIsACharacter(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(\.standsAlone)
    }

    /// The inside of a `[caption]`: the picture (an `<img>`, maybe inside a link), then the caption's text.
    private static func figure(_ inside: String) -> String {
        guard let imageStart = inside.range(of: "<img", options: .caseInsensitive),
            let imageEnd = inside[imageStart.upperBound...].firstIndex(of: ">")
        else { return inside }
        var pictureEnd = inside.index(after: imageEnd)
        if let linkClose = inside[pictureEnd...].range(of: "</a>", options: .caseInsensitive),
            inside[pictureEnd..<linkClose.lowerBound].allSatisfy(\.isWhitespace)
        {
            pictureEnd = linkClose.upperBound
        }
        let picture = inside[imageStart.lowerBound..<imageEnd] + ">"
        let caption = inside[pictureEnd...].trimmingCharacters(in: .whitespacesAndNewlines)
        return "\n\n<figure>\(picture)" + (caption.isEmpty ? "" : "<figcaption>\(caption)</figcaption>") + "</figure>\n\n"
    }

    /// A Yoast SEO or Rank Math title or description as its post meta stores it, its variables expanded from
    /// `values` (by name: Yoast writes `%%title%%`, Rank Math `%title%`), whitespace collapsed; nil when it names a
    /// variable `values` does not have (the field is dropped: the article's own headline or lead serves) or comes
    /// out empty. A `%` that does not open a variable (`50% off`) is text. One pass; at most `maxLength` characters
    /// are read (a longer field is dropped too).
    static func seoText(_ text: String, values: [String: String], maxLength: Int = 2_000) -> String? {
        guard text.count <= maxLength else { return nil }
        var out = ""
        var rest = Substring(text)
        while let percent = rest.firstIndex(of: "%") {
            out += rest[..<percent]
            let afterOne = rest.index(after: percent)
            let double = afterOne < rest.endIndex && rest[afterOne] == "%"
            let nameStart = double ? rest.index(after: afterOne) : afterOne
            // A name: at most 40 ASCII letters, digits, `_` and `-`.
            var nameEnd = nameStart
            var length = 0
            while nameEnd < rest.endIndex, length < 40, rest[nameEnd].isASCII,
                rest[nameEnd].isLetter || rest[nameEnd].isNumber || rest[nameEnd] == "_" || rest[nameEnd] == "-"
            {
                nameEnd = rest.index(after: nameEnd)
                length += 1
            }
            let closing = double ? "%%" : "%"
            guard nameEnd > nameStart, rest[nameEnd...].hasPrefix(closing) else {
                // Not a variable: the percent sign is text.
                out += "%"
                rest = rest[afterOne...]
                continue
            }
            guard let value = values[rest[nameStart..<nameEnd].lowercased()] else { return nil }
            out += value
            rest = rest[rest.index(nameEnd, offsetBy: closing.count)...]
        }
        out += rest
        let collapsed = collapsedSpaces(out)
        return collapsed.isEmpty ? nil : collapsed
    }

    /// Every run of whitespace scalars made one space, none at the ends. Scalar by scalar, not by `Character`: a
    /// character may end in a space (U+0602, a prepended mark, takes the space after it into its cluster), and
    /// collapsing characters then left two spaces in a row (a fuzz finding).
    static func collapsedSpaces(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var space = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                space = true
                continue
            }
            if space && !out.isEmpty { out.append(" ") }
            space = false
            out.append(scalar)
        }
        return String(out)
    }
}

/// One shortcode tag at a `[`: its name, whether it closes (`[/name]`), and where it ends. A name is lowercase
/// letters, digits, `_` and `-`; a tag is at most 2,000 characters and never spans a `[` (so scanning stays linear).
struct ShortcodeTag {
    var name: String
    var closing: Bool
    var escaped: Bool
    var end: String.Index

    static func parse(_ text: String, at open: String.Index) -> ShortcodeTag? {
        var index = text.index(after: open)
        var escaped = false
        if index < text.endIndex, text[index] == "[" {
            escaped = true
            index = text.index(after: index)
        }
        var closing = false
        if index < text.endIndex, text[index] == "/" {
            closing = true
            index = text.index(after: index)
        }
        let nameStart = index
        while index < text.endIndex, text[index].isASCII,
            text[index].isLetter || text[index].isNumber || text[index] == "_" || text[index] == "-"
        {
            index = text.index(after: index)
        }
        guard index > nameStart, index < text.endIndex, [" ", "]", "/"].contains(text[index]) || text[index].isNewline else { return nil }
        let name = text[nameStart..<index].lowercased()
        var scanned = 0
        while index < text.endIndex, text[index] != "]" {
            if text[index] == "[" || scanned > 2_000 { return nil }
            index = text.index(after: index)
            scanned += 1
        }
        guard index < text.endIndex else { return nil }
        index = text.index(after: index)
        if escaped {
            guard index < text.endIndex, text[index] == "]" else { return nil }
            index = text.index(after: index)
        }
        return ShortcodeTag(name: name, closing: closing, escaped: escaped, end: index)
    }
}
