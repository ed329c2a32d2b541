import Foundation
import Hummingbird
import VestnikCore

/// A posted form or a query string as an HTML form sends it (`application/x-www-form-urlencoded`): `+` is a space,
/// `%2B` a plus. The newsroom middleware reads a POST's form once into one of these (from either encoding, the
/// multipart one too); controllers decode it into a typed form with `decode`.
struct FormQuery {
    private var values: [String: [String]] = [:]

    init(_ query: String?) {
        for (name, value) in FormURLEncoding.pairs(query ?? "") { values[name, default: []].append(value) }
    }

    /// Fields already decoded (the text parts of a multipart form).
    init(fields: [String: [String]]) { values = fields }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The form as a `Decodable` form type (the first value of each field), through Hummingbird's form decoder. A
    /// form that lacks a field its type requires, or has one of the wrong kind, is a 400: browsers send every field
    /// of a form, so only a hand-made request gets there.
    func decode<Form: Decodable>(_ type: Form.Type) throws -> Form {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        let encoded = values.compactMap { name, list in
            list.first.map { "\(encode(name))=\(encode($0))" }
        }.joined(separator: "&")
        do {
            return try URLEncodedFormDecoder().decode(type, from: encoded)
        } catch {
            throw HTTPError(.badRequest, message: "the form is incomplete or malformed")
        }
    }
}
