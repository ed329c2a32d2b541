import VestnikCore

/// How templates escape `{{values}}`: `HTML.escape`'s five replacements (`& < > " '` → `&amp; &lt; &gt; &quot; &#39;`),
/// written straight into the page's buffer, so a value that needs no escaping is copied once and one that does
/// costs no intermediate string. The five are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte
/// character, so working on bytes gives exactly what `HTML.escape` gives on Unicode scalars (`TemplateEngineTests`
/// compares the two).
enum HTMLEscaping {
    static func escape(_ text: String, into out: inout PageBuffer) {
        text.withUTF8Bytes { escape($0, into: &out) }
    }

    /// The same on UTF-8 bytes (as is: bytes that are not valid UTF-8 stay as they are).
    static func escape(_ bytes: ArraySlice<UInt8>, into out: inout PageBuffer) {
        bytes.withUnsafeBufferPointer { escape($0, into: &out) }
    }

    private static func escape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout PageBuffer) {
        guard let start = UnsafeRawPointer(bytes.baseAddress) else { return }
        var plainFrom = 0
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while none of them is one of the five: most of a page's text needs no escaping.
            if index + 8 <= bytes.count, !mayNeedEscaping(start.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let replacement: StaticString
            switch bytes[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default:
                index += 1
                continue
            }
            out.write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[plainFrom..<index])))
            out.write(replacement)
            index += 1
            plainFrom = index
        }
        out.write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[plainFrom...])))
    }

    /// Whether any of the eight bytes of `word` is one of the five (exact: the test for a zero byte below, on the
    /// word XORed with each of them, has no false positives when asking whether there is any).
    @inline(__always)
    private static func mayNeedEscaping(_ word: UInt64) -> Bool {
        @inline(__always) func hasByte(_ byte: UInt8) -> UInt64 {
            let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
            return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
        }
        return hasByte(UInt8(ascii: "&")) | hasByte(UInt8(ascii: "<")) | hasByte(UInt8(ascii: ">"))
            | hasByte(UInt8(ascii: "\"")) | hasByte(UInt8(ascii: "'")) != 0
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
