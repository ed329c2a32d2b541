/// A request's `Range` header (RFC 9110 §14.2), for a file of a known size. Only one range is served: a list of
/// several is answered with the whole file, as the RFC allows, and so is anything that does not parse. No imports,
/// so the fuzz target (fuzz/RangeFuzz.swift) compiles it alone.
public enum ByteRange: Equatable, Sendable {
    /// Send the whole file (no header, several ranges, or one that does not parse).
    case whole
    /// Send these bytes (206).
    case part(ClosedRange<Int>)
    /// The range starts past the end: 416, `Content-Range: bytes */size`.
    case unsatisfiable

    /// Longer headers are not read: no client needs one.
    static let maxHeader = 200

    public init(header: String?, size: Int) {
        guard let header, header.utf8.count <= Self.maxHeader, size >= 0 else {
            self = .whole
            return
        }
        let text = header.trimmingCharacters(inASCII: " \t")
        guard text.hasPrefix("bytes="), !text.contains(",") else {
            self = .whole
            return
        }
        let spec = text.dropFirst("bytes=".count).trimmingCharacters(inASCII: " \t")
        guard let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), !(first.isEmpty && last.isEmpty) else {
            self = .whole
            return
        }
        // Digits beyond what an Int holds: a position past any file.
        let start = first.isEmpty ? nil : Int(first) ?? Int.max
        let end = last.isEmpty ? nil : Int(last) ?? Int.max
        switch (start, end) {
        case (nil, let suffix?):
            // The last `suffix` bytes.
            if suffix == 0 || size == 0 {
                self = .unsatisfiable
            } else {
                self = .part(max(0, size - suffix)...(size - 1))
            }
        case (let start?, let end):
            if let end, end < start {
                self = .whole
            } else if start >= size {
                self = .unsatisfiable
            } else {
                self = .part(start...min(end ?? (size - 1), size - 1))
            }
        default:
            self = .whole
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    /// Without Foundation's `CharacterSet`, so the file stands alone.
    fileprivate func trimmingCharacters(inASCII set: String) -> String {
        var view = Substring(self)
        while let c = view.first, set.contains(c) { view.removeFirst() }
        while let c = view.last, set.contains(c) { view.removeLast() }
        return String(view)
    }
}
