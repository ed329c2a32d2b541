extension ArticleBody {
    /// The text of an HTML fragment: tags removed (block boundaries become spaces),
    /// `<script>`/`<style>` contents dropped, entities decoded, whitespace collapsed.
    /// The result is plain text: escape it again before putting it into HTML.
    ///
    /// Works on the UTF-8 bytes: search results turn ten stored bodies into text for their snippets, and the
    /// indexer every body it indexes; walking `Character`s made that about 0.25 s a megabyte.
    public static func plainText(_ html: String) -> String {
        var html = html
        return html.withUTF8 { text(ofHTML: $0) }
    }

    private static func text(ofHTML html: UnsafeBufferPointer<UInt8>) -> String {
        let stripped = withoutTags(html)
        return stripped.withUnsafeBufferPointer { decodedAndCollapsed($0) }
    }

    /// The bytes between the tags, a space for each block tag; a `<` that opens no tag is text.
    private static func withoutTags(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        // No tag can open after the last `>`: a text full of `<` is then not searched again and again for one.
        let lastClose = b.lastIndex(of: UInt8(ascii: ">")) ?? -1
        let n = b.count
        var i = 0
        while i < n {
            let byte = b[i]
            if byte != UInt8(ascii: "<") {
                out.append(byte)
                i += 1
                continue
            }
            let after = i + 1
            guard after < lastClose, opensTag(b[after]), let close = tagEnd(b, from: after) else {
                out.append(byte)
                i = after
                continue
            }
            let name = tagName(b, from: after, to: close)
            i = close + 1
            if name == "script" || name == "style" {
                // Skip to the matching end tag (or to the end).
                if let end = find(Array("</\(name)".utf8), in: b, from: i), let endClose = tagEnd(b, from: end) {
                    i = endClose + 1
                } else {
                    i = n
                }
            }
            if blockTags.contains(name) { out.append(UInt8(ascii: " ")) }
        }
        return out
    }

    /// Entities decoded and every run of whitespace (a decoded `&nbsp;` too) made one space, none at the ends.
    private static func decodedAndCollapsed(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var collapsed = Collapsed()
        collapsed.out.reserveCapacity(b.count)
        let n = b.count
        var i = 0
        var runStart = 0
        while i < n {
            guard b[i] == UInt8(ascii: "&") else {
                i += 1
                continue
            }
            // As `HTML.unescape`: a reference ends with `;` within 32 characters (a longer one is no entity).
            let limit = min(n, i + 33)
            var semicolon = i + 1
            while semicolon < limit, b[semicolon] != UInt8(ascii: ";") { semicolon += 1 }
            guard semicolon < limit,
                var decoded = HTML.decodeEntity(
                    Substring(String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<semicolon]), as: UTF8.self)))
            else {
                i += 1
                continue
            }
            collapsed.take(UnsafeBufferPointer(rebasing: b[runStart..<i]))
            decoded.withUTF8 { collapsed.take($0) }
            i = semicolon + 1
            runStart = i
        }
        collapsed.take(UnsafeBufferPointer(rebasing: b[runStart..<n]))
        return String(decoding: collapsed.out, as: UTF8.self)
    }

    /// Text appended with its whitespace collapsed. A struct with a mutating method, not a nested function over local
    /// variables: that closure's captures made each byte appended two dynamic exclusivity checks, most of the CPU a
    /// search spends turning its ten results' bodies into snippet text.
    private struct Collapsed {
        var out: [UInt8] = []
        /// Whitespace was seen since the last byte kept.
        var space = false

        mutating func take(_ bytes: UnsafeBufferPointer<UInt8>) {
            var k = 0
            while k < bytes.count {
                let length = ArticleBody.whitespaceLength(bytes, at: k)
                if length > 0 {
                    space = true
                    k += length
                    continue
                }
                if space && !out.isEmpty { out.append(UInt8(ascii: " ")) }
                space = false
                out.append(bytes[k])
                k += 1
            }
        }
    }

    /// The length of the UTF-8 encoding of a Unicode whitespace character at `i` (what `Character.isWhitespace`
    /// says of a single scalar), or 0.
    private static func whitespaceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let c = b[i]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return 1 }
        if c < 0xC2 { return 0 }
        let n = b.count
        switch c {
        case 0xC2:  // U+0085, U+00A0
            return i + 1 < n && (b[i + 1] == 0x85 || b[i + 1] == 0xA0) ? 2 : 0
        case 0xE1:  // U+1680
            return i + 2 < n && b[i + 1] == 0x9A && b[i + 2] == 0x80 ? 3 : 0
        case 0xE2:  // U+2000…U+200A, U+2028, U+2029, U+202F, U+205F
            guard i + 2 < n else { return 0 }
            let (x, y) = (b[i + 1], b[i + 2])
            if x == 0x80 && ((y >= 0x80 && y <= 0x8A) || y == 0xA8 || y == 0xA9 || y == 0xAF) { return 3 }
            return x == 0x81 && y == 0x9F ? 3 : 0
        case 0xE3:  // U+3000
            return i + 2 < n && b[i + 1] == 0x80 && b[i + 2] == 0x80 ? 3 : 0
        default:
            return 0
        }
    }

    /// Whether the byte after `<` may begin a tag (a letter, `/`, `!` or `?`).
    private static func opensTag(_ c: UInt8) -> Bool {
        let lower = c | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || c == UInt8(ascii: "/") || c == UInt8(ascii: "!")
            || c == UInt8(ascii: "?")
    }

    /// The index of the `>` that ends a tag begun before `start`, skipping quoted attribute values.
    private static func tagEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var quote: UInt8 = 0
        var i = start
        while i < b.count {
            let c = b[i]
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: ">") {
                return i
            }
            i += 1
        }
        return nil
    }

    /// The lowercase ASCII name of the tag in `b[start..<end]` (after `<`, past an optional `/`).
    private static func tagName(_ b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> String {
        var i = start
        while i < end, b[i] == UInt8(ascii: "/") { i += 1 }
        var name: [UInt8] = []
        while i < end {
            let c = b[i]
            let lower = c | 0x20
            if lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z") {
                name.append(lower)
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                name.append(c)
            } else {
                break
            }
            i += 1
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// The first index of `needle` (lowercase ASCII) in `b` from `start`, ignoring ASCII case.
    private static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard !needle.isEmpty, b.count >= needle.count else { return nil }
        var i = start
        while i <= b.count - needle.count {
            var k = 0
            while k < needle.count {
                let c = b[i + k]
                let folded = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
                if folded != needle[k] { break }
                k += 1
            }
            if k == needle.count { return i }
            i += 1
        }
        return nil
    }

    private static let blockTags: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "figure", "figcaption",
        "hr", "br", "div", "section", "article", "aside", "header", "footer", "table", "tr", "td", "th",
        "img", "pre", "dl", "dt", "dd", "script", "style",
    ]
}
