/// One top-level block of an article body, already rendered to single-line HTML.
///
/// The page template needs the body as separate blocks (to insert "Още:" links after
/// some paragraphs, to style the lead), so bodies are rendered and stored block by block.
public struct BodyBlock: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case paragraph, heading, quote, list, figure, rule, table
    }

    public var kind: Kind
    /// The block's HTML; never contains a line break.
    public var html: String

    public init(kind: Kind, html: String) {
        self.kind = kind
        self.html = html
    }
}

/// A focused, safe Markdown renderer for article bodies.
///
/// Editors write bodies in Markdown; readers must never receive markup the editor did
/// not mean, so raw HTML is shown as text, every text and attribute is escaped, and
/// only http, https, mailto and relative URLs survive. Supported: paragraphs,
/// `#`–`######` headings (`#`/`##` → `<h2>`, deeper → `<h3>`; the page's `<h1>` is
/// the title), `>` quotes, `-`/`*`/`+` and `1.` lists, `---` rules, images alone on a
/// line (→ `<figure>`), `**bold**`, `*italic*`, `` `code` ``, `[links](url)`,
/// `<https://autolinks>` and backslash escapes. Setext headings, code blocks, tables
/// and nested lists are not supported (nested list items join their parent list).
public enum Markdown {
    /// Renders Markdown into top-level blocks, each a single line of HTML.
    public static func blocks(_ source: String) -> [BodyBlock] {
        let lines = source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.contains("\0") ? Substring($0.map { $0 == "\0" ? "\u{FFFD}" : $0 }) : $0 }
        var parser = BlockParser(lines: lines, depth: 0)
        // A post's address alone in a paragraph is the post, as in the editor's bodies (`BodySanitizer`).
        return parser.parse().map { block in
            guard block.kind == .paragraph, block.html.hasPrefix("<p>"), block.html.hasSuffix("</p>"),
                let embed = BlockWriter.embedAlone(String(block.html.dropFirst(3).dropLast(4)))
            else { return block }
            return BodyBlock(kind: .figure, html: embed.marker)
        }
    }

    /// Renders Markdown to HTML: the blocks' HTML joined by `"\n"`, one block per line.
    public static func html(_ source: String) -> String {
        blocks(source).map(\.html).joined(separator: "\n")
    }

    /// Renders inline Markdown (emphasis, code, links) of a single line of text.
    public static func inlineHTML(_ text: String) -> String {
        InlineParser.render(text.split(whereSeparator: \.isNewline).joined(separator: " "))
    }
}

// MARK: - Blocks

/// What a source line starts, judged on its own.
private enum Line {
    case blank
    case heading(level: Int, text: Substring)
    case rule
    case quote(Substring)
    case item(ordered: Bool, start: Int, indent: Int, text: Substring)
    case figure(BodyBlock?)
    case text(Substring)
}

private struct BlockParser {
    static let maxQuoteDepth = 8

    let lines: [Substring]
    let depth: Int
    var index = 0

    init(lines: [Substring], depth: Int) {
        self.lines = lines
        self.depth = depth
    }

    mutating func parse() -> [BodyBlock] {
        var blocks: [BodyBlock] = []
        while index < lines.count {
            switch classify(lines[index]) {
            case .blank:
                index += 1
            case let .heading(level, text):
                index += 1
                let tag = level <= 2 ? "h2" : "h3"
                let inner = InlineParser.render(String(text))
                if !inner.isEmpty { blocks.append(BodyBlock(kind: .heading, html: "<\(tag)>\(inner)</\(tag)>")) }
            case .rule:
                index += 1
                blocks.append(BodyBlock(kind: .rule, html: "<hr>"))
            case .quote:
                if let quote = parseQuote() { blocks.append(quote) }
            case let .item(ordered, start, _, _):
                blocks.append(parseList(ordered: ordered, start: start))
            case let .figure(figure):
                index += 1
                if let figure { blocks.append(figure) }
            case .text:
                blocks.append(parseParagraph())
            }
        }
        return blocks
    }

    /// Consecutive text lines; the caller has checked that the first one is text.
    private mutating func parseParagraph() -> BodyBlock {
        var parts: [Substring] = [lines[index].trimmingWhitespace()]
        index += 1
        while index < lines.count {
            switch classify(lines[index]) {
            case .text:
                break
            case let .item(ordered, start, _, _) where ordered && start != 1:
                break  // "2023. година…" inside a paragraph is text, as in CommonMark
            default:
                return paragraph(parts)
            }
            parts.append(lines[index].trimmingWhitespace())
            index += 1
        }
        return paragraph(parts)
    }

    private func paragraph(_ parts: [Substring]) -> BodyBlock {
        BodyBlock(kind: .paragraph, html: "<p>\(InlineParser.render(parts.joined(separator: " ")))</p>")
    }

    private mutating func parseQuote() -> BodyBlock? {
        var inner: [Substring] = []
        while index < lines.count {
            switch classify(lines[index]) {
            case let .quote(content):
                inner.append(content)
            case .text where inner.last.map({ !$0.isBlankLine }) ?? false:
                inner.append(lines[index])  // lazy continuation of the quoted paragraph
            default:
                return quote(inner)
            }
            index += 1
        }
        return quote(inner)
    }

