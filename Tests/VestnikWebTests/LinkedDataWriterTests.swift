import Foundation
import Testing
@testable import VestnikWeb

/// `StructuredData.script` writes JSON-LD itself; it must give exactly the bytes of the Foundation path it replaced
/// (JSONSerialization with sorted keys and unescaped slashes, then `<`, `>`, `&` escaped).
@Suite struct LinkedDataWriterTests {
    static let awkward = [
        "", "plain", "Кирилица и „кавички“", "quote \" and backslash \\ and slash / and //", "</script><!-- & -->",
        "controls \u{0}\u{1}\u{7}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1B}\u{1F} and DEL \u{7F}", "emoji 👩‍👩‍👧 e\u{301}",
        "line separator \u{2028} paragraph \u{2029} NEL \u{85}", "https://vestnik.bg/svyat/a?b=1&c=2#d",
    ]

    static var blocks: [StructuredData.Block] {
        var blocks: [StructuredData.Block] = [
            ["@context": "https://schema.org", "@type": "NewsArticle", "headline": awkward, "isAccessibleForFree": true,
             "width": 1200, "height": -3, "mainEntityOfPage": ["@type": "WebPage", "@id": "https://x/a"],
             "dateModified": "2026-11-25T10:00:00+02:00", "datePublished": "2026-11-25T09:00:00+02:00",
             "inLanguage": "bg", "image": ["https://x/1.png", ["@type": "ImageObject", "url": "u", "width": 1, "height": 2]],
             "author": [["@type": "Person", "name": "Мария", "jobTitle": "Редактор"]], "keywords": "a, b",
             "articleSection": "Свят", "description": "", "publisher": ["@type": "Organization", "name": "В"],
             "query-input": "required name=search_term_string", "urlTemplate": "https://x/?q={search_term_string}",
             "potentialAction": ["@type": "SearchAction"], "itemListElement": [] as [StructuredData.Block], "url": "u",
             "Zebra": 1, "apple": 2, "Apple": 3, "item10": 10, "item9": 9, "a_b": 0, "a-b": 0, "aB": 0, "ab": 0, "False": false],
        ]
        for (index, text) in awkward.enumerated() { blocks.append(["name": text, "position": index, text: text]) }
        return blocks
    }

    @Test func writesWhatFoundationWrites() {
        for block in Self.blocks {
            #expect(StructuredData.script(block) == StructuredData.foundationScript(block))
        }
    }

    @Test func unknownValuesTakeTheFoundationPath() {
        let block: StructuredData.Block = ["ratio": 1.5, "name": "x"]
        #expect(StructuredData.script(block) == StructuredData.foundationScript(block))
    }
}
