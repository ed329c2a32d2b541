import Foundation

/// Turns whatever HTML a browser's editor posts (typed text, a paste from Word or Google Docs, or a hostile crafted
/// request) into our stored body format: top-level `<p>`, `<h2>`, `<h3>`, `<blockquote>`, `<ul>`/`<ol>` and
/// `<figure>` and `<table>` blocks, one per line, with only `<strong>`, `<em>`, `<a href>` and `<br>` inside them.
///
/// A table keeps its rows and cells and nothing else: `<table>`, an optional `<thead>` whose cells are `<th>`, and
/// a `<tbody>` of `<tr>` with `<td>` or `<th>` (a row header) cells, each cell the inline HTML of its text (paragraphs
/// inside a cell joined with `<br>`). Spans, widths, styles and captions are not kept (a caption becomes a paragraph
/// before the table); a table with no text in any cell is dropped.
///
/// A figure is one of two exact shapes: a picture (`<img src alt width height>` and an optional caption) from our
/// own media library (`/media/<sha256>.<ext>`) or from an `https://` address elsewhere (`externalImage`), or an embed
/// marker (`<figure class="embed" data-embed="youtube" data-id="…">`, see `Embed`) whose id matches its provider's
/// pattern, or a gallery marker (`<figure class="gallery" data-media="…">`, see `Gallery`) naming library pictures. Pictures at any other address (`javascript:`, `data:`, `http:`), and every other iframe, embed code or
/// script, are dropped.
///
/// It never passes markup through: the input is parsed into a small tree, and the output is written fresh from
/// an allowlist, every text escaped and every URL checked (http, https, mailto, relative). Anything else (scripts,
/// styles, event handlers, iframes, forms, comments, unknown elements) is dropped, its text kept where it is prose.
public enum BodySanitizer {
    /// The sanitised body, blocks joined by `"\n"`.
    public static func sanitize(_ html: String) -> String {
        blocks(html).map(\.html).joined(separator: "\n")
    }

    public static func blocks(_ html: String) -> [BodyBlock] {
        var writer = BlockWriter()
        writer.blocks(of: HTMLTree.parse(html).children)
        writer.flush()
        return writer.output
    }
}

// MARK: - A tolerant parser into a tiny tree

final class HTMLNode {
    enum Kind { case element(String), text(String) }
    let kind: Kind
    var attributes: [String: String]
    var children: [HTMLNode] = []
    init(_ kind: Kind, attributes: [String: String] = [:]) {
        self.kind = kind
        self.attributes = attributes
    }
    var name: String? {
        if case .element(let name) = kind { return name }
        return nil
    }
}