    private func quote(_ inner: [Substring]) -> BodyBlock? {
        var nested = BlockParser(lines: inner, depth: depth + 1)
        let blocks = nested.parse()
        guard !blocks.isEmpty else { return nil }
        return BodyBlock(kind: .quote, html: "<blockquote>\(blocks.map(\.html).joined())</blockquote>")
    }

    private mutating func parseList(ordered: Bool, start: Int) -> BodyBlock {
        var items: [[Substring]] = []
        loop: while index < lines.count {
            switch classify(lines[index]) {
            case let .item(itemOrdered, _, indent, text) where itemOrdered == ordered || indent >= 2 || items.isEmpty:
                items.append([text])
            case .text where !items.isEmpty:
                items[items.count - 1].append(lines[index].trimmingWhitespace())
            case .blank:
                // A blank line ends the list unless another item of the same kind follows.
                guard let next = lines[index...].firstIndex(where: { !$0.isBlankLine }),
                    case let .item(nextOrdered, _, _, _) = classify(lines[next]), nextOrdered == ordered
                else { break loop }
                index = next
                continue loop
            default:
                break loop
            }
            index += 1
        }
        let tag = ordered ? "ol" : "ul"
        let startAttribute = ordered && start != 1 ? " start=\"\(start)\"" : ""
        let html = items.map { "<li>\(InlineParser.render($0.joined(separator: " ")))</li>" }.joined()
        return BodyBlock(kind: .list, html: "<\(tag)\(startAttribute)>\(html)</\(tag)>")
    }

    private func classify(_ line: Substring) -> Line {
        var indent = 0
        var rest = line[...]
        while let first = rest.first, first == " " || first == "\t" {
            indent += first == "\t" ? 4 : 1
            rest = rest.dropFirst()
        }
        guard let first = rest.first else { return .blank }
        let content = rest.trimmingWhitespace()

        if indent < 4 {
            if first == "#" {
                let hashes = rest.prefix { $0 == "#" }.count
                let after = rest.dropFirst(hashes)
                if hashes <= 6, after.isEmpty || after.first == " " || after.first == "\t" {
                    return .heading(level: hashes, text: Self.stripClosingHashes(after.trimmingWhitespace()))
                }
            }
            if "-*_".contains(first),
                rest.allSatisfy({ $0 == first || $0 == " " || $0 == "\t" }),
                rest.filter({ $0 == first }).count >= 3
            {
                return .rule
            }
            if first == ">", depth < Self.maxQuoteDepth {
                let quoted = rest.dropFirst()
                return .quote(quoted.first == " " || quoted.first == "\t" ? quoted.dropFirst() : quoted)
            }
        }
        if let item = Self.listItem(rest, indent: indent) { return item }
        if content.hasPrefix("!["), let figure = Figure.parse(content) { return .figure(figure) }
        return .text(content)
    }

    private static func listItem(_ rest: Substring, indent: Int) -> Line? {
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        let ordered = !digits.isEmpty
        let marker: Substring
        if ordered {
            guard digits.count <= 9, let delimiter = rest.dropFirst(digits.count).first, delimiter == "." || delimiter == ")"
            else { return nil }
            marker = rest.prefix(digits.count + 1)
        } else {
            guard let bullet = rest.first, "-*+".contains(bullet) else { return nil }
            marker = rest.prefix(1)
        }
        let after = rest.dropFirst(marker.count)
        guard after.first == " " || after.first == "\t" else { return nil }
        let text = after.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        return .item(ordered: ordered, start: Int(digits) ?? 1, indent: indent, text: text)
    }

    /// `## Title ##` → `Title`; `## C#` keeps its `#`.
    private static func stripClosingHashes(_ text: Substring) -> Substring {
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)] == "#" { end = text.index(before: end) }
        if end == text.startIndex { return "" }
        if end == text.endIndex { return text }
        let before = text[text.index(before: end)]
        return before == " " || before == "\t" ? text[..<end].trimmingWhitespace() : text
    }
}

/// An image alone on a line: `![alt](url "caption")`.
private enum Figure {
    /// `nil` when the line is not an image; `.some(nil)` when it is one with a
    /// forbidden URL (the image is dropped).
    static func parse(_ line: Substring) -> BodyBlock?? {
        let chars = Array(line)
        guard let link = InlineParser.linkSyntax(chars, openBracket: 1), link.end == chars.count else { return nil }
        guard let src = SafeURL.sanitize(link.destination, allowMailto: false) else { return .some(nil) }
        let alt = InlineParser.plainText(String(chars[link.text]))
        var html = "<figure><img src=\"\(HTML.escape(src))\" alt=\"\(HTML.escape(alt))\" loading=\"lazy\">"
        if let title = link.title {
            let caption = InlineParser.render(title)
            if !caption.isEmpty { html += "<figcaption>\(caption)</figcaption>" }
        }
        return BodyBlock(kind: .figure, html: html + "</figure>")
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = self[start...].lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }

    fileprivate var isBlankLine: Bool { allSatisfy(\.isWhitespace) }
}
