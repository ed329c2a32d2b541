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
}
