#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether `needle` occurs in `haystack`, byte for byte: `memchr` (vectorised in glibc) to each candidate first byte,
/// `memcmp` for the rest (`memmem` is hidden behind _GNU_SOURCE in Swift's Glibc module). Foundation's
/// `DataProtocol.firstRange(of:)`, which `[UInt8].firstRange(of:)` resolves to, is generic and walks the bytes through
/// witness calls: on the article page's two marker tests it was 19 % of a mixed workload's CPU.
private func bytes(_ haystack: UnsafeRawBufferPointer, contain needle: UnsafeRawBufferPointer) -> Bool {
    guard let n = needle.baseAddress, needle.count > 0 else { return true }
    guard let h = haystack.baseAddress, haystack.count >= needle.count else { return false }
    let first = Int32(needle[0])
    var start = h
    let lastStart = h + (haystack.count - needle.count)
    while start <= lastStart, let found = memchr(start, first, lastStart - start + 1) {
        if memcmp(found, n, needle.count) == 0 { return true }
        start = UnsafeRawPointer(found) + 1
    }
    return false
}

extension String {
    /// Whether `needle` occurs in the text, compared byte for byte (UTF-8). Meant for ASCII markers (`<figure …`),
    /// which never occur inside a multi-byte character, as a quick test before a real parse: Foundation's `contains`
    /// (what `String.contains(String)` is with Foundation imported) compares by characters, and the standard library's
    /// generic `firstRange(of:)` is not specialised for bytes; either cost an import a tenth of its CPU.
    public func containsBytes(_ needle: String) -> Bool {
        var text = self
        var pattern = needle
        return text.withUTF8 { haystack in
            pattern.withUTF8 { bytes(UnsafeRawBufferPointer(haystack), contain: UnsafeRawBufferPointer($0)) }
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (see `String.containsBytes`).
    public func containsBytes(_ needle: [UInt8]) -> Bool {
        withUnsafeBytes { haystack in needle.withUnsafeBytes { bytes(haystack, contain: $0) } }
    }
}
