/// Inline Markdown: emphasis, code spans, links, autolinks and backslash escapes.
///
/// Emphasis follows CommonMark's delimiter-run rules (so `snake_case_words` and
/// unclosed `**` stay as text). Everything that is not markup is HTML-escaped, so raw
/// HTML in the source shows as text.
enum InlineParser {
    /// Link text and image alt text are rendered recursively; this bounds the nesting.
    static let maxDepth = 4
    /// Longer link texts, URLs and titles are not links. The limits keep rendering
    /// fast on hostile input such as thousands of unclosed `[`.
    static let maxLinkTextLength = 1_000
    static let maxURLLength = 2_048
    static let maxURLParenthesisDepth = 32
    static let maxTitleLength = 1_000

    static func render(_ text: String, depth: Int = 0, allowLinks: Bool = true) -> String {
        if depth > maxDepth { return HTML.escape(text) }
        var renderer = Renderer(chars: Array(text), depth: depth, allowLinks: allowLinks)
        return renderer.run()
    }

    /// The text of inline Markdown without its markup (for `alt` attributes).
    static func plainText(_ text: String, depth: Int = 0) -> String {
        ArticleBody.plainText(render(text, depth: depth, allowLinks: false))
    }

    // MARK: Link syntax

    struct LinkSyntax {
        var text: Range<Int>
        var destination: String
        var title: String?
        /// Index just past the closing `)`.
        var end: Int
    }

    /// Parses `[text](destination "title")` starting at the `[`.
    static func linkSyntax(_ chars: [Character], openBracket: Int) -> LinkSyntax? {
        let n = chars.count
        guard openBracket < n, chars[openBracket] == "[" else { return nil }
        var j = openBracket + 1
        let textLimit = min(n, j + maxLinkTextLength)
        var nesting = 0
        findClose: while j < textLimit {
            switch chars[j] {
            case "\\" where isEscape(chars, j):
                j += 2
                continue
            case "`":
                let run = runLength(chars, at: j)
                j = codeSpanEnd(chars, from: j + run, length: run).map { $0 + run } ?? j + run
                continue
            case "[":
                nesting += 1
            case "]":
                if nesting == 0 { break findClose }
                nesting -= 1
            default:
                break
            }
            j += 1
        }
        guard j + 1 < n, j < textLimit, chars[j] == "]", chars[j + 1] == "(" else { return nil }
        let textRange = (openBracket + 1)..<j

        var k = j + 2
        skipSpaces(chars, &k)
        let destination: String
        let urlLimit = min(n, k + maxURLLength)
        if k < n, chars[k] == "<" {
            let start = k + 1
            k = start
            while k < urlLimit, chars[k] != ">" {
                if chars[k] == "<" { return nil }
                k += isEscape(chars, k) ? 2 : 1
            }
            guard k < urlLimit else { return nil }
            destination = unescape(chars[start..<k])
            k += 1
        } else {
            let start = k
            var parens = 0
            scan: while k < urlLimit, !chars[k].isWhitespace {
                switch chars[k] {
                case "\\" where isEscape(chars, k): k += 1
                case "(":
                    parens += 1
                    if parens > maxURLParenthesisDepth { return nil }
                case ")":
                    if parens == 0 { break scan }
                    parens -= 1
                default: break
                }
                k += 1
            }
            guard parens == 0, k < urlLimit else { return nil }
            destination = unescape(chars[start..<k])
        }

        let afterDestination = k
        skipSpaces(chars, &k)
        var title: String?
        let titleClosers: [Character: Character] = ["\"": "\"", "'": "'", "(": ")"]
        if k > afterDestination, k < n, let closing = titleClosers[chars[k]] {
            k += 1
            let titleLimit = min(n, k + maxTitleLength)
            let start = k
            while k < titleLimit, chars[k] != closing {
                k += isEscape(chars, k) ? 2 : 1
            }
            guard k < titleLimit else { return nil }
            let text = unescape(chars[start..<k])
            k += 1
            title = text
            skipSpaces(chars, &k)
        }
        guard k < n, chars[k] == ")" else { return nil }
        return LinkSyntax(text: textRange, destination: destination, title: title, end: k + 1)
    }

