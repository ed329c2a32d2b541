import Foundation

/// JSON for `<script type="application/ld+json">` from the dictionaries `StructuredData` builds, byte for byte what
/// `JSONSerialization` (sorted keys, slashes unescaped) writes (`LinkedDataWriterTests` holds it to that), with `<`, `>` and `&` in strings as `\u003c`,
/// `\u003e` and `\u0026` so that no value can close the script element.
struct LinkedDataWriter {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `value`; false if it holds something other than dictionaries with string keys, arrays, strings,
    /// booleans and integers (the caller then takes the Foundation path).
    mutating func write(_ value: Any) -> Bool {
        switch value {
        case let string as String:
            write(string: string)
        case let flag as Bool:
            bytes.append(contentsOf: flag ? Self.trueBytes : Self.falseBytes)
        case let number as Int:
            bytes.append(contentsOf: String(number).utf8)
        case let object as [String: Any]:
            guard let keys = Self.sortedKeys(object.keys) else { return false }
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in keys.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(string: key)
                bytes.append(UInt8(ascii: ":"))
                guard write(object[key]!) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        case let array as [Any]:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard write(element) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            return false
        }
        return true
    }

    private mutating func write(string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        // Runs of bytes that need no escape (nearly all of a headline or a URL) are copied whole.
        string.withUTF8 { utf8 in
            var runStart = 0
            for (index, byte) in utf8.enumerated() where Self.needsEscape(byte) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    bytes.append(contentsOf: "\\u00".utf8)
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Control characters, `"` and `\\` (JSON), and `<`, `>`, `&` (so no string can end the script element).
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "<")
            || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&")
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let hex = Array("0123456789abcdef".utf8)

    /// Keys in the order `JSONSerialization`'s `.sortedKeys` gives. On Linux that is a locale-aware comparison
    /// (`_` before `-`, `ab` before `aB`, `item9` before `item10`), so rather than imitate it, the order of each
    /// set of keys is asked of `JSONSerialization` once: it writes `{key: position}` for the set, and the
    /// positions come back in its order. Key sets repeat from page to page.
    private static func sortedKeys(_ keys: Dictionary<String, Any>.Keys) -> [String]? {
        let unsorted = Array(keys)
        let set = Set(unsorted)
        if let known = orders.withLock({ $0[set] }) { return known }
        var probe: [String: Int] = [:]
        for (position, key) in unsorted.enumerated() { probe[key] = position }
        // In `{"k":0,"l":1}` every `":` is followed by a position, unless a key holds `":` itself (then give up).
        let json = Array(JSONText.encode(probe).utf8)
        var positions: [Int] = []
        var i = 0
        while i + 1 < json.count {
            if json[i] == UInt8(ascii: "\"") && json[i + 1] == UInt8(ascii: ":") {
                var j = i + 2
                var value = 0
                while j < json.count, json[j] >= 0x30, json[j] <= 0x39 {
                    value = value * 10 + Int(json[j] - 0x30)
                    j += 1
                }
                positions.append(value)
                i = j
            } else {
                i += 1
            }
        }
        guard positions.count == unsorted.count, Set(positions).count == unsorted.count,
            positions.allSatisfy({ $0 < unsorted.count })
        else { return nil }
        let sorted = positions.map { unsorted[$0] }
        orders.withLock { if $0.count < 256 { $0[set] = sorted } }
        return sorted
    }

    private static let orders = LockedOrders()
}

private final class LockedOrders: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [Set<String>: [String]] = [:]

    func withLock<T>(_ body: (inout [Set<String>: [String]]) -> T) -> T { lock.withLock { body(&value) } }
}
