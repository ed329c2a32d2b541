import Foundation
import Testing
@testable import VestnikWeb

@Suite struct SiteLocaleFormatTests {
    static func locale(_ strings: [String: String]) throws -> SiteLocale {
        var locale = try SiteLocale.load(code: "bg", from: Theme.builtInLocales)
        locale.strings = strings
        return locale
    }

    @Test func fillsEveryPlaceholderOnce() throws {
        let locale = try Self.locale([
            "pager": "Страница {page} от {pages}", "plain": "без скоби", "unknown": "{page} и {липсва} и {",
            "twice": "{n}{n} {n}", "braces": "{{n}}",
        ])
        #expect(locale.format("pager", ["page": "2", "pages": "10"]) == "Страница 2 от 10")
        #expect(locale.format("plain", ["page": "2"]) == "без скоби")
        #expect(locale.format("unknown", ["page": "1"]) == "1 и {липсва} и {")
        #expect(locale.format("twice", ["n": "ж"]) == "жж ж")
        #expect(locale.format("braces", ["n": "x"]) == "{x}")
        // A value is not searched for placeholders (the earlier replace-each-key-in-turn could, depending on the
        // order a dictionary happened to give).
        #expect(locale.format("pager", ["page": "{pages}", "pages": "3"]) == "Страница {pages} от 3")
        #expect(locale.format("missing_key", [:]) == "missing_key")
    }
}
