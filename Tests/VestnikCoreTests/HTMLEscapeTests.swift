import Foundation
import Testing
@testable import VestnikCore

@Suite struct HTMLEscapeTests {
    @Test func escapesTheFiveCharacters() {
        #expect(
            HTML.escape(#"<a href="x" title='y'>Tom & Jerry</a>"#)
                == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;")
    }

    @Test func leavesOtherTextAlone() {
        #expect(HTML.escape("") == "")
        #expect(HTML.escape("„Шеста“ поправка: 5% ръст") == "„Шеста“ поправка: 5% ръст")
        #expect(HTML.escape("&amp;") == "&amp;amp;")
    }

    /// The five are escaped wherever they stand: in a `Character` that a combining mark joins to them too (inline
    /// Markdown escapes a character at a time), and at every place of a text longer than the eight bytes scanned at once.
    @Test func escapesInsideCharactersAndAtEveryPlace() {
        var text = ""
        for character in "a<\u{301}b&\u{301}\"'" { HTML.escape(character, into: &text) }
        #expect(text == "a&lt;\u{301}b&amp;\u{301}&quot;&#39;")
        #expect(HTML.escape("<\u{301}") == "&lt;\u{301}")
        let filler = "абвгдежзийкл"
        for place in 0...filler.count {
            var text = filler
            text.insert("<", at: text.index(text.startIndex, offsetBy: place))
            #expect(HTML.escape(text) == text.replacingOccurrences(of: "<", with: "&lt;"))
        }
        #expect(InlineParser.render("x <\u{301}b> y") == "x &lt;\u{301}b&gt; y")
    }

    @Test func unescape() {
        #expect(HTML.unescape("Tom &amp; Jerry &lt;3 &quot;x&quot; &#39;y&#39;") == "Tom & Jerry <3 \"x\" 'y'")
        #expect(HTML.unescape("&#1041;&#x44A;&#X43B;") == "Бъл")
        #expect(HTML.unescape("&bdquo;Да&ldquo; &ndash; a&nbsp;b") == "„Да“ – a\u{00A0}b")
        #expect(HTML.unescape("AT&T & co; &unknown; &#xZZ; &") == "AT&T & co; &unknown; &#xZZ; &")
        #expect(HTML.unescape("&amp;lt;") == "&lt;")
    }

    @Test func roundTrip() {
        let text = #"<script>alert("x" & 'y')</script> България"#
        #expect(HTML.unescape(HTML.escape(text)) == text)
    }
}

@Suite struct ByteSearchTests {
    @Test func containsBytesFindsMarkersAnywhereAndOnlyWhole() {
        let body = "<p>Текст „с кавички“.</p>\n<figure class=\"gallery\" data-media=\"abc\"></figure>"
        #expect(body.containsBytes("<figure class=\"gallery\" data-media=\""))
        #expect(body.containsBytes("</figure>"))
        #expect(body.containsBytes("<p>"))
        #expect(body.containsBytes("кавички"))
        #expect(!body.containsBytes("<figure><img"))
        #expect(!body.containsBytes("</figure>!"))
        #expect(!"".containsBytes("<"))
        #expect("<".containsBytes(""))
        #expect(!"<fig".containsBytes("<figure"))
    }

    @Test func bytesAgreeWithTheNaiveSearch() {
        let marker = Array("<figure class=\"embed\"".utf8)
        #expect(Array("<p>а</p><figure class=\"embed\" data-x>".utf8).containsBytes(marker))
        #expect(!Array("<p>а</p><figure class=\"embe".utf8).containsBytes(marker))
        #expect(![UInt8]().containsBytes(marker))
        #expect([UInt8]().containsBytes([]))
        // Random short texts over a three-letter alphabet, so hits and near misses are both common.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in UInt8.random(in: 97...99, using: &generator) }
            let needle = (0..<Int.random(in: 0...4, using: &generator)).map { _ in UInt8.random(in: 97...99, using: &generator) }
            let naive =
                needle.isEmpty || (0..<max(0, text.count - needle.count + 1)).contains { Array(text[$0..<$0 + needle.count]) == needle }
            #expect(text.containsBytes(needle) == naive, "\(text) \(needle)")
            // The same in a slice that does not start at 0, which must answer in the slice's own indices.
            let slice = ([0, 0] + text)[2...]
            let first = (slice.startIndex..<max(slice.startIndex, slice.endIndex - needle.count + 1)).first {
                Array(slice[$0..<$0 + needle.count]) == needle
            }
            #expect(slice.firstIndex(ofBytes: needle) == (needle.isEmpty ? 2 : first), "\(text) \(needle)")
        }
    }
}
