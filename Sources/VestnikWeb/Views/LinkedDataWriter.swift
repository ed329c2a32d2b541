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
            guard let members = Self.ordered(object) else { return false }
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(string: member.key)
                bytes.append(UInt8(ascii: ":"))
                guard write(member.value) else { return false }
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

    /// The members of `object` in the order `JSONSerialization`'s `.sortedKeys` gives. On Linux that is a
    /// locale-aware comparison (`_` before `-`, `ab` before `aB`, `item9` before `item10`), so rather than imitate
    /// it, every key ever seen gets its place in that order, asked of `JSONSerialization` (it writes `{key: n}` for
    /// the keys, and the numbers come back in its order); a new key asks again for all of them. The comparison is a
    /// total order, so sorting any set of keys by these places gives the order it gives that set. The keys of
    /// linked data are a small fixed vocabulary: after the first pages, ordering a block's members is a dictionary
    /// lookup per key.
    private static func ordered(_ object: [String: Any]) -> [(key: String, value: Any)]? {
        var members: [(rank: Int, key: String, value: Any)] = []
        members.reserveCapacity(object.count)
        var ranks = ranking.withLock { $0 }
        for (key, value) in object {
            guard let rank = ranks[key] else {
                guard let updated = rank(adding: Array(object.keys)) else { return nil }
                ranks = updated
                return ordered(object, by: updated)
            }
            members.append((rank, key, value))
        }
        members.sort { $0.rank < $1.rank }
        return members.map { ($0.key, $0.value) }
    }

    private static func ordered(_ object: [String: Any], by ranks: [String: Int]) -> [(key: String, value: Any)]? {
        var members: [(rank: Int, key: String, value: Any)] = []
        for (key, value) in object {
            guard let rank = ranks[key] else { return nil }
            members.append((rank, key, value))
        }
        members.sort { $0.rank < $1.rank }
        return members.map { ($0.key, $0.value) }
    }

    /// Every known key and `keys`, ranked in `JSONSerialization`'s order; nil if a key holds `":` (then the
    /// positions cannot be read back) or the vocabulary passes 4,096 keys (then the caller takes the Foundation path).
    private static func rank(adding keys: [String]) -> [String: Int]? {
        ranking.withLock { ranks -> [String: Int]? in
            let all = Array(Set(ranks.keys).union(keys))
            guard all.count <= 4096 else { return nil }
            var probe: [String: Int] = [:]
            for (position, key) in all.enumerated() { probe[key] = position }
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
            guard positions.count == all.count, Set(positions).count == all.count, positions.allSatisfy({ $0 < all.count })
            else { return nil }
            var updated: [String: Int] = [:]
            for (rank, position) in positions.enumerated() { updated[all[position]] = rank }
            ranks = updated
            return updated
        }
    }

    private static let ranking = LockedRanks()
}

/// Each known key's place in `JSONSerialization`'s order of keys.
private final class LockedRanks: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [String: Int] = [:]

    func withLock<T>(_ body: (inout [String: Int]) -> T) -> T { lock.withLock { body(&value) } }
}