enum HTMLTree {
    /// Elements whose whole content is dropped.
    static let dropped: Set<String> = [
        "script", "style", "template", "iframe", "object", "embed", "noscript", "noembed", "noframes", "svg", "math",
        "head", "title", "textarea", "select", "button", "xmp", "plaintext", "canvas", "video", "audio", "applet", "frameset",
        "frame", "form", "input", "option", "meta", "link", "base",
    ]
    /// Elements whose content is raw text up to the matching end tag.
    static let rawText: Set<String> = [
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext",
    ]
    static let void: Set<String> = [
        "br", "img", "hr", "wbr", "input", "meta", "link", "col", "area", "base", "embed", "param", "source", "track",
    ]
    /// Elements that close an open paragraph.
    static let closesParagraph: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table",
    ]
    /// Deeper nesting than this is flattened, so hostile input cannot exhaust the stack.
    static let maxDepth = 48

    static func parse(_ html: String) -> HTMLNode {
        let root = HTMLNode(.element("#root"))
        var stack: [HTMLNode] = [root]
        let s = Array(html.unicodeScalars)
        var i = 0
        var text = String.UnicodeScalarView()
        func flushText() {
            guard !text.isEmpty else { return }
            stack[stack.count - 1].children.append(HTMLNode(.text(HTML.unescape(String(text)))))
            text = String.UnicodeScalarView()
        }
        func starts(_ prefix: String, at index: Int) -> Bool {
            var j = index
            for c in prefix.unicodeScalars {
                guard j < s.count, String(s[j]).lowercased() == String(c) else { return false }
                j += 1
            }
            return true
        }
        func find(_ needle: String, from index: Int) -> Int? {
            var j = index
            while j < s.count {
                if starts(needle, at: j) { return j }
                j += 1
            }
            return nil
        }
        while i < s.count {
            let c = s[i]
            guard c == "<", i + 1 < s.count else {
                text.append(c)
                i += 1
                continue
            }
            let next = s[i + 1]
            if starts("<!--", at: i) {
                flushText()
                i = (find("-->", from: i + 4).map { $0 + 3 }) ?? s.count
                continue
            }
            if next == "!" || next == "?" {
                flushText()
                i = (find(">", from: i + 2).map { $0 + 1 }) ?? s.count
                continue
            }
            let closing = next == "/"
            let nameStart = closing ? i + 2 : i + 1
            guard nameStart < s.count, s[nameStart].properties.isAlphabetic, s[nameStart].isASCII else {
                text.append(c)
                i += 1
                continue
            }
            flushText()
            var j = nameStart
            var name = ""
            while j < s.count, !" \t\n\r\u{0C}/>".unicodeScalars.contains(s[j]) {
                name.unicodeScalars.append(s[j])
                j += 1
            }
            name = name.lowercased()
            // Attributes up to the closing `>`, quotes respected.
            var attributes: [String: String] = [:]
            while j < s.count, s[j] != ">" {
                if " \t\n\r\u{0C}/".unicodeScalars.contains(s[j]) {
                    j += 1
                    continue
                }
                var attrName = ""
                while j < s.count, !" \t\n\r\u{0C}/>=".unicodeScalars.contains(s[j]) {
                    attrName.unicodeScalars.append(s[j])
                    j += 1
                }
                while j < s.count, " \t\n\r\u{0C}".unicodeScalars.contains(s[j]) { j += 1 }
                var value = ""
                if j < s.count, s[j] == "=" {
                    j += 1
                    while j < s.count, " \t\n\r\u{0C}".unicodeScalars.contains(s[j]) { j += 1 }
                    if j < s.count, s[j] == "\"" || s[j] == "'" {
                        let quote = s[j]
                        j += 1
                        while j < s.count, s[j] != quote {
                            value.unicodeScalars.append(s[j])
                            j += 1
                        }
                        j += 1
                    } else {
                        while j < s.count, !" \t\n\r\u{0C}>".unicodeScalars.contains(s[j]) {
                            value.unicodeScalars.append(s[j])
                            j += 1
                        }
                    }
                }
                if !attrName.isEmpty, attributes[attrName.lowercased()] == nil {
                    attributes[attrName.lowercased()] = HTML.unescape(value)
                }
            }
            i = min(j + 1, s.count)
            if closing {
                if let index = stack.lastIndex(where: { $0.name == name }), index > 0 { stack.removeSubrange(index...) }
                continue
            }
            if rawText.contains(name) {
                // Skip everything up to the end tag; none of it is ever shown.
                i = (find("</\(name)", from: i).map { end in (find(">", from: end).map { $0 + 1 }) ?? s.count }) ?? s.count
                continue
            }
            let node = HTMLNode(.element(name), attributes: attributes)
            // A new paragraph-like block closes an open paragraph, as browsers do.
            if closesParagraph.contains(name),
                let open = stack.lastIndex(where: { $0.name == "p" }), open > 0
            {
                stack.removeSubrange(open...)
            }
            if name == "li", let open = stack.lastIndex(where: { $0.name == "li" }), open > 0,
                !stack[open...].contains(where: { $0.name == "ul" || $0.name == "ol" })
            {
                stack.removeSubrange(open...)
            }
            // A cell or row start tag ends the open cell (or row) of the same table, as browsers do.
            if name == "td" || name == "th" || name == "tr" {
                let closes: Set<String> = name == "tr" ? ["tr", "td", "th"] : ["td", "th"]
                let fence = stack.lastIndex(where: { $0.name == "table" || (name != "tr" && $0.name == "tr") }) ?? 0
                if fence + 1 < stack.count, let open = stack[(fence + 1)...].firstIndex(where: { closes.contains($0.name ?? "") }) {
                    stack.removeSubrange(open...)
                }
            }
            stack[stack.count - 1].children.append(node)
            if !void.contains(name), stack.count < maxDepth { stack.append(node) }
        }
        flushText()
        return root
    }
}

