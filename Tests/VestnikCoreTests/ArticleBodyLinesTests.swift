import Testing
@testable import VestnikCore

/// `ArticleBody.blocks(fromHTML:)` and `blocks(fromUTF8:)` find lines on the UTF-8 bytes; they must cut exactly where
/// the Character-based split they replaced did.
@Suite struct ArticleBodyLinesTests {
    /// The earlier implementation, kept here as the reference.
    static func reference(_ html: String) -> [BodyBlock] {
        html.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.drop(while: \.isWhitespace)
            guard !trimmed.isEmpty else { return nil }
            let text = String(trimmed.reversed().drop(while: \.isWhitespace).reversed())
            return BodyBlock(kind: kind(text), html: text)
        }
    }

    /// The block kind as the Character-based reading found it: from the lowercased ASCII letters and digits after
    /// the first Character and any slashes.
    static func kind(_ text: String) -> BodyBlock.Kind {
        ArticleBody.kind(
            ofLeadingTag: text.dropFirst().drop { $0 == "/" }.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }.lowercased())
    }

    static let bodies = [
        "",
        "\n\n",
        "<p>Едно</p>\n<h2>Две</h2>\n<blockquote><p>Три</p></blockquote>\n<ul><li>а</li></ul>\n<hr>",
        "<p>CR LF</p>\r\n<p>CR</p>\r<p>LF</p>\n\n\n<p>VT</p>\u{0B}<p>FF</p>\u{0C}<p>край</p>",
        "<p>NEL</p>\u{85}<p>LS</p>\u{2028}<p>PS</p>\u{2029}<figure><img src=\"/a.jpg\" alt=\"\"></figure>",
        "   <p>отстъп</p>   \n\t<h3>таб</h3>\t\n\u{A0}<p>NBSP</p>\u{A0}\n \u{3000}<p>ideographic space</p>",
        "<p>é\u{301} combining</p>\n<p>emoji 👩‍👩‍👧 family</p>\n<p>ends with a mark e\u{301}</p>",
        "no tag at all\n<unknown>x</unknown>\n<P>upper</P>\n< p>space</p>",
        "<p>Â and â, \u{C2}\u{A0} — bytes C2 and E2 that are not newlines: \u{2027}\u{202A}\u{2030}</p>",
        "<H2>upper</H2>\n<BlockQuote>mixed</BlockQuote>\n</p>closing first\n<//h2>two slashes\n<h2 class=\"x\">attrs</h2>",
        "<h2\u{301}>mark after the name\n<\u{301}h2>mark after the bracket\n</\u{301}h2>mark after the slash",
        "<blockquote\u{301}>x\n<blockquotes>x\n<abcdefghijklm>x\n<h2>ends in a mark</h2>\u{301}\n<h10>x\n<h2",
        "<figure>x</figure> \n<hr>\u{7F}\n<ul>\u{1}",
    ]

    /// Long lines of every length mod 8, with every separator, so that newlines fall at every offset of the
    /// eight-byte steps.
    static var longBodies: [String] {
        let separators = ["\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"]
        let words = ["Пловдив", "plan", "—", "„кавички“", "2030", "é\u{301}", "\u{A0}", "x"]
        return (0..<3).map { round in
            (0..<40).map { line in
                let text = (0..<(line + round)).map { words[($0 * 3 + line) % words.count] }.joined(separator: " ")
                return "<p>\(text)</p>" + separators[(line + round) % separators.count]
            }.joined()
        }
    }

    @Test func linesAreCutWhereTheCharacterSplitCutThem() {
        for body in Self.bodies + Self.longBodies {
            let blocks = ArticleBody.blocks(fromHTML: body)
            #expect(blocks.map(\.html) == Self.reference(body).map(\.html), "\(body.debugDescription)")
            #expect(blocks.map(\.kind) == Self.reference(body).map(\.kind), "\(body.debugDescription)")
        }
    }

    /// The article page reads the stored bytes (`blocks(fromUTF8:)`): the same blocks, each a slice of the body
    /// itself, not a copy.
    @Test func storedBytesGiveTheSameBlocksAsSlicesOfTheBody() {
        for body in Self.bodies + Self.longBodies {
            let bytes = Array(body.utf8)
            let blocks = ArticleBody.blocks(fromUTF8: bytes)
            #expect(blocks.map(\.text) == Self.reference(body).map(\.html), "\(body.debugDescription)")
            #expect(blocks.map(\.kind) == Self.reference(body).map(\.kind), "\(body.debugDescription)")
            bytes.withUnsafeBufferPointer { stored in
                for block in blocks {
                    block.html.withUnsafeBufferPointer { #expect($0.baseAddress == stored.baseAddress! + block.html.startIndex) }
                }
            }
        }
    }

    /// We never store a body that is not valid UTF-8, but one edited by hand must not break the page: each block is
    /// cut and kinded as reading the body as a (repaired) string does, and a line that is not plain takes its repaired
    /// HTML.
    @Test func invalidUTF8IsCutAsTheRepairedStringIs() {
        let bodies: [[UInt8]] = [
            [0x3C, 0x70, 0x3E, 0xFF, 0xD0, 0x3C, 0x2F, 0x70, 0x3E],  // <p>\xFF\xD0</p>: a plain line, kept as stored
            [0x20, 0xE2, 0x80, 0x0A, 0xC2, 0x0A, 0x3C, 0x68, 0x32, 0x3E, 0xF0, 0x9F],  // " \xE2\x80\n\xC2\n<h2>\xF0\x9F"
            // NEL, LS, PS after broken leads
            [0xE2, 0xC2, 0x85, 0x3C, 0x70, 0xE2, 0x80, 0xA8, 0xF0, 0xE2, 0x80, 0xA9, 0x3C, 0x75, 0x6C, 0x3E, 0xC3],
            [0x3C, 0xC3, 0x70, 0x3E, 0x0D, 0x0A, 0x3C, 0x68, 0x72, 0x3E, 0x20, 0xED, 0xA0, 0x80],  // a broken tag name; a surrogate
            Array("<p>валиден</p>\n".utf8) + [0x80, 0x80] + Array("<figure><img src=\"/a.jpg\"></figure>\n\t".utf8) + [0xC0, 0xAF],
        ]
        for bytes in bodies {
            let repaired = String(decoding: bytes, as: UTF8.self)
            let blocks = ArticleBody.blocks(fromUTF8: bytes)
            #expect(blocks.map(\.text) == Self.reference(repaired).map(\.html), "\(bytes)")
            #expect(blocks.map(\.kind) == Self.reference(repaired).map(\.kind), "\(bytes)")
        }
        #expect(ArticleBody.blocks(fromUTF8: bodies[0]).map { Array($0.html) } == [bodies[0]])
    }

    @Test func kindsComeFromTheLeadingTag() {
        let blocks = ArticleBody.blocks(
            fromHTML: "<h2>a</h2>\n<blockquote>b</blockquote>\n<ol><li>c</li></ol>\n<figure>d</figure>\n<hr>\n<p>e</p>")
        #expect(blocks.map(\.kind) == [.heading, .quote, .list, .figure, .rule, .paragraph])
    }
}
