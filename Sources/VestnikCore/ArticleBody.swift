/// Reads a stored article body (the output of `Markdown.html`) back.
///
/// Bodies are stored as rendered HTML, one top-level block per line. Pages split them
/// into blocks to interleave "Още:" links; feeds, cards, search and meta descriptions
/// need the plain text.
public enum ArticleBody {
    /// Splits stored HTML at its line breaks into blocks, the kind taken from each
    /// line's leading tag (unknown or missing tags count as paragraphs).
    public static func blocks(fromHTML html: String) -> [BodyBlock] {
        blocks(fromUTF8: Array(html.utf8)).map { BodyBlock(kind: $0.kind, html: $0.text) }
    }

    /// The same on the stored bytes (`Article.bodyUTF8`), each block's HTML a slice of them: no string is made of a
    /// line that starts with `<` and an ASCII tag name and ends in a printable ASCII byte (nearly every stored line).
    ///
    /// Lines are cut at every newline (`Character.isNewline`: U+000A–U+000D, U+0085, U+2028, U+2029; CR LF counts
    /// once), found on the bytes: newlines always stand between two Characters, so each piece is what
    /// `split(whereSeparator: \.isNewline)` gives, without its cost (it was a sixth of an article page's CPU). Any other
    /// line is trimmed of whitespace Characters at its two ends on a string of it. A line that is not valid UTF-8
    /// (we never store one: see `Article.bodyUTF8`) takes its trimmed HTML from that string, repaired as reading
    /// the body as a string repairs it, so that no slice starts or ends inside a character.
    public static func blocks(fromUTF8 html: [UInt8]) -> [StoredBlock] {
        html.withUnsafeBufferPointer { bytes in
            var blocks: [StoredBlock] = []
            for range in lineRanges(bytes) {
                let line = UnsafeBufferPointer(rebasing: bytes[range])
                if let kind = plainKind(line) {
                    blocks.append(StoredBlock(kind: kind, html: html[range]))
                    continue
                }
                let valid = String(validating: line, as: UTF8.self)
                let text = valid ?? String(decoding: line, as: UTF8.self)
                // Characters only at the two ends: the whole line is never walked Character by Character.
                var start = text.startIndex
                while start < text.endIndex, text[start].isWhitespace { start = text.index(after: start) }
                var end = text.endIndex
                while end > start {
                    let before = text.index(before: end)
                    guard text[before].isWhitespace else { break }
                    end = before
                }
                guard start < end else { continue }
                let kind = kind(ofLeadingTag: tagName(in: text[start..<end].dropFirst()))
                guard valid != nil else {
                    blocks.append(StoredBlock(kind: kind, html: Array(text.utf8[start..<end])[...]))
                    continue
                }
                let offset = range.lowerBound + text.utf8.distance(from: text.startIndex, to: start)
                blocks.append(StoredBlock(kind: kind, html: html[offset..<offset + text.utf8.distance(from: start, to: end)]))
            }
            return blocks
        }
    }

