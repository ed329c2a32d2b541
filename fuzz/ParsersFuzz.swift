// libFuzzer targets for the hand-written parsers of outside text, all in one binary (one sanitizer build for all;
// `fuzz/run.sh TARGET` picks one through VESTNIK_FUZZ): Markdown (imported files, the editor's Markdown mode), the
// HTML body sanitizer (every save from the editor), slug transliteration (titles and names), the search query
// parser (the public search box), the multipart parser (uploads), the form and query string decoder (every posted
// form and API query), the Mustache template parser (a theme's templates, parsed when the site starts) and a front
// zone's rule from the newsroom's form.
// A crash, a hang or a broken property is a finding.
import Foundation

private let target = ProcessInfo.processInfo.environment["VESTNIK_FUZZ"] ?? "markdown"

private func broken(_ what: String, _ input: String) -> Never {
    FileHandle.standardError.write(Data("property broken (\(target)): \(what)\ninput: \(input.debugDescription)\n".utf8))
    abort()
}

/// Work done once before the first input, so that no input is timed with it: the query target's analyser loads the
/// system's Hunspell dictionary (seconds under AddressSanitizer on a loaded machine), which once made the first,
/// empty, input a "timeout" finding (2026-12-06, at load 24).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    if target == "query" { _ = SearchAnalyzer.shared }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    switch target {
    case "markdown":
        let html = Markdown.html(text)
        // Raw HTML in Markdown is escaped: no element can come from the source as such.
        if html.lowercased().contains("<script") { broken("a <script> element in the output", text) }
        _ = Markdown.blocks(text)
    case "sanitizer":
        // The output escapes text, so each of its `<` opens an element the sanitizer let through: only those tags are
        // checked. (The words "img src=x onerror=alert(1)>" as a paragraph's text are harmless, and were this
        // target's first, false, finding.)
        // Bytes, not Characters: a `>` followed by a combining mark is one Character, and would hide the tag's end.
        let clean = Array(BodySanitizer.sanitize(text).lowercased().utf8)
        var position = 0
        while let open = clean[position...].firstIndex(of: UInt8(ascii: "<")) {
            let close = clean[open...].firstIndex(of: UInt8(ascii: ">")) ?? clean.endIndex
            let tag = String(decoding: clean[open..<close], as: UTF8.self)
            // Attribute values may hold any words (alt="a onload=b" is text); names and elements may not.
            let outsideValues = tag.replacingOccurrences(of: #""[^"]*"|'[^']*'"#, with: "\"\"", options: .regularExpression)
            for banned in ["<script", "<iframe", "<style", "<object", "<embed"] where outsideValues.hasPrefix(banned) {
                broken("\(banned) survived in \(tag)", text)
            }
            if outsideValues.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) != nil {
                broken("an event handler survived in \(tag)", text)
            }
            if tag.range(of: #"\s(href|src)\s*=\s*["']?\s*(javascript|vbscript):"#, options: .regularExpression) != nil {
                broken("a script address survived in \(tag)", text)
            }
            position = min(close + 1, clean.endIndex)
        }
        // A gallery the output keeps is exactly its marker: library names only, each once, read back the same.
        for block in BodySanitizer.blocks(text) where block.html.hasPrefix(Gallery.head) {
            guard let gallery = Gallery(marker: block.html), gallery.marker == block.html,
                gallery.pictures.count <= Gallery.maxPictures, Set(gallery.pictures).count == gallery.pictures.count
            else { broken("a gallery block that is not its marker: \(block.html)", text) }
        }
    case "slug":
        let slug = Slug.make(text)
        let allowed = slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        if !allowed || slug.hasPrefix("-") || slug.hasSuffix("-") || slug.contains("--") { broken("slug \(slug)", text) }
    case "query":
        if let query = try? SearchQuery.parse(text) { _ = query.highlightTerms }
    case "multipart":
        // The first line is the boundary, the rest the body.
        let split = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let boundary = String(decoding: bytes[..<split], as: UTF8.self)
        let body = Array(bytes[min(split + 1, bytes.count)...])
        for truncated in [false, true] { _ = MultipartForm.parse(body, boundary: boundary, truncated: truncated) }
        _ = MultipartForm.boundary(contentType: text)
    case "form":
        // The byte-wise percent decoding gives what Foundation's gives, on the raw text and on each of its parts, but
        // keeps a leading U+FEFF that Foundation drops.
        for part in [Substring(text)] + text.split(separator: "&") {
            let fast = FormURLEncoding.percentDecoded(part)
            let foundation = part.removingPercentEncoding
            let bom = fast.map { $0.unicodeScalars.first == "\u{FEFF}" && foundation == String($0.unicodeScalars.dropFirst()) }
            if bom != true, fast != foundation || fast.map({ Array($0.utf8) }) != foundation.map({ Array($0.utf8) }) {
                broken("percentDecoded \(fast.debugDescription) != \(foundation.debugDescription)", text)
            }
        }
        let pairs = FormURLEncoding.pairs(text)
        if pairs.count > text.utf8.count / 2 + 1 { broken("\(pairs.count) pairs", text) }
        // What a browser would send for these pairs decodes to the same pairs.
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = pairs.map { pair in
            [pair.name, pair.value].map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
                .joined(separator: "=")
        }
        let again = FormURLEncoding.pairs(encoded.joined(separator: "&"))
        if again.map(\.name) != pairs.map(\.name) || again.map(\.value) != pairs.map(\.value) {
            broken("re-encoded pairs \(again) differ from \(pairs)", text)
        }
    case "template":
        // Any text parses or is refused with a ThemeError; text with no tag in it always parses.
        do {
            _ = try Template(text, name: "fuzz")
        } catch is ThemeError {
            if !text.contains("{{") { broken("text without a tag refused", text) }
        } catch {
            broken("not a ThemeError: \(error)", text)
        }
    case "frontrule":
        // The form's choice, a newline, the age: a rule is read only when both are sound, and reads back the same.
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        if let rule = FrontRule(choice: String(parts[0]), maxAgeHours: parts.count > 1 ? String(parts[1]) : "") {
            if let age = rule.maxAgeHours, !(1...FrontRule.maxAge).contains(age) { broken("age \(age)", text) }
            if (rule.kind == .section || rule.kind == .topic) != (rule.subject.map { $0 > 0 } ?? false) {
                broken("subject \(String(describing: rule.subject)) for \(rule.kind)", text)
            }
            if FrontRule(choice: rule.choice, maxAgeHours: rule.maxAgeHours.map(String.init) ?? "") != rule {
                broken("\(rule.choice) does not read back", text)
            }
        }
    default:
        broken("unknown target", target)
    }
    return 0
}
