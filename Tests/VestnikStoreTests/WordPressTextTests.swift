import Foundation
import Testing

@testable import VestnikStore

/// The importer's own trimming (`WordPressText.trimmed`) is Foundation's, without bridging to `NSString`.
@Suite struct WordPressTextTests {
    @Test(arguments: [
        "", " ", "\n\t \r\n", "текст", "  текст  ", "\u{00A0}\u{2003}текст\u{3000}\u{2029}", "\u{85}a\u{1680}",
        " \u{301}акцент ", "емоджи 👍🏽 ", "\u{200B}нула\u{200B}", "\u{FEFF}bom", "ред\nпо ред\n\n",
    ])
    func trimsAsFoundationDoes(_ text: String) {
        let foundation = text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(WordPressText.trimmed(text) == foundation)
        #expect(WordPressText.trimmed(text).unicodeScalars.elementsEqual(foundation.unicodeScalars))
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
