import Foundation
import Hummingbird

/// A JSON document built in code: the API's answers are made of these so that `fields=` can leave members out and
/// `include=` add them without a type per combination. Written with sorted keys, so equal answers are equal bytes
/// (and get equal ETags).
enum JSONValue: Sendable, Equatable, Encodable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// Only the members named by `paths` (each a member's name, or a path into nested objects such as
    /// `["title", "rendered"]`), in an object or in each object of an array; anything else as it is.
    func keeping(_ paths: [[String]]) -> JSONValue {
        switch self {
        case .array(let items): return .array(items.map { $0.keeping(paths) })
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (name, value) in members {
                let inner = paths.filter { $0.first == name }.map { Array($0.dropFirst()) }
                if inner.isEmpty { continue }
                kept[name] = inner.contains(where: \.isEmpty) ? value : value.keeping(inner)
            }
            return .object(kept)
        default: return self
        }
    }

    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// The UTF-8 bytes of the document.
    var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these cases cannot fail (no floats, no non-string keys).
        return Array((try? encoder.encode(self)) ?? Data("null".utf8))
    }
}

extension Response {
    /// A JSON answer.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.bytes)))
    }
}
