/// Text for strict machine readers: XML (feeds, sitemaps) and URLs outside HTML.
///
/// Browsers forgive a control character in a headline or a Cyrillic letter in a link; XML parsers and sitemap
/// readers do not. Everything Vestnik writes into a feed or a sitemap passes through here.
public enum XML {
    /// Escapes `& < > " '` (as `HTML.escape` does) and drops the characters XML 1.0 forbids (C0 controls other
    /// than tab, line feed and carriage return; U+FFFE and U+FFFF), which would make the whole document unreadable.
    public static func escape(_ s: String) -> String {
        HTML.escape(removingForbiddenCharacters(s))
    }

    /// `s` without the characters XML 1.0 forbids.
    public static func removingForbiddenCharacters(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isForbidden) else { return s }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: s.unicodeScalars.lazy.filter { !isForbidden($0) })
        return String(kept)
    }

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00..<0x20, 0xFFFE, 0xFFFF: return true
        default: return false
        }
    }
}

/// URLs as machines want them: ASCII only.
public enum URLText {
    /// `url` with every byte that may not appear in a URI (non-ASCII, controls, space, `"<>\^`{|}`) written as
    /// `%XX` of its UTF-8; existing `%XX` escapes and every reserved character stay as they are, so encoding twice
    /// changes nothing. `https://вестник.bg/а` becomes `https://%D0%B2…`: sitemaps require it (REFERENCE §5).
    public static func percentEncoded(_ url: String) -> String {
        guard url.utf8.contains(where: needsEncoding) else { return url }
        var out = ""
        out.reserveCapacity(url.utf8.count * 2)
        for byte in url.utf8 {
            if needsEncoding(byte) {
                out += "%"
                out += String(byte >> 4, radix: 16, uppercase: true)
                out += String(byte & 0x0F, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    private static func needsEncoding(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x20, 0x7F...0xFF: return true
        case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "^"),
            UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
            return true
        default: return false
        }
    }
}
