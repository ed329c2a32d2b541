// libFuzzer target for the text passes of the WordPress importer (Sources/VestnikStore/Import/WordPress/
// WordPressText.swift): block comments, WordPress's paragraphs and shortcodes, and Yoast's and Rank Math's SEO
// variables, over any text a WordPress export may carry. Built by `fuzz/run.sh wordpress` with
// -sanitize=fuzzer,address; a crash, a hang or a broken property is a finding.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let withoutComments = WordPressText.dropComments(text)
    check(withoutComments.utf8.count <= text.utf8.count, "dropComments grew the text")
    var unknown: [String: Int] = [:]
    let done = WordPressText.shortcodes(withoutComments, unknown: &unknown)
    // A caption adds `<figure>`, `<figcaption>` and blank lines around what it had: a bounded amount per caption.
    let captions = withoutComments.components(separatedBy: "[/caption]").count
    check(done.utf8.count <= withoutComments.utf8.count + 64 * captions, "shortcodes grew the text too much")
    check(unknown.values.reduce(0, +) <= withoutComments.utf8.count, "more shortcodes than characters")
    let paragraphs = WordPressText.autop(done)
    // Blank lines never make a paragraph (text with markup of its own may spell "<p></p>" itself).
    if !done.contains("<") { check(!paragraphs.contains("<p></p>"), "an empty paragraph") }
    // Yoast's and Rank Math's variables: a known one (at least `%sep%`, 5 characters) becomes at most 8 characters,
    // the result is one line without doubled or edge spaces, and a field without `%` is only collapsed.
    if let seo = WordPressText.seoText(text, values: ["title": "Заглавие", "sep": "-", "page": ""]) {
        check(seo.count <= text.count * 2, "seoText grew the text too much")
        check(!seo.contains("  ") && seo.first != " " && seo.last != " " && !seo.contains("\n"), "seoText left spaces")
        if !text.contains("%") {
            let words = text.unicodeScalars.split(whereSeparator: \.properties.isWhitespace)
                .map { String(String.UnicodeScalarView($0)) }
            check(seo == words.joined(separator: " "), "seoText changed plain text")
        }
    }
    return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("property broken: \(message())\n".utf8))
        abort()
    }
}