    /// The kind of a line that starts with `<` and an ASCII tag name and ends in a printable ASCII byte, read on its
    /// bytes; nil for any other line, which `blocks` reads by Characters. ASCII bytes other than CR LF are Characters
    /// of their own, so both give the same kind.
    private static func plainKind(_ line: UnsafeBufferPointer<UInt8>) -> BodyBlock.Kind? {
        guard let first = line.first, first == UInt8(ascii: "<"), let last = line.last, last > 0x20, last < 0x7F else {
            return nil
        }
        var index = 1
        while index < line.count, line[index] == UInt8(ascii: "/") { index += 1 }
        let nameStart = index
        while index < line.count {
            let byte = line[index]
            guard byte < 0x80 else { return nil }  // a combining mark would join the name's last letter
            let lower = byte | 0x20
            guard (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (byte >= 0x30 && byte <= 0x39) else { break }
            guard index - nameStart < 10 else { return .paragraph }  // longer than any kind's tag
            index += 1
        }
        // At most ten ASCII bytes: a small string, lowercased without touching the heap.
        return kind(ofLeadingTag: String(decoding: UnsafeBufferPointer(rebasing: line[nameStart..<index]), as: UTF8.self).lowercased())
    }

    private static func lineRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var lineStart = 0
        var i = 0
        let count = bytes.count
        while i < count {
            // Eight bytes at a time past words that hold no byte a newline starts with (below 0x0E, 0xC2 or 0xE2):
            // a long body is nearly all such words, and a byte-by-byte walk was 4 % of its page's CPU.
            while i + 8 <= count,
                !mayStartNewline(UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)))
            {
                i += 8
            }
            guard i < count else { break }
            let byte = bytes[i]
            var length = 0
            if byte <= 0x0D {
                if byte >= 0x0A { length = byte == 0x0D && i + 1 < count && bytes[i + 1] == 0x0A ? 2 : 1 }
            } else if byte == 0xC2 {
                if i + 1 < count, bytes[i + 1] == 0x85 { length = 2 }
            } else if byte == 0xE2 {
                if i + 2 < count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 { length = 3 }
            }
            if length > 0 {
                if lineStart < i { ranges.append(lineStart..<i) }
                i += length
                lineStart = i
            } else {
                i += 1
            }
        }
        if lineStart < count { ranges.append(lineStart..<count) }
        return ranges
    }

    /// Whether any byte of `word` is below 0x0E or is 0xC2 or 0xE2 (the classic "has a byte less than n" and "has a
    /// zero byte" tests on a 64-bit word); false positives only cost the byte-by-byte look.
    private static func mayStartNewline(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let below0E = (word &- ones &* 0x0E) & ~word & highs != 0
        return below0E || hasZero(word ^ (ones &* 0xC2)) || hasZero(word ^ (ones &* 0xE2))
    }

    /// The text of an HTML fragment: tags removed (block boundaries become spaces),
    /// `<script>`/`<style>` contents dropped, entities decoded, whitespace collapsed.
    /// The result is plain text: escape it again before putting it into HTML.
    public static func plainText(_ html: String) -> String {
        var stripped = ""
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            stripped += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let next = rest[afterOpen...].first, next.isASCII, next.isLetter || next == "/" || next == "!" || next == "?",
                let close = tagEnd(rest[afterOpen...])
            else {
                stripped += "<"
                rest = rest[afterOpen...]
                continue
            }
            let name = tagName(in: rest[afterOpen..<close])
            rest = rest[rest.index(after: close)...]
            if name == "script" || name == "style" {
                // Skip to the matching end tag (or to the end).
                let endTag = "</\(name)"
                if let range = rest.range(ofCaseInsensitive: endTag), let endClose = tagEnd(rest[range.upperBound...]) {
                    rest = rest[rest.index(after: endClose)...]
                } else {
                    rest = rest[rest.endIndex...]
                }
            }
            if blockTags.contains(name) { stripped += " " }
        }
        stripped += rest
        let text = HTML.unescape(stripped)
        return collapsedSpaces(text) ?? text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The text's runs of white space made one space, its ends trimmed, read scalar by scalar: for a text whose
    /// every scalar is a character of its own (see `SearchAnalyzer.scalarWords`); nil for any other.
    static func collapsedSpaces(_ text: String) -> String? {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let isSpace: Bool
            switch scalar.value {
            case 0x09...0x0D, 0x20: isSpace = true
            case 0x21...0x7E, 0x400...0x45F: isSpace = false
            case 0...0x2FF, 0x2000...0x200B, 0x200E...0x206F, 0x20A0...0x20BF, 0x2100...0x214F: isSpace = Character(scalar).isWhitespace
            default: return nil
            }
            if isSpace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The address of the first image of the body (of its first `<figure>`), decoded, as written by the editor:
    /// the article's picture for feeds, Open Graph and JSON-LD until articles carry a featured image of their own.
    public static func firstImageURL(fromHTML html: String) -> String? {
        firstImageURL(in: blocks(fromUTF8: Array(html.utf8)))
    }

    /// The same, from the body's blocks (the article page splits the body once).
    public static func firstImageURL(in blocks: [StoredBlock]) -> String? {
        for block in blocks where block.kind == .figure {
            let html = block.text
            guard let src = html.range(of: "<img src=\""), let end = html[src.upperBound...].firstIndex(of: "\"") else { continue }
            let url = HTML.unescape(String(html[src.upperBound..<end]))
            if !url.isEmpty { return url }
        }
        return nil
    }

    /// `html` with every root-relative `href="/…"` and `src="/…"` made absolute against `base`
    /// (`https://vestnik.bg`), for copies of a body read away from the site: feed readers resolve relative links
    /// against different bases, or not at all. Protocol-relative `//host` links are left alone.
    public static func resolvingRootRelativeURLs(in html: String, against base: String) -> String {
        guard html.contains("=\"/") else { return html }
        var out = ""
        out.reserveCapacity(html.utf8.count + 64)
        var rest = Substring(html)
        while let marker = rest.range(of: "=\"/") {
            let attribute = rest[..<marker.lowerBound].suffix(4)
            out += rest[..<marker.upperBound].dropLast()
            let afterSlash = rest[marker.upperBound...]
            if (attribute == "href" || attribute.hasSuffix("src")) && afterSlash.first != "/" {
                out += base
            }
            out += "/"
            rest = afterSlash
        }
        return out + rest
    }

    private static let blockTags: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "figure", "figcaption",
        "hr", "br", "div", "section", "article", "aside", "header", "footer", "table", "tr", "td", "th",
        "img", "pre", "dl", "dt", "dd", "script", "style",
    ]

    static func kind(ofLeadingTag name: String) -> BodyBlock.Kind {
        switch name {
        case "h1", "h2", "h3", "h4", "h5", "h6": .heading
        case "blockquote": .quote
        case "ul", "ol": .list
        case "figure": .figure
        case "hr": .rule
        case "table": .table
        default: .paragraph
        }
    }

    /// The lowercase tag name at the start of `s` (just after `<`, with an optional `/`).
    private static func tagName(in s: Substring) -> String {
        s.drop { $0 == "/" }.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }.lowercased()
    }

    /// The index of the `>` that ends a tag, skipping quoted attribute values.
    private static func tagEnd(_ s: Substring) -> Substring.Index? {
        var quote: Character?
        for i in s.indices {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ">" {
                return i
            }
        }
        return nil
    }
}

