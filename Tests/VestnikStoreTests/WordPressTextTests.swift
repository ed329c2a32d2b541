import Foundation
import Testing

@testable import VestnikStore

/// The importer's own trimming (`WordPressText.trimmed`) is Foundation's, without bridging to `NSString`.
@Suite struct WordPressTextTests {
    @Test(arguments: [
        "", " ", "\n\t \r\n", "текст", "  текст  ", "\u{00A0}\u{2003}текст\u{3000}\u{2029}", "\u{85}a\u{1680}",
        " \u{301}акцент ", "емоджи 👍🏽 ", "\u{200B}нула\u{200B}", "\u{FEFF}bom", "ред\nпо ред\n\n", "\t\u{202F}2026-12-07 10:00:00\u{3000}\n",
    ])
    func trimsAsFoundationDoes(_ text: String) {
        let foundation = text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(WordPressText.trimmed(text) == foundation)
        #expect(WordPressText.trimmed(text).unicodeScalars.elementsEqual(foundation.unicodeScalars))
        // An item's plain fields (its id, dates, slug, status) trim spaces and tabs only, as Foundation's `.whitespaces`.
        let spaces = text.trimmingCharacters(in: .whitespaces)
        #expect(WordPressText.trimmed(text, .whitespaces).unicodeScalars.elementsEqual(spaces.unicodeScalars))
        #expect(WordPressText.trimmed("\t 12\u{205F}", .whitespaces) == "12")
    }
}

/// Shortcodes are found by a byte search in a text whose every scalar is a character of its own, by characters in
/// any other: both find the same `[`.
@Suite struct WordPressShortcodeSearchTests {
    static let texts = [
        "Текст [caption id=\"1\"]<img src=\"a.jpg\"> Подпис[/caption] и [gallery ids=\"1,2\"] край\r\n[[escaped]]",
        "Café „цитат“ – € ™ № [embed]x[/embed]\u{2028}ред",
        "Знак\u{301}[caption]<img src=\"b.jpg\">[/caption] [\u{301}gallery] и [gallery]",
        "емоджи 👍🏽 [gallery] и ZWJ\u{200D}[embed]",
        "",
    ]

    @Test func plainTextsAreRecognised() {
        #expect(WordPressText.everyScalarIsACharacter(Self.texts[0]))
        #expect(WordPressText.everyScalarIsACharacter(Self.texts[1]))
        #expect(!WordPressText.everyScalarIsACharacter(Self.texts[2]))
        #expect(!WordPressText.everyScalarIsACharacter(Self.texts[3]))
        #expect(WordPressText.everyScalarIsACharacter(Self.texts[4]))
    }

    @Test(arguments: texts)
    func aPlainTextsBracketsAreItsCharacters(_ text: String) {
        let byCharacters = text.indices.filter { text[$0] == "[" }
        let byBytes = text.utf8.indices.filter { text.utf8[$0] == UInt8(ascii: "[") }
        if WordPressText.everyScalarIsACharacter(text) { #expect(byCharacters == byBytes) }
        var (unknown, other): ([String: Int], [String: Int]) = ([:], [:])
        #expect(WordPressText.shortcodes(text, unknown: &unknown) == WordPressText.shortcodes(text, unknown: &other, byCharacters: true))
        #expect(unknown == other)
    }
}

/// `WordPressText.firstRange` over a substring's bytes: the first match, ASCII case folded when asked, in the
/// substring's own indices.
@Suite struct WordPressByteSearchTests {
    @Test func findsTheFirstMatchInASubstring() {
        let full = "Текст <!-- a --> и <IMG src=\"x\"> и <img src=\"y\"> <!- не"
        for skip in [0, 3, 7, 20] {
            let text = full[full.index(full.startIndex, offsetBy: skip)...]
            for (needle, ignoringCase) in [("<img", true), ("<img", false), ("<!--", false), ("-->", false), ("<!- н", false)] {
                let bytes = Array(text.utf8)
                let pattern = Array(needle.utf8)
                let fold = { (b: UInt8) in ignoringCase && b >= 65 && b <= 90 ? b | 0x20 : b }
                let expected = bytes.indices.first { start in
                    start + pattern.count <= bytes.count && pattern.indices.allSatisfy { fold(bytes[start + $0]) == pattern[$0] }
                }
                let found = WordPressText.firstRange(of: needle, in: text, ignoringCase: ignoringCase)
                #expect(found.map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) } == expected, "\(needle) \(skip)")
                if let found { #expect(text.utf8[found].count == pattern.count) }
            }
        }
    }
}