    /// Whether `chars[i]` is a backslash escaping the next character.
    private static func isEscape(_ chars: [Character], _ i: Int) -> Bool {
        chars[i] == "\\" && i + 1 < chars.count && chars[i + 1].isASCIIPunctuation
    }

    /// Resolves backslash escapes of ASCII punctuation.
    private static func unescape(_ chars: ArraySlice<Character>) -> String {
        var out = ""
        var i = chars.startIndex
        while i < chars.endIndex {
            if chars[i] == "\\", i + 1 < chars.endIndex, chars[i + 1].isASCIIPunctuation { i += 1 }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    static func runLength(_ chars: [Character], at start: Int) -> Int {
        var end = start
        while end < chars.count, chars[end] == chars[start] { end += 1 }
        return end - start
    }

    /// Where the closing backtick run of exactly `length` starts, if there is one.
    static func codeSpanEnd(_ chars: [Character], from start: Int, length: Int) -> Int? {
        var i = start
        while i < chars.count {
            if chars[i] == "`" {
                let run = runLength(chars, at: i)
                if run == length { return i }
                i += run
            } else {
                i += 1
            }
        }
        return nil
    }

    private static func skipSpaces(_ chars: [Character], _ k: inout Int) {
        while k < chars.count, chars[k].isWhitespace { k += 1 }
    }
}

// MARK: - Rendering

private struct Delimiter {
    let char: Character
    var count: Int
    let originalCount: Int
    let canOpen: Bool
    let canClose: Bool
    /// Tags that close earlier emphasis, written before the remaining delimiters.
    var closeTags = ""
    /// Tags that open emphasis, written after the remaining delimiters.
    var openTags = ""

    var html: String { closeTags + String(repeating: char, count: count) + openTags }
}

/// A piece of output: finished HTML, or a run of `*`/`_` that may become emphasis.
private enum Piece {
    case html(String)
    case delimiter(Delimiter)
}

private struct Renderer {
    let chars: [Character]
    let depth: Int
    let allowLinks: Bool
    var pieces: [Piece] = []
    var text = ""

    init(chars: [Character], depth: Int, allowLinks: Bool) {
        self.chars = chars
        self.depth = depth
        self.allowLinks = allowLinks
    }

    mutating func run() -> String {
        let n = chars.count
        var i = 0
        while i < n {
            let c = chars[i]
            switch c {
            case "\\" where i + 1 < n && chars[i + 1].isASCIIPunctuation:
                appendEscaped(chars[i + 1])
                i += 2
            case "`":
                let run = InlineParser.runLength(chars, at: i)
                if let close = InlineParser.codeSpanEnd(chars, from: i + run, length: run) {
                    text += "<code>\(HTML.escape(codeContent(chars[(i + run)..<close])))</code>"
                    i = close + run
                } else {
                    text += String(repeating: "`", count: run)
                    i += run
                }
            case "*", "_":
                let run = InlineParser.runLength(chars, at: i)
                addDelimiter(c, at: i, count: run)
                i += run
            case "!" where i + 1 < n && chars[i + 1] == "[":
                // An image inside text: only its description is kept.
                if let image = InlineParser.linkSyntax(chars, openBracket: i + 1) {
                    text += HTML.escape(InlineParser.plainText(String(chars[image.text]), depth: depth + 1))
                    i = image.end
                } else {
                    text += "!"
                    i += 1
                }
            case "[" where allowLinks:
                if let link = InlineParser.linkSyntax(chars, openBracket: i) {
                    text += renderLink(link)
                    i = link.end
                } else {
                    text += "["
                    i += 1
                }
            case "<" where allowLinks:
                if let (html, end) = autolink(at: i) {
                    text += html
                    i = end
                } else {
                    text += "&lt;"
                    i += 1
                }
            default:
                appendEscaped(c)
                i += 1
            }
        }
        flush()
        processEmphasis()
        return pieces.map { piece in
            switch piece {
            case let .html(html): html
            case let .delimiter(delimiter): delimiter.html
            }
        }.joined()
    }

    private mutating func appendEscaped(_ c: Character) { HTML.escape(c, into: &text) }

    private mutating func flush() {
        if !text.isEmpty { pieces.append(.html(text)) }
        text = ""
    }

    /// Code span content: one surrounding space is stripped when both sides have one.
    private func codeContent(_ content: ArraySlice<Character>) -> String {
        let s = String(content)
        if s.count >= 2, s.first == " ", s.last == " ", s.contains(where: { $0 != " " }) {
            return String(s.dropFirst().dropLast())
        }
        return s
    }

    private func renderLink(_ link: InlineParser.LinkSyntax) -> String {
        let inner = InlineParser.render(String(chars[link.text]), depth: depth + 1, allowLinks: false)
        guard let url = SafeURL.sanitize(link.destination, allowMailto: true), !url.isEmpty else { return inner }
        let title = link.title.map { " title=\"\(HTML.escape($0))\"" } ?? ""
        return anchor(url, title: title, inner: inner)
    }

    private func anchor(_ url: String, title: String = "", inner: String) -> String {
        let rel = SafeURL.isExternal(url) ? " rel=\"noopener\"" : ""
        return "<a href=\"\(HTML.escape(url))\"\(title)\(rel)>\(inner)</a>"
    }

    /// `<https://…>` and `<name@example.com>`.
    private func autolink(at start: Int) -> (String, Int)? {
        var j = start + 1
        while j < chars.count, chars[j] != ">", chars[j] != "<", !chars[j].isWhitespace { j += 1 }
        guard j < chars.count, chars[j] == ">", j > start + 1 else { return nil }
        let content = String(chars[(start + 1)..<j])
        let url: String
        if Self.hasScheme(content) {
            url = content
        } else if Self.isEmail(content) {
            url = "mailto:" + content
        } else {
            return nil
        }
        guard let safe = SafeURL.sanitize(url, allowMailto: true) else { return nil }
        return (anchor(safe, inner: HTML.escape(content)), j + 1)
    }

    private static func hasScheme(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":") else { return false }
        let scheme = s[..<colon]
        guard (2...32).contains(scheme.count), let first = scheme.first, first.isASCII, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }
    }

