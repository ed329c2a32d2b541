import Foundation

/// A JSON-LD value as `StructuredData` builds it: typed, so writing it needs no casts, and with keys from a fixed
/// vocabulary (`Key`), so putting an object's members in order is a sort of small integers.
enum LinkedData: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([LinkedData])
    case object([Member])

    /// A member of an object. A struct, not a `(key, value)` tuple: an array of tuples was destroyed through the
    /// runtime's generic tuple witnesses, member by member (1.4 % of a cold article page, letting go of its blocks).
    struct Member: Sendable {
        let key: Key
        let value: LinkedData
    }

    /// Every key the site's linked data uses. A new one is a new case: `LinkedDataWriterTests` writes all of them.
    enum Key: Int, CaseIterable {  // at most 64 cases: `LinkedDataWriter` keeps a set of them in one UInt64
        case context, type, id, articleBody, articleSection, author, correction, coverageEndTime, coverageStartTime,
            dateModified, datePublished, description, headline, height, image, inLanguage, isAccessibleForFree, item,
            itemListElement, jobTitle, keywords, liveBlogUpdate, logo, mainEntityOfPage, name, position, potentialAction,
            publisher, queryInput, target, text, url, urlTemplate, width

        var name: String {
            switch self {
            case .context: "@context"
            case .type: "@type"
            case .id: "@id"
            case .queryInput: "query-input"
            default: String(describing: self)
            }
        }
    }

    /// The value as Foundation's JSON objects, for the reference path and the tests.
    var foundationValue: Any {
        switch self {
        case .string(let text): text
        case .int(let number): number
        case .bool(let flag): flag
        case .array(let items): items.map(\.foundationValue)
        case .object(let members):
            Dictionary(members.map { ($0.key.name, $0.value.foundationValue) }, uniquingKeysWith: { _, last in last })
        }
    }
}

extension LinkedData: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: LinkedData...) { self = .array(elements) }
    init(dictionaryLiteral elements: (Key, LinkedData)...) { self = .object(elements.map { Member(key: $0.0, value: $0.1) }) }

    /// Sets `key` (replacing a value it had), for members added after the literal.
    subscript(key: Key) -> LinkedData? {
        get {
            guard case .object(let members) = self else { return nil }
            return members.last { $0.key == key }?.value
        }
        set {
            guard case .object(var members) = self else { return }
            members.removeAll { $0.key == key }
            if let newValue { members.append(Member(key: key, value: newValue)) }
            self = .object(members)
        }
    }
}

/// JSON for `<script type="application/ld+json">`: byte for byte what `JSONSerialization` (sorted keys, slashes
/// unescaped) writes of the same value (`LinkedDataWriterTests` holds it to that), with `<`, `>` and `&` in strings
/// as `\u003c`, `\u003e` and `\u0026` so that no value can close the script element.
struct LinkedDataWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: LinkedData) {
        switch value {
        case .string(let string):
            write(string: string)
        case .bool(let flag):
            bytes.append(contentsOf: flag ? Self.trueBytes : Self.falseBytes)
        case .int(let number):
            bytes.append(contentsOf: String(number).utf8)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            // Members in `JSONSerialization`'s order with no sort and no array: each key's last position is kept
            // under its rank, and the set of ranks present is walked from its lowest bit (a key set twice is
            // written once, at its last value, as a dictionary would hold it).
            withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.ranks.count) { positions in
                var present: UInt64 = 0
                for position in members.indices {
                    let rank = Self.ranks[members[position].key.rawValue]
                    positions[rank] = position
                    present |= 1 << UInt64(rank)
                }
                var first = true
                while present != 0 {
                    let member = members[positions[present.trailingZeroBitCount]]
                    present &= present - 1
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    bytes.append(contentsOf: Self.quotedKeys[member.key.rawValue])
                    bytes.append(UInt8(ascii: ":"))
                    write(member.value)
                }
            }
            bytes.append(UInt8(ascii: "}"))
        }
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
    /// Each key written as a JSON string (no key needs escaping).
    private static let quotedKeys = LinkedData.Key.allCases.map { Array("\"\($0.name)\"".utf8) }

    /// Each key's place in `JSONSerialization`'s order. On Linux that order is a locale-aware comparison (`_` before
    /// `-`, `ab` before `aB`), so rather than imitate it, the whole vocabulary is written once as `{key: n}` and the
    /// numbers are read back in the order it gives.
    private static let ranks: [Int] = {
        let keys = LinkedData.Key.allCases
        let probe = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0.rawValue) })
        let json = Array(JSONText.encode(probe).utf8)
        var ranks = [Int](repeating: 0, count: keys.count)
        var rank = 0
        var i = 0
        // In `{"k":0,"l":1}` each `":` is followed by a key's number (no key holds `":`).
        while i + 1 < json.count {
            guard json[i] == UInt8(ascii: "\""), json[i + 1] == UInt8(ascii: ":") else {
                i += 1
                continue
            }
            var j = i + 2
            var number = 0
            while j < json.count, json[j] >= 0x30, json[j] <= 0x39 {
                number = number * 10 + Int(json[j] - 0x30)
                j += 1
            }
            ranks[number] = rank
            rank += 1
            i = j
        }
        precondition(rank == keys.count, "JSONSerialization wrote \(rank) of \(keys.count) linked-data keys")
        return ranks
    }()
}