// MARK: - Writing our blocks

struct BlockWriter {
    var output: [BodyBlock] = []
    /// Each block of `output` as the inline HTML of one paragraph (its text with strong, em, a and br): what a quote
    /// makes of a heading, list, picture or quote inside it. Kept as each block is written, so that a quote never
    /// parses its inner blocks' output again (47 nested quotes once parsed a body 47 times).
    private(set) var flattened: [String] = []
    /// Inline HTML gathered for the paragraph being built.
    private var inline = ""
    /// Whether a paragraph that is only a post's address becomes its embed (at the top level; never inside a quote).
    var embedsAlone = true

    private mutating func append(_ block: BodyBlock, flattened text: String) {
        output.append(block)
        flattened.append(text)
    }

    mutating func flush() {
        let trimmed = Self.trim(inline)
        if embedsAlone, let embed = Self.embedAlone(trimmed) {
            append(BodyBlock(kind: .figure, html: embed.marker), flattened: "")
        } else if !trimmed.isEmpty {
            append(BodyBlock(kind: .paragraph, html: "<p>\(trimmed)</p>"), flattened: trimmed)
        }
        inline = ""
    }

    /// The post a paragraph names when the paragraph is nothing but its address, as text or as a link whose text is
    /// the address (as WordPress embeds a URL alone on its line): `https://youtu.be/…` on its own becomes the embed.
    static func embedAlone(_ paragraph: String) -> Embed? {
        guard paragraph.utf8.count <= 2 * maxExternalImageURL + 64 else { return nil }
        var text = paragraph
        if paragraph.hasPrefix("<a href=\""), paragraph.hasSuffix("</a>") {
            let inner = paragraph.dropFirst(9).dropLast(4)
            guard let quote = inner.firstIndex(of: "\""), let close = inner[quote...].firstIndex(of: ">") else { return nil }
            let href = HTML.unescape(String(inner[..<quote]))
            let shown = HTML.unescape(String(inner[inner.index(after: close)...]))
            guard inner[quote..<close] == "\"" || inner[quote..<close] == "\" rel=\"noopener\"", !shown.contains("<"),
                Embed(url: shown) == Embed(url: href)
            else { return nil }
            text = href
        } else {
            // Bytes, not Foundation's search: in sanitised HTML a `<` is a tag's, never text's (that is `&lt;`).
            guard !paragraph.utf8.contains(UInt8(ascii: "<")) else { return nil }
            text = HTML.unescape(paragraph)
        }
        guard text.hasPrefix("http"), !text.contains(where: \.isWhitespace) else { return nil }
        return Embed(url: text)
    }