    private static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return parts[0].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".!#$%&'*+/=?^_`{|}~-".contains($0)) }
            && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }

    // MARK: Emphasis

    private mutating func addDelimiter(_ c: Character, at i: Int, count: Int) {
        let before: Character? = i > 0 ? chars[i - 1] : nil
        let after: Character? = i + count < chars.count ? chars[i + count] : nil
        let beforeSpace = before?.isWhitespace ?? true
        let afterSpace = after?.isWhitespace ?? true
        let beforePunctuation = before?.isMarkdownPunctuation ?? false
        let afterPunctuation = after?.isMarkdownPunctuation ?? false
        let leftFlanking = !afterSpace && (!afterPunctuation || beforeSpace || beforePunctuation)
        let rightFlanking = !beforeSpace && (!beforePunctuation || afterSpace || afterPunctuation)
        let canOpen: Bool
        let canClose: Bool
        if c == "*" {
            canOpen = leftFlanking
            canClose = rightFlanking
        } else {  // `_` does not work inside words
            canOpen = leftFlanking && (!rightFlanking || beforePunctuation)
            canClose = rightFlanking && (!leftFlanking || afterPunctuation)
        }
        guard canOpen || canClose else {
            text += String(repeating: c, count: count)
            return
        }
        flush()
        pieces.append(.delimiter(Delimiter(char: c, count: count, originalCount: count, canOpen: canOpen, canClose: canClose)))
    }

    private func delimiter(_ index: Int) -> Delimiter {
        guard case let .delimiter(d) = pieces[index] else { preconditionFailure("not a delimiter") }
        return d
    }

    private mutating func update(_ index: Int, _ change: (inout Delimiter) -> Void) {
        var d = delimiter(index)
        change(&d)
        pieces[index] = .delimiter(d)
    }

    /// CommonMark's "process emphasis" over the delimiter runs, left to right.
    private mutating func processEmphasis() {
        // Indices into `pieces` of the delimiter runs still in play, in order.
        var stack = pieces.indices.filter { if case .delimiter = pieces[$0] { true } else { false } }
        // For each kind of closer, the piece index below which no opener can match.
        var openersBottom: [String: Int] = [:]
        var c = 0
        while c < stack.count {
            let closer = delimiter(stack[c])
            guard closer.canClose else {
                c += 1
                continue
            }
            let key = "\(closer.char)\(closer.canOpen)\(closer.originalCount % 3)"
            let bottom = openersBottom[key] ?? -1
            var o = c - 1
            var found = false
            while o >= 0, stack[o] > bottom {
                let opener = delimiter(stack[o])
                if opener.char == closer.char, opener.canOpen {
                    let oddMatch =
                        (opener.canClose || closer.canOpen)
                        && (opener.originalCount + closer.originalCount) % 3 == 0
                        && !(opener.originalCount % 3 == 0 && closer.originalCount % 3 == 0)
                    if !oddMatch {
                        found = true
                        break
                    }
                }
                o -= 1
            }
            guard found else {
                openersBottom[key] = c > 0 ? stack[c - 1] : -1
                if closer.canOpen { c += 1 } else { stack.remove(at: c) }
                continue
            }
            let openerIndex = stack[o]
            let closerIndex = stack[c]
            let use = closer.count >= 2 && delimiter(openerIndex).count >= 2 ? 2 : 1
            let tag = use == 2 ? "strong" : "em"
            update(openerIndex) {
                $0.count -= use; $0.openTags = "<\(tag)>" + $0.openTags
            }
            update(closerIndex) {
                $0.count -= use; $0.closeTags += "</\(tag)>"
            }
            // Runs between a matched pair stay literal.
            stack.removeSubrange((o + 1)..<c)
            c = o + 1
            if delimiter(openerIndex).count == 0 {
                stack.remove(at: o)
                c -= 1
            }
            if delimiter(closerIndex).count == 0 {
                stack.remove(at: c)
            }
        }
    }
}

