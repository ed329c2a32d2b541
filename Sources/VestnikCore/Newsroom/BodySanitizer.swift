import Foundation

/// Turns whatever HTML a browser's editor posts (typed text, a paste from Word or Google Docs, or a hostile crafted
/// request) into our stored body format: top-level `<p>`, `<h2>`, `<h3>`, `<blockquote>`, `<ul>`/`<ol>` and
/// `<figure>` blocks, one per line, with only `<strong>`, `<em>`, `<a href>` and `<br>` inside them.
///
/// A figure is one of two exact shapes: a picture (`<img src alt width height>` and an optional caption) from our
/// own media library (`/media/<sha256>.<ext>`) or from an `https://` address elsewhere (`externalImage`), or an embed
/// marker (`<figure class="embed" data-embed="youtube" data-id="…">`, see `Embed`) whose id matches its provider's
/// pattern. Pictures at any other address (`javascript:`, `data:`, `http:`), and every other iframe, embed code or
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
    static let closesParagraph: Set<String> = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote"]
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

    private mutating func append(_ block: BodyBlock, flattened text: String) {
        output.append(block)
        flattened.append(text)
    }

    mutating func flush() {
        let trimmed = Self.trim(inline)
        if !trimmed.isEmpty { append(BodyBlock(kind: .paragraph, html: "<p>\(trimmed)</p>"), flattened: trimmed) }
        inline = ""
    }

    /// Places `nodes` at the top level: blocks become blocks, loose inline content becomes paragraphs.
    mutating func blocks(of nodes: [HTMLNode]) {
        for node in nodes {
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
                if node.attributes["data-embed"] != nil || (node.attributes["class"] ?? "").split(separator: " ").contains("embed") {
                    if let embed = Embed(kind: node.attributes["data-embed"] ?? "", id: node.attributes["data-id"] ?? "") {
                        append(BodyBlock(kind: .figure, html: embed.marker), flattened: "")
                    }
                    continue
                }
                let image = Self.first("img", in: node)
                let caption = Self.first("figcaption", in: node).map { Self.trim(Self.inline($0.children)) }
                if let image, let figure = Self.figure(image, caption: caption) { append(figure, flattened: caption ?? "") }
            case "hr":
                flush()
            case "p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "address", "center", "li",
                "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "pre", "details", "summary",
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

    static let blockNames: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "img", "figure", "hr", "section",
        "article", "header", "footer", "aside", "main", "nav", "table", "tr", "td", "th", "pre", "dl", "dt", "dd",
    ]

    static func isBlock(_ node: HTMLNode) -> Bool {
        guard let name = node.name else { return false }
        return blockNames.contains(name) || node.children.contains(where: isBlock)
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
