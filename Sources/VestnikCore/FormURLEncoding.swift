import Foundation

/// `application/x-www-form-urlencoded` text (a posted form, or a query string as an HTML form sends it) read into its
/// name/value pairs, in order: `+` is a space, `%2B` a plus, and a pair without `=` has an empty value. A malformed
/// escape keeps its raw text rather than failing the request. One pass over the text (fuzzed: `fuzz/run.sh form`).
public enum FormURLEncoding {
    public static func pairs(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return percentDecoded(spaced) ?? spaced
    }

    /// `text` with its `%XX` escapes decoded (nil for a malformed escape), read byte by byte: Foundation's
    /// `removingPercentEncoding` goes through CFString and UTF-16, about 2 % of a WordPress import's CPU (each post's
    /// slug and old address). The same result as Foundation's but for one thing: CFString drops a leading U+FEFF as a
    /// byte-order mark, which lost that character from a form value sent back (the `form` fuzz target's finding,
    /// 2026-12-07); here it is kept. Bytes that are not UTF-8 are left to Foundation (it makes some of them U+FFFD).
    /// The `form` fuzz target compares the two on every input.
    public static func percentDecoded(_ text: some StringProtocol) -> String? {
        let utf8 = text.utf8
        guard var index = utf8.firstIndex(of: UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        bytes.append(contentsOf: utf8[..<index])
        while index != utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard index != utf8.endIndex, let high = hexValue(utf8[index]) else { return text.removingPercentEncoding }
            index = utf8.index(after: index)
            guard index != utf8.endIndex, let low = hexValue(utf8[index]) else { return text.removingPercentEncoding }
            index = utf8.index(after: index)
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self) ?? text.removingPercentEncoding
    }

    /// The value of a hexadecimal digit (either case), nil for any other byte.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// `text` as a query value: letters, digits and `-._~` as they are, every other UTF-8 byte as `%XX` (so `&`, `=`,
    /// `+`, `#` and spaces too). Byte by byte: Foundation's `addingPercentEncoding` goes through CFString and was 6 % of
    /// a cold article page's CPU (its share links encode the address and the title).
    public static func encodeQueryValue(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            // Written in place: a Cyrillic title is all escapes, and an array per escape was most of this cost.
            String(unsafeUninitializedCapacity: bytes.count * 3) { out in
                var count = 0
                for byte in bytes {
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                        UInt8(ascii: "~"):
                        out[count] = byte
                        count += 1
                    default:
                        out[count] = UInt8(ascii: "%")
                        out[count + 1] = hexDigit(byte >> 4)
                        out[count + 2] = hexDigit(byte & 0x0F)
                        count += 3
                    }
                }
                return count
            }
        }
    }

    /// An upper-case hexadecimal digit of a value below 16.
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}