// MARK: - URLs

/// Decides which link and image URLs may appear in rendered bodies.
enum SafeURL {
    /// The URL to put in `href`/`src` (not yet HTML-escaped), or `nil` if it is not
    /// http(s), mailto (when allowed) or a relative reference.
    ///
    /// Browsers ignore tabs and line breaks inside URLs and control characters and
    /// spaces around them, so those are removed before the scheme is checked:
    /// ` java\tscript:` is caught as `javascript:`.
    static func sanitize(_ raw: String, allowMailto: Bool) -> String? {
        var cleaned = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars where scalar.value > 0x20 || scalar == " " {
            if scalar.value == 0x7F { continue }
            cleaned.append(scalar)
        }
        let url = String(cleaned).trimmingSpaces()
        guard !url.isEmpty else { return nil }
        if let end = url.firstIndex(where: { ":/?#".contains($0) }), url[end] == ":" {
            let scheme = url[..<end].lowercased()
            let allowed = scheme == "http" || scheme == "https" || (allowMailto && scheme == "mailto")
            guard allowed else { return nil }
        }
        var encoded = ""
        for c in url {
            switch c {
            case " ": encoded += "%20"
            case "\"": encoded += "%22"
            case "<": encoded += "%3C"
            case ">": encoded += "%3E"
            case "\\": encoded += "%5C"
            case "`": encoded += "%60"
            default: encoded.append(c)
            }
        }
        return encoded
    }

    /// Links that leave the site (they get `rel="noopener"`).
    static func isExternal(_ url: String) -> Bool {
        let lower = url.lowercased()
        return lower.hasPrefix("http:") || lower.hasPrefix("https:") || lower.hasPrefix("//")
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let trimmed = drop { $0 == " " }
        return String(trimmed.reversed().drop { $0 == " " }.reversed())
    }
}

extension Character {
    fileprivate var isASCIIPunctuation: Bool {
        isASCII && (isPunctuation || isSymbol)
    }

    /// Unicode punctuation or symbol, as CommonMark's flanking rules define it.
    fileprivate var isMarkdownPunctuation: Bool {
        isPunctuation || isSymbol
    }
}
