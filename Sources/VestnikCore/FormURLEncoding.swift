import Foundation

/// `application/x-www-form-urlencoded` text (a posted form, or a query string as an HTML form sends it) read into its
/// name/value pairs, in order: `+` is a space, `%2B` a plus, and a pair without `=` has an empty value. A malformed
/// escape keeps its raw text rather than failing the request. One pass over the text (fuzzed: `fuzz/run.sh form`).
public enum FormURLEncoding {
    public static func pairs(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
