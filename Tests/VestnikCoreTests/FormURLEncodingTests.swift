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
}
