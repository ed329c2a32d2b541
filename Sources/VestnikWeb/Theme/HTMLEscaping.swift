import Mustache
import VestnikCore

/// How templates escape `{{values}}`: the same five replacements as swift-mustache's own HTML content type
/// (`& < > " '` → `&amp; &lt; &gt; &quot; &#39;`), done by `HTML.escape` on UTF-8 bytes.
///
/// swift-mustache escapes Character by Character with a dictionary lookup per Character, and copies every string
/// even when there is nothing to escape; on an article page that was about a tenth of the render. `HTML.escape`
/// returns a string without `& < > " '` as it is. Every theme template (built-in or an override) is registered with
/// `pragma` as its first line, which selects this content type; the pragma line is standalone, so it adds no output.
/// (The one difference: swift-mustache leaves a `<` alone when a combining mark follows it, since the two make one
/// Character; this escapes it, which is what HTML needs anyway.)
struct HTMLEscaping: MustacheContentType {
    static let name = "VESTNIK_HTML"
    static let pragma = "{{% CONTENT_TYPE: \(name) }}\n"

    /// Makes the content type known to the template parser; idempotent.
    static func register() {
        MustacheContentTypes.register(HTMLEscaping(), named: name)
    }

    func escapeText(_ text: String) -> String { HTML.escape(text) }
}
