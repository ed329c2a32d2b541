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