    /// Places `nodes` at the top level: blocks become blocks, loose inline content becomes paragraphs.
    mutating func blocks(of nodes: [HTMLNode]) {
        for node in Self.wordLists(nodes) {
            guard let name = node.name else {
                inline += Self.inline([node])
                continue
            }
            if HTMLTree.dropped.contains(name) { continue }
            switch name {
            case "h1", "h2", "h3", "h4", "h5", "h6":
                flush()
                let level = name == "h1" || name == "h2" ? "h2" : "h3"
                let text = Self.trim(Self.inline(node.children, links: true))
                if !text.isEmpty { append(BodyBlock(kind: .heading, html: "<\(level)>\(text)</\(level)>"), flattened: text) }
            case "blockquote":
                flush()
                var inner = BlockWriter()
                inner.embedsAlone = false
                inner.blocks(of: node.children)
                inner.flush()
                // Inside a quote everything is a paragraph of text.
                let texts = zip(inner.output, inner.flattened).map { block, text in
                    block.kind == .paragraph ? text : Self.trim(text)
                }.filter { !$0.isEmpty }
                if !texts.isEmpty {
                    append(
                        BodyBlock(kind: .quote, html: "<blockquote>" + texts.map { "<p>\($0)</p>" }.joined() + "</blockquote>"),
                        flattened: texts.joined())
                }
            case "ul", "ol":
                flush()
                var items: [String] = []
                Self.listItems(node.children, into: &items)
                if !items.isEmpty {
                    append(
                        BodyBlock(kind: .list, html: "<\(name)>" + items.map { "<li>\($0)</li>" }.joined() + "</\(name)>"),
                        flattened: items.joined())
                }
            case "img":
                flush()
                if let figure = Self.figure(node, caption: nil) { append(figure, flattened: "") }
            case "figure":
                flush()
                if (node.attributes["class"] ?? "").split(separator: " ").contains("gallery") {
                    // Only the names in `data-media`; whatever the editor showed inside (thumbnails) is its own.
                    if let gallery = Gallery(attribute: node.attributes["data-media"] ?? "") {
                        append(BodyBlock(kind: .figure, html: gallery.marker), flattened: "")
                    }
                    continue
                }
                if node.attributes["data-embed"] != nil || (node.attributes["class"] ?? "").split(separator: " ").contains("embed") {
                    if let embed = Embed(kind: node.attributes["data-embed"] ?? "", id: node.attributes["data-id"] ?? "") {
                        append(BodyBlock(kind: .figure, html: embed.marker), flattened: "")
                    }
                    continue
                }
                let image = Self.first("img", in: node)
                let caption = Self.first("figcaption", in: node).map { Self.trim(Self.inline($0.children)) }
                if let image, let figure = Self.figure(image, caption: caption) { append(figure, flattened: caption ?? "") }
            case "table":
                flush()
                let table = Self.table(node)
                if !table.caption.isEmpty { append(BodyBlock(kind: .paragraph, html: "<p>\(table.caption)</p>"), flattened: table.caption) }
                if let html = table.html { append(BodyBlock(kind: .table, html: html), flattened: table.text) }
            case "hr":
                flush()
            case "p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "address", "center", "li",
                "dl", "dt", "dd", "thead", "tbody", "tfoot", "tr", "td", "th", "pre", "details", "summary",
                "figcaption", "caption":
                flush()
                if node.children.contains(where: { Self.isBlock($0) }) {
                    blocks(of: node.children)
                    flush()
                } else {
                    inline += Self.inline(node.children)
                    flush()
                }
            default:
                if node.children.contains(where: { Self.isBlock($0) }) {
                    // e.g. Google Docs' <b id="docs-internal-guid-…"> around the whole paste.
                    blocks(of: node.children)
                } else {
                    inline += Self.inline([node])
                }
            }
        }
    }

