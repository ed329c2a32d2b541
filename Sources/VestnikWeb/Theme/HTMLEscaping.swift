import VestnikCore

/// Templates escape `{{values}}` with Core's one escaper (`HTML.escape(_:into:)`, inlined here), straight into the
/// page's buffer: a value that needs no escaping is copied once, and one that does costs no intermediate string.
extension PageBuffer: HTMLOutput {}

extension HTML {
    static func escape(_ text: String, into out: inout PageBuffer) {
        text.withUTF8Bytes { escape($0, into: &out) }
    }

    /// The same on UTF-8 bytes (as is: bytes that are not valid UTF-8 stay as they are).
    static func escape(_ bytes: ArraySlice<UInt8>, into out: inout PageBuffer) {
        bytes.withUnsafeBufferPointer { escape($0, into: &out) }
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
