import Foundation
import Testing
import VestnikCore

/// A posted form and a query string as browsers write them (`application/x-www-form-urlencoded`).
@Suite struct FormURLEncodingTests {
    @Test func pairsAreDecodedInOrder() {
        let pairs = FormURLEncoding.pairs("title=%D0%9D%D0%BE%D0%B2%D0%B8%D0%BD%D0%B0&body=a+b%2Bc&tag=x&tag=y")
        #expect(pairs.map(\.name) == ["title", "body", "tag", "tag"])
        #expect(pairs.map(\.value) == ["Новина", "a b+c", "x", "y"])
    }

    @Test func oddPairsKeepWhatTheySay() {
        // No `=`: an empty value; only the first `=` splits; empty pairs are skipped; a malformed escape stays as
        // written rather than failing the request.
        let pairs = FormURLEncoding.pairs("flag&&a=b=c&bad=%zz%E0&=")
        #expect(pairs.map(\.name) == ["flag", "a", "bad", ""])
        #expect(pairs.map(\.value) == ["", "b=c", "%zz%E0", ""])
        #expect(FormURLEncoding.pairs("").isEmpty)
    }

    @Test func queryValuesEncodeAsFoundationDoesAndDecodeBack() {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        #expect(
            FormURLEncoding.encodeQueryValue("Нова цена: 5 лв. & още #1+")
                == "%D0%9D%D0%BE%D0%B2%D0%B0%20%D1%86%D0%B5%D0%BD%D0%B0%3A%205%20%D0%BB%D0%B2.%20%26%20%D0%BE%D1%89%D0%B5%20%231%2B")
        let alphabet = Array("aZ09-._~ &=+#%/?:„“Жж€😀\u{301}\n\"'<>")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let encoded = FormURLEncoding.encodeQueryValue(text)
            #expect(encoded == text.addingPercentEncoding(withAllowedCharacters: unreserved), "\(text)")
            #expect(FormURLEncoding.pairs("v=" + encoded).first?.value == text)
        }
    }

    @Test func percentDecodingIsFoundations() {
        // Plain UTF-8 escapes, and the texts left to Foundation: malformed escapes (nil), bytes that are not UTF-8 (nil,
        // or U+FFFD for a lone continuation byte). A byte-order mark is kept anywhere (Foundation drops a leading one).
        let cases = [
            "", "plain", "a%2Fb", "%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B0", "%e2%82%ac", "%00", "é%20д", "%", "%4", "%zz", "%%41",
            "%C3", "%A9", "x%A9y", "%ED%A0%80", "%C0%80", "%FF", "a%EF%BB%BF", "e\u{301}%CC%81", "%F0%9F%98%80",
        ]
        for text in cases {
            let decoded = FormURLEncoding.percentDecoded(text)
            #expect(decoded.map { Array($0.utf8) } == text.removingPercentEncoding.map { Array($0.utf8) }, "\(text.debugDescription)")
            #expect(FormURLEncoding.percentDecoded(Substring("/" + text).dropFirst()) == decoded)
        }
        #expect(FormURLEncoding.percentDecoded("%D0%BD%D0%BE%D0%B2") == "нов")
        #expect(FormURLEncoding.percentDecoded("%zz") == nil)
        for (text, decoded) in [("%EF%BB%BFa", "\u{FEFF}a"), ("\u{FEFF}a", "\u{FEFF}a"), ("\u{FEFF}%41", "\u{FEFF}A")] {
            #expect(FormURLEncoding.percentDecoded(text).map { Array($0.unicodeScalars) } == Array(decoded.unicodeScalars))
        }
        let pieces = [
            "%", "a", "0", "f", "F", "g", "/", "é", "д", "%C3", "%A9", "%D0", "%B4", "%E2", "%82", "%AC", "%ED", "%A0", "%80",
            "%F0", "%9F", "%98", "%00", "%FF", "%EF", "%BB", "%BF", "\u{FEFF}", "\u{301}", "😀", " ", "+",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let decoded = FormURLEncoding.percentDecoded(text).map { Array($0.unicodeScalars) }
            let foundation = text.removingPercentEncoding.map { Array($0.unicodeScalars) }
            let keptMark = decoded?.first == "\u{FEFF}" && decoded.map { Array($0.dropFirst()) } == foundation
            #expect(decoded == foundation || keptMark, "\(text.debugDescription)")
        }
    }

    /// The fuzz target's finding (2026-12-07): a value beginning with U+FEFF, sent back as a browser encodes it, lost
    /// that character.
    @Test func aLeadingByteOrderMarkSurvivesARoundTrip() {
        let value = "\u{FEFF}9%\u{3}"
        let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let pairs = FormURLEncoding.pairs("v=" + encoded)
        #expect(pairs.first.map { Array($0.value.unicodeScalars) } == Array(value.unicodeScalars))
    }
}
