/// The rule for an author's portrait address: a file of this site's media library (`/media/<hash>.jpg`) or an
/// image on another site over https. Anything else (`javascript:`, `data:`, plain http, relative paths that could
/// reach any route, quotes that could break out of an attribute) is refused before it is stored.
public enum PhotoURL {
    public static let maxLength = 500
    static let extensions: Set<String> = ["jpg", "jpeg", "png", "webp", "gif", "avif"]

    /// Whether `text` (already trimmed) may be stored as a portrait address; the empty string means "no photo".
    public static func isAcceptable(_ text: String) -> Bool {
        if text.isEmpty { return true }
        guard text.count <= maxLength, text.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }),
            !text.contains(where: { "\"'<>\\`".contains($0) })
        else { return false }
        if text.hasPrefix("/media/") {
            let file = text.dropFirst("/media/".count)
            let parts = file.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.allSatisfy({ isHex($0) || $0 == 45 || $0 == 95 }) else { return false }
            return extensions.contains(parts[1].lowercased())
        }
        guard text.lowercased().hasPrefix("https://") else { return false }
        let rest = text.dropFirst("https://".count)
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.contains("@") && host.contains(".") && !host.hasPrefix(".")
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
    }
}
