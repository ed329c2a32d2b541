import VestnikCore

/// How templates escape `{{values}}`: `HTML.escape`'s five replacements (`& < > " '` → `&amp; &lt; &gt; &quot; &#39;`),
/// written straight into the page's byte buffer, so a value that needs no escaping is copied once and one that does
/// costs no intermediate string. The five are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte
/// character, so working on bytes gives exactly what `HTML.escape` gives on Unicode scalars (`TemplateEngineTests`
/// compares the two).
enum HTMLEscaping {
    static func escape(_ text: String, into out: inout [UInt8]) {
        text.withUTF8Bytes { escape($0, into: &out) }
    }

    /// The same on UTF-8 bytes (as is: bytes that are not valid UTF-8 stay as they are).
    static func escape(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { escape($0, into: &out) }
    }

    private static func escape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var plainFrom = 0
        for index in bytes.indices {
            let replacement: StaticString
            switch bytes[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default: continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
            out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            plainFrom = index + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom...]))
    }
}

extension String {
    /// The UTF-8 bytes in place: native and small strings (all a page holds) lend them without the mutable copy of
    /// the string that `withUTF8` takes.
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}
