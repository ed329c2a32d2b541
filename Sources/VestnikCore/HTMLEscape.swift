/// HTML escaping and unescaping.
///
/// Every piece of text Vestnik puts into a page or feed (headlines, names, body text, URLs in attributes) passes
/// through `escape`, so content can never inject markup. One escaper, on bytes: templates write through it straight
/// into the page's buffer (`escape(_:into:)`, inlined into the renderer), everything else takes a string. The five
/// are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character, so working on bytes gives exactly what
/// replacing Unicode scalars gives.
public enum HTML {
    /// Escapes `& < > " '` so the result is safe in element content and in quoted attribute values.
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { replacement(for: $0) != nil }) else { return s }
        var out = ByteSink()
        out.bytes.reserveCapacity(s.utf8.count + 16)
        var s = s
        s.withUTF8 { escape($0, into: &out) }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Appends `c` to `text`, escaped: for code that builds its HTML a character at a time (inline Markdown). Scalar
    /// by scalar, as the bytes are: `<` with a combining mark after it is one `Character`, and its `<` is escaped too.
    public static func escape(_ c: Character, into text: inout String) {
        for scalar in c.unicodeScalars {
            if scalar.isASCII, let replacement = replacement(for: UInt8(scalar.value)) {
                text += replacement.description
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
    }

    /// Writes `bytes` escaped into `out`: runs that need nothing are written as they are, in one piece.
    @inlinable
    public static func escape<Out: HTMLOutput>(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout Out) {
        guard let start = UnsafeRawPointer(bytes.baseAddress) else { return }
        var plainFrom = 0
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while none of them is one of the five: most of a page's text needs no escaping.
            if index + 8 <= bytes.count, !mayNeedEscaping(start.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            guard let replacement = replacement(for: bytes[index]) else {
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

    /// What each of the five becomes; nil for any other byte.
    @inlinable @inline(__always)
    public static func replacement(for byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "\""): "&quot;"
        case UInt8(ascii: "'"): "&#39;"
        default: nil
        }
    }

    /// Whether any of the eight bytes of `word` is one of the five (exact: the test for a zero byte below, on the
    /// word XORed with each of them, has no false positives when asking whether there is any).
    @inlinable @inline(__always)
    static func mayNeedEscaping(_ word: UInt64) -> Bool {
        @inline(__always) func hasByte(_ byte: UInt8) -> UInt64 {
            let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
            return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
        }
        return hasByte(UInt8(ascii: "&")) | hasByte(UInt8(ascii: "<")) | hasByte(UInt8(ascii: ">"))
            | hasByte(UInt8(ascii: "\"")) | hasByte(UInt8(ascii: "'")) != 0
    }

    struct ByteSink: HTMLOutput {
        var bytes: [UInt8] = []

        mutating func write(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

        mutating func write(_ text: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
    }

    /// Decodes numeric character references and the common named entities
    /// (`&amp;`, `&lt;`, `&nbsp;`, `&bdquo;`, …). Unknown or malformed references
    /// are left as they are.
    public static func unescape(_ s: String) -> String {
        // A byte test: Foundation's `contains` (what `String.contains(String)` calls) was 4 % of an import's CPU.
        guard s.utf8.contains(UInt8(ascii: "&")) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let afterAmp = rest.index(after: amp)
            if let semicolon = rest[afterAmp...].prefix(32).firstIndex(of: ";"),
                let decoded = decodeEntity(rest[afterAmp..<semicolon])
            {
                out += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                out += "&"
                rest = rest[afterAmp...]
            }
        }
        out += rest
        return out
    }

    static func decodeEntity(_ name: Substring) -> String? {
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value: UInt32?
            if digits.first == "x" || digits.first == "X" {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits, radix: 10)
            }
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
            return String(Character(scalar))
        }
        return namedEntities[String(name)]
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "ndash": "–", "mdash": "—", "hellip": "…", "laquo": "«", "raquo": "»",
        "bdquo": "„", "ldquo": "“", "rdquo": "”", "lsquo": "‘", "rsquo": "’",
        "copy": "©", "reg": "®", "trade": "™", "deg": "°", "euro": "€", "middot": "·", "bull": "•",
    ]
}

/// Where `HTML.escape(_:into:)` writes: a page's buffer (VestnikWeb's `PageBuffer`) or a string.
public protocol HTMLOutput {
    mutating func write(_ bytes: UnsafeRawBufferPointer)
    mutating func write(_ text: StaticString)
}
