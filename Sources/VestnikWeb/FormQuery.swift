import Foundation

/// The query string as an HTML form sends it (`application/x-www-form-urlencoded`): `+` is a space, `%2B` a plus.
/// Hummingbird's own parameters decode percent escapes only, which would turn a typed `a -b` into `a+-b`.
struct FormQuery {
    private var values: [String: [String]] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                // A malformed escape keeps its raw text rather than failing the request.
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            values[name, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Fields already decoded (the text parts of a multipart form).
    init(fields: [String: [String]]) { values = fields }

    func all(_ name: String) -> [String] { values[name] ?? [] }
}
