/// `{name}` placeholders in locale strings ("{day} {month} {year}, {time} часа", "Още за {topic} – четете тук").
public enum Placeholders {
    /// Replaces each `{name}` in `pattern` by `value(name)`, in one pass over the text (a value is never searched for
    /// placeholders itself); a placeholder without a value stays as written. `value` is asked only for the names the
    /// pattern holds, so a caller may compute values on demand (the date line skips the weekday it does not show).
    public static func fill(_ pattern: String, _ value: (Substring) -> String?) -> String {
        guard pattern.utf8.contains(UInt8(ascii: "{")) else { return pattern }
        var out = ""
        out.reserveCapacity(pattern.utf8.count + 32)
        var rest = Substring(pattern)
        while let open = rest.utf8.firstIndex(of: UInt8(ascii: "{")) {
            out += rest[..<open]
            let afterOpen = rest.utf8.index(after: open)
            if let close = rest.utf8[afterOpen...].firstIndex(of: UInt8(ascii: "}")), let filled = value(rest[afterOpen..<close]) {
                out += filled
                rest = rest[rest.utf8.index(after: close)...]
            } else {
                out += "{"
                rest = rest[afterOpen...]
            }
        }
        out += rest  // in place: `out + rest` made a third string
        return out
    }

    /// `fill` with the values of a dictionary.
    public static func fill(_ pattern: String, _ values: [String: String]) -> String {
        fill(pattern) { values[String($0)] }
    }
}
