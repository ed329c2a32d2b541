import Testing

@testable import VestnikCore

/// `ArticleBody.plainText` works on bytes; these check it against the rules it keeps, and against the
/// `Character`-walking version it replaced (kept below as the oracle) on random mixes of the characters that matter (a failure names its text).
struct PlainTextTests {
    @Test func entitiesAndWhitespace() {
        #expect(ArticleBody.plainText("a&#1041;&#x431;&Amp;&amp;lt;&unknown;&#0;&") == "aБб&Amp;&lt;&unknown;&#0;&")
        #expect(ArticleBody.plainText("едно&nbsp;&#32;две\u{2009}\u{3000}три\u{00A0}\u{2028}четири\u{0085}") == "едно две три четири")
        #expect(ArticleBody.plainText("&" + String(repeating: "a", count: 31) + ";x") == "&" + String(repeating: "a", count: 31) + ";x")
        #expect(ArticleBody.plainText("\u{200B}нула\u{200B}") == "\u{200B}нула\u{200B}")  // not whitespace
    }

    @Test func tags() {
        #expect(ArticleBody.plainText("<P>а</P ><BR/>б<?x?>в") == "а бв")
        // A comment is a tag up to its first `>`: what follows is text, as it was before.
        #expect(ArticleBody.plainText("а<!-- <p>б</p> -->в") == "аб -->в")
        #expect(ArticleBody.plainText("a<script>never") == "a")
        #expect(ArticleBody.plainText("a<sCrIpT type=x>1</SCRIPT>b") == "a b")
        #expect(ArticleBody.plainText("<<p>>") == "< >")
        #expect(ArticleBody.plainText("x <b attr=\"unclosed>y") == "x <b attr=\"unclosed>y")
        #expect(ArticleBody.plainText("1<2 и <3") == "1<2 и <3")
        #expect(ArticleBody.plainText("<h2>Заглавие</h2><p>текст</p>") == "Заглавие текст")
        #expect(ArticleBody.plainText("<span>по</span><i>лу</i>") == "полу")
    }

    @Test func sameAsTheCharacterWalk() {
        let pieces = [
            "<p>", "</p>", "<b>", "</B>", "<script>", "</script>", "<style a='>'>", "</style>", "<", ">", "&amp;", "&lt;",
            "&#1041;", "&nbsp;", "&bogus;", "&", ";", " ", "\n", "\t", "\u{00A0}", "\u{2009}", "дума", "word", "\"", "'",
            "<a href=\"x>y\">", "<!-- ", " -->", "<br>", "<td>", "1", "„", "“",
        ]
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...24)).map { _ in pieces.randomElement()! }.joined()
            #expect(ArticleBody.plainText(text) == CharacterWalk.plainText(text), "\(text.debugDescription)")
        }
    }
}

/// The version before the byte-level one: correct and slow (about 0.25 s a megabyte).
private enum CharacterWalk {
    static func plainText(_ html: String) -> String {
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
            let name = rest[afterOpen..<close].drop { $0 == "/" }.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }.lowercased()
            rest = rest[rest.index(after: close)...]
            if name == "script" || name == "style" {
                if let range = range(ofCaseInsensitive: "</\(name)", in: rest), let endClose = tagEnd(rest[range.upperBound...]) {
                    rest = rest[rest.index(after: endClose)...]
                } else {
                    rest = rest[rest.endIndex...]
                }
            }
            if blockTags.contains(name) { stripped += " " }
        }
        stripped += rest
        return HTML.unescape(stripped).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func tagEnd(_ s: Substring) -> Substring.Index? {
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

    static func range(ofCaseInsensitive needle: String, in s: Substring) -> Range<Substring.Index>? {
        let target = Array(needle.lowercased())
        var i = s.startIndex
        while i < s.endIndex {
            var j = i
            var k = 0
            while k < target.count, j < s.endIndex, s[j].lowercased() == String(target[k]) {
                j = s.index(after: j)
                k += 1
            }
            if k == target.count { return i..<j }
            i = s.index(after: i)
        }
        return nil
    }

    static let blockTags: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "figure", "figcaption",
        "hr", "br", "div", "section", "article", "aside", "header", "footer", "table", "tr", "td", "th",
        "img", "pre", "dl", "dt", "dd", "script", "style",
    ]
}