/// A block of a stored body as `ArticleBody.blocks(fromUTF8:)` finds it: its HTML a slice of the body's bytes.
public struct StoredBlock: Sendable, Equatable {
    public var kind: BodyBlock.Kind
    /// The block's HTML; never contains a line break.
    public var html: ArraySlice<UInt8>

    public init(kind: BodyBlock.Kind, html: ArraySlice<UInt8>) {
        self.kind = kind
        self.html = html
    }

    /// The HTML as a string (made on each call).
    public var text: String { String(decoding: html, as: UTF8.self) }
}

/// A body block of either form, as `InlineMoreBlocks` lays them out.
public protocol KindedBlock: Sendable {
    var kind: BodyBlock.Kind { get }
}

extension BodyBlock: KindedBlock {}
extension StoredBlock: KindedBlock {}

extension Substring {
    /// The first range of `needle` (ASCII), ignoring case.
    fileprivate func range(ofCaseInsensitive needle: String) -> Range<Index>? {
        let target = Array(needle.lowercased())
        var i = startIndex
        while i < endIndex {
            var j = i
            var k = 0
            while k < target.count, j < endIndex, self[j].lowercased() == String(target[k]) {
                j = index(after: j)
                k += 1
            }
            if k == target.count { return i..<j }
            i = index(after: i)
        }
        return nil
    }
}
