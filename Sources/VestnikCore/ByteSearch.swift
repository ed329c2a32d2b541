extension String {
    /// Whether `needle` occurs in the text, compared byte for byte (UTF-8). Meant for ASCII markers (`<figure …`),
    /// which never occur inside a multi-byte character, as a quick test before a real parse: Foundation's `contains`
    /// (what `String.contains(String)` is with Foundation imported) compares by characters, and the standard library's
    /// generic `firstRange(of:)` is not specialised for bytes; either cost an import a tenth of its CPU.
    public func containsBytes(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        var text = self
        return text.withUTF8 { bytes in
            guard bytes.count >= pattern.count else { return false }
            var index = 0
            let last = bytes.count - pattern.count
            while index <= last {
                if bytes[index] == first {
                    var matched = 1
                    while matched < pattern.count, bytes[index + matched] == pattern[matched] { matched += 1 }
                    if matched == pattern.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}