    /// Word's list paragraphs (`<p style="mso-list:l0 level1 lfo1">`, the marker "·", "1." or "a)" in a span styled
    /// `mso-list:Ignore`) as the lists they are: consecutive paragraphs of one list become one `<ul>`, or `<ol>` when
    /// the first marker is a number or a letter; the markers are dropped. Other nodes are left as they are.
    static func wordLists(_ nodes: [HTMLNode]) -> [HTMLNode] {
        guard nodes.contains(where: { wordListID($0) != nil }) else { return nodes }
        var out: [HTMLNode] = []
        var open: (id: String, list: HTMLNode)?
        for node in nodes {
            guard let id = wordListID(node) else {
                // Line breaks between Word's paragraphs do not end a list.
                if case .text(let text) = node.kind, open != nil, text.allSatisfy(\.isWhitespace) { continue }
                open = nil
                out.append(node)
                continue
            }
            let marker = removeWordMarker(from: node) ?? ""
            let item = HTMLNode(.element("li"))
            item.children = node.children
            if let open, open.id == id {
                open.list.children.append(item)
            } else {
                let ordered = marker.range(of: #"^([0-9]+|[a-zA-Z]|[ivxlcIVXLC]+)[.)]$"#, options: .regularExpression) != nil
                let list = HTMLNode(.element(ordered ? "ol" : "ul"))
                list.children = [item]
                out.append(list)
                open = (id, list)
            }
        }
        return out
    }

    /// The list (`l0`) a Word list paragraph belongs to; nil for any other node.
    static func wordListID(_ node: HTMLNode) -> String? {
        guard node.name == "p", node.attributes["style"] != nil else { return nil }
        let style = style(of: node)
        guard let range = style.range(of: #"mso-list:l[0-9]+"#, options: .regularExpression) else { return nil }
        return String(style[range].dropFirst("mso-list:".count))
    }

    /// Takes the first element styled `mso-list:Ignore` out of `node` and gives its text (Word's list marker).
    static func removeWordMarker(from node: HTMLNode, depth: Int = 0) -> String? {
        for (index, child) in node.children.enumerated() where child.name != nil {
            if style(of: child).contains("mso-list:ignore") {
                node.children.remove(at: index)
                return text(of: child).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if depth < 4, let found = removeWordMarker(from: child, depth: depth + 1) { return found }
        }
        return nil
    }

    static func text(of node: HTMLNode) -> String {
        switch node.kind {
        case .text(let text): return text
        case .element: return node.children.map(text(of:)).joined()
        }
    }

    static let blockNames: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "img", "figure", "hr", "section",
        "article", "header", "footer", "aside", "main", "nav", "table", "tr", "td", "th", "pre", "dl", "dt", "dd",
    ]

    static func isBlock(_ node: HTMLNode) -> Bool {
        guard let name = node.name else { return false }
        return blockNames.contains(name) || node.children.contains(where: isBlock)
    }

    /// A table as the body keeps it: its rows of cells (the rows of a `<thead>` become header rows of `<th>`), the
    /// text of its `<caption>`, and its cells' text joined by spaces (what a quote makes of it). Nil `html` when no
    /// cell has text.
    static func table(_ node: HTMLNode) -> (html: String?, caption: String, text: String) {
        var head: [String] = []
        var body: [String] = []
        var caption = ""
        var texts: [String] = []
        var firstRowAllHeaders = false
        func row(_ tr: HTMLNode, header: Bool) {
            var cells = ""
            var any = false
            for cell in tr.children {
                guard let name = cell.name, name == "td" || name == "th" else { continue }
                let text = cellHTML(cell.children)
                if !text.isEmpty {
                    any = true
                    texts.append(text)
                }
                let tag = header || name == "th" ? "th" : "td"
                cells += "<\(tag)>\(text)</\(tag)>"
            }
            guard any else { return }
            if header { head.append("<tr>\(cells)</tr>") } else { body.append("<tr>\(cells)</tr>") }
            if body.count == 1, !header, head.isEmpty { firstRowAllHeaders = !cells.contains("<td>") }
        }
        func rows(_ nodes: [HTMLNode], header: Bool) {
            for child in nodes {
                switch child.name {
                case "tr": row(child, header: header)
                case "thead": rows(child.children, header: true)
                case "tbody", "tfoot": rows(child.children, header: false)
                case "caption": caption = trim(inline(child.children))
                default: continue
                }
            }
        }
        rows(node.children, header: false)
        // Without a <thead>, a first row of header cells only is the header (LibreOffice and hand-written tables).
        if head.isEmpty, firstRowAllHeaders { head.append(body.removeFirst()) }
        guard !head.isEmpty || !body.isEmpty else { return (nil, caption, "") }
        var html = "<table>"
        if !head.isEmpty { html += "<thead>" + head.joined() + "</thead>" }
        if !body.isEmpty { html += "<tbody>" + body.joined() + "</tbody>" }
        return (html + "</table>", caption, texts.joined(separator: " "))
    }

    /// The inline HTML of a table cell: its paragraphs, headings, list items and nested tables' cells joined with
    /// `<br>`.
    static func cellHTML(_ nodes: [HTMLNode]) -> String {
        guard nodes.contains(where: isBlock) else { return trim(inline(nodes)) }
        var lines: [String] = []
        var loose: [HTMLNode] = []
        func take() {
            let text = trim(inline(loose))
            if !text.isEmpty { lines.append(text) }
            loose = []
        }
        func walk(_ nodes: [HTMLNode]) {
            for node in nodes {
                guard let name = node.name, isBlock(node) else {
                    loose.append(node)
                    continue
                }
                if HTMLTree.dropped.contains(name) { continue }
                take()
                if node.children.contains(where: isBlock) {
                    walk(node.children)
                    take()
                } else {
                    loose = node.children
                    take()
                }
            }
        }
        walk(nodes)
        take()
        return lines.joined(separator: "<br>")
    }

    static func first(_ name: String, in node: HTMLNode) -> HTMLNode? {
        for child in node.children {
            if child.name == name { return child }
            if let found = first(name, in: child) { return found }
        }
        return nil
    }

    static func listItems(_ nodes: [HTMLNode], into items: inout [String]) {
        for node in nodes {
            switch node.name {
            case "li":
                let own = node.children.filter { $0.name != "ul" && $0.name != "ol" }
                let text = trim(inline(own))
                if !text.isEmpty { items.append(text) }
                // Nested lists join their parent list, as in our Markdown.
                for nested in node.children where nested.name == "ul" || nested.name == "ol" { listItems(nested.children, into: &items) }
            case "ul", "ol":
                listItems(node.children, into: &items)
            case nil:
                let text = trim(inline([node]))
                if !text.isEmpty { items.append(text) }
            case let name? where HTMLTree.dropped.contains(name):
                continue
            default:
                let text = trim(inline([node]))
                if !text.isEmpty { items.append(text) }
            }
        }
    }

    /// A picture of our own library (its address exactly `/media/<sha256>.<ext>`), or one elsewhere on the web
    /// (`externalImage`: https only), or nothing.
    static func figure(_ image: HTMLNode, caption: String?) -> BodyBlock? {
        let src: String
        if let address = MediaAddress(path: image.attributes["src"] ?? "") {
            src = address.path
        } else if let external = externalImage(image.attributes["src"] ?? "") {
            src = external
        } else {
            return nil
        }
        let alt = image.attributes["alt"] ?? ""
        var html = "<figure><img src=\"\(src)\" alt=\"\(HTML.escape(collapse(alt)))\""
        for name in ["width", "height"] {
            if let text = image.attributes[name], text.count <= 5, let value = Int(text), (1...ImageFile.maxSide).contains(value) {
                html += " \(name)=\"\(value)\""
            }
        }
        html += " loading=\"lazy\">"
        if let caption, !caption.isEmpty { html += "<figcaption>\(caption)</figcaption>" }
        return BodyBlock(kind: .figure, html: html + "</figure>")
    }

    /// The longest address of a picture elsewhere that a body keeps.
    static let maxExternalImageURL = 2_000

    /// A picture elsewhere on the web (an agency's, an imported site's) as the body keeps it, escaped for the
    /// attribute: an absolute `https://` address with a host and no user or password (a page served over https
    /// loads nothing in the clear; `javascript:`, `data:`, `http:` and protocol-relative addresses are dropped),
    /// at most `maxExternalImageURL` long, without spaces, quotes, angle brackets, backslashes or control
    /// characters; letters outside ASCII percent-encoded (UTF-8). Nil for anything else.
    static func externalImage(_ src: String) -> String? {
        let text = src.trimmingCharacters(in: .whitespaces)
        guard text.utf8.count <= maxExternalImageURL, text.lowercased().hasPrefix("https://") else { return nil }
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case 0..<0x21, 0x7F, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                UInt8(ascii: "\\"), UInt8(ascii: "`"):
                return nil
            case 0x80...:
                encoded += "%" + String(byte, radix: 16, uppercase: true)
            default:
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        guard encoded.utf8.count <= maxExternalImageURL, let url = URLComponents(string: encoded), url.scheme?.lowercased() == "https",
            let host = url.host, !host.isEmpty, url.user == nil, url.password == nil
        else { return nil }
        return HTML.escape("https" + String(encoded.dropFirst(5)))
    }

    /// Inline HTML of `nodes`: text escaped, only strong, em, a and br kept.
    static func inline(_ nodes: [HTMLNode], links: Bool = true, depth: Int = 0) -> String {
        var out = ""
        for node in nodes {
            switch node.kind {
            case .text(let text):
                out += HTML.escape(collapse(text, keepEdges: true))
            case .element(let name):
                if HTMLTree.dropped.contains(name) { continue }
                let inner = inline(node.children, links: links && name != "a", depth: depth + 1)
                switch name {
                case "br":
                    out += "<br>"
                case "strong", "b":
                    // Google Docs wraps a whole paste in <b style="font-weight:normal">.
                    let style = style(of: node)
                    out += style.contains("font-weight:normal") || style.contains("font-weight:400") ? inner : wrap("strong", inner)
                case "em", "i", "cite", "dfn":
                    out += wrap("em", inner)
                case "a":
                    if links, let raw = node.attributes["href"], let url = SafeURL.sanitize(raw, allowMailto: true), !url.isEmpty {
                        let rel = SafeURL.isExternal(url) ? " rel=\"noopener\"" : ""
                        out += trim(inner).isEmpty ? "" : "<a href=\"\(HTML.escape(url))\"\(rel)>\(inner)</a>"
                    } else {
                        out += inner
                    }
                case "img", "hr":
                    continue
                default:
                    // Word and Google Docs mark bold and italic with styles on spans.
                    let style = style(of: node)
                    var result = inner
                    if style.contains("font-style:italic") { result = wrap("em", result) }
                    if style.contains("font-weight:bold") || style.contains("font-weight:700") || style.contains("font-weight:600") {
                        result = wrap("strong", result)
                    }
                    out += result
                }
            }
        }
        return out
    }

    /// An element's style attribute, lowercased, without spaces. Read only where it matters: a body of 250,000
    /// `<br>` once spent most of its time reading the styles of line breaks.
    static func style(of node: HTMLNode) -> String {
        guard let style = node.attributes["style"] else { return "" }
        return style.lowercased().replacingOccurrences(of: " ", with: "")
    }

    static func wrap(_ tag: String, _ inner: String) -> String {
        trim(inner).isEmpty ? inner : "<\(tag)>\(inner)</\(tag)>"
    }

    /// Runs of whitespace (line breaks included) become one space; a body block never spans lines.
    static func collapse(_ text: String, keepEdges: Bool = false) -> String {
        collapsedScalars(text, keepEdges: keepEdges) ?? collapsedCharacters(text, keepEdges: keepEdges)
    }

    /// `collapse`, character by character (any text).
    static func collapsedCharacters(_ text: String, keepEdges: Bool) -> String {
        var out = ""
        var space = false
        for c in text {
            if c.isWhitespace && c != "\u{00A0}" || c.isNewline {
                space = true
            } else {
                if space && (keepEdges || !out.isEmpty) { out.append(" ") }
                space = false
                out.append(c)
            }
        }
        if space && keepEdges { out.append(" ") }
        return out
    }

    /// `collapse` read scalar by scalar, for a text whose every scalar is a character of its own
    /// (`Unicode.Scalar.standsAlone`; CR LF, one character, is two whitespace scalars of one run), which is nearly
    /// every news text; nil for any other (then read by characters). Finding each character's bounds and its
    /// whitespace property cost the sanitizer more than the rest of its work on a plain paragraph.
    static func collapsedScalars(_ text: String, keepEdges: Bool) -> String? {
        var out = ""
        var space = false
        let scalars = text.unicodeScalars
        // The run of other scalars being read, copied whole when it ends.
        var run: String.Index?
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let white: Bool
            switch scalar.value {
            case 0x09...0x0D, 0x20: white = true
            case 0x21...0x7E, 0x400...0x45F: white = false
            default:
                guard scalar.standsAlone else { return nil }
                // As `Character.isWhitespace` (its first scalar's property), NBSP kept; `isNewline`'s are all whitespace.
                white = scalar.properties.isWhitespace && scalar.value != 0xA0
            }
            if white {
                if let start = run { out += Substring(scalars[start..<index]) }
                run = nil
                space = true
            } else if run == nil {
                if space && (keepEdges || !out.isEmpty) { out.append(" ") }
                space = false
                run = index
            }
            index = scalars.index(after: index)
        }
        if let start = run { out += Substring(scalars[start...]) }
        if space && keepEdges { out.append(" ") }
        return out
    }

    /// Strips leading and trailing spaces and `<br>`s.
    static func trim(_ html: String) -> String {
        var s = Substring(html)
        while true {
            if s.hasPrefix(" ") || s.hasPrefix("\u{00A0}") {
                s = s.dropFirst()
            } else if s.hasPrefix("<br>") {
                s = s.dropFirst(4)
            } else {
                break
            }
        }
        while true {
            if s.hasSuffix(" ") || s.hasSuffix("\u{00A0}") {
                s = s.dropLast()
            } else if s.hasSuffix("<br>") {
                s = s.dropLast(4)
            } else {
                break
            }
        }
        return String(s)
    }
}
