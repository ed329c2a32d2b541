#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where `needle` first starts in `haystack` (0 when empty), byte for byte: `memchr` (vectorised in glibc) to each candidate first byte,
/// `memcmp` for the rest (`memmem` is hidden behind _GNU_SOURCE in Swift's Glibc module). Foundation's
/// `DataProtocol.firstRange(of:)`, which `[UInt8].firstRange(of:)` resolves to, is generic and walks the bytes through
/// witness calls: on the article page's two marker tests it was 19 % of a mixed workload's CPU, and the loop it
/// replaced in `BodyPictures.find` 10 % of a cold article page's.
private func offset(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
    guard let n = needle.baseAddress, needle.count > 0 else { return 0 }
    guard let h = haystack.baseAddress, haystack.count >= needle.count else { return nil }
    let first = Int32(needle[0])
    var start = h
    let lastStart = h + (haystack.count - needle.count)
    while start <= lastStart, let found = memchr(start, first, lastStart - start + 1) {
        if memcmp(found, n, needle.count) == 0 { return UnsafeRawPointer(found) - h }
        start = UnsafeRawPointer(found) + 1
    }
    return nil
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
            pattern.withUTF8 { offset(of: UnsafeRawBufferPointer($0), in: UnsafeRawBufferPointer(haystack)) != nil }
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (see `String.containsBytes`).
    public func containsBytes(_ needle: [UInt8]) -> Bool {
        withUnsafeBytes { haystack in needle.withUnsafeBytes { offset(of: $0, in: haystack) != nil } }
    }
}

extension ArraySlice where Element == UInt8 {
    /// The index (in this slice's indices) where `needle` first starts, or nil; an empty needle starts at once.
    public func firstIndex(ofBytes needle: [UInt8]) -> Int? {
        withUnsafeBytes { haystack in needle.withUnsafeBytes { offset(of: $0, in: haystack) }.map { startIndex + $0 } }
    }
}
