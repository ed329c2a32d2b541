import Foundation

/// A `multipart/form-data` body (RFC 7578) as the media upload form sends it: text fields and at most a few files.
///
/// Small and strict: the body must start with the boundary, every part must name itself in a
/// `Content-Disposition: form-data; name="…"` header, and anything else is refused as malformed. A body cut off
/// at the size limit still yields the parts that came before the cut, and the cut part is marked incomplete, so
/// the form can say "too large" and keep what was typed (the file input comes last in the form).
struct MultipartForm: Sendable, Equatable {
    struct File: Sendable, Equatable {
        var fileName: String
        var bytes: [UInt8]
        /// False when the body ended (was cut at the size limit) before this part did.
        var complete: Bool
    }

    var fields: [String: [String]] = [:]
    var files: [String: File] = [:]
    /// The names of the text fields that came before the first file part (a CSRF token must be among them).
    var fieldsBeforeFiles: Set<String> = []

    static let maxParts = 32
    static let maxHeaderBytes = 8 * 1024

    /// The boundary named in a `Content-Type: multipart/form-data; boundary=…` header, or nil for any other type.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// The parts of `body`; nil when it is not well-formed multipart. `truncated` says the body was cut short.
    static func parse(_ body: [UInt8], boundary: String, truncated: Bool) -> MultipartForm? {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard body.starts(with: delimiter) else { return nil }
        var form = MultipartForm()
        var i = delimiter.count
        var parts = 0
        while true {
            // After a delimiter: `--` ends the body, CRLF starts a part.
            if body.count >= i + 2, body[i] == 0x2D, body[i + 1] == 0x2D { return form }
            guard body.count >= i + 2, body[i] == 0x0D, body[i + 1] == 0x0A else { return truncated ? form : nil }
            i += 2
            parts += 1
            guard parts <= maxParts else { return nil }
            guard let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: i, limit: maxHeaderBytes) else {
                return truncated ? form : nil
            }
            guard let (name, fileName) = disposition(String(decoding: body[i..<headerEnd], as: UTF8.self)) else { return nil }
            let start = headerEnd + 4
            let end = find(separator, in: body, from: start, limit: nil)
            let content = Array(body[start..<(end ?? body.count)])
            if let fileName {
                form.files[name] = File(fileName: fileName, bytes: content, complete: end != nil)
            } else if end != nil {
                form.fields[name, default: []].append(String(decoding: content, as: UTF8.self))
                if form.files.isEmpty { form.fieldsBeforeFiles.insert(name) }
            }
            guard let end else { return truncated ? form : nil }
            i = end + separator.count
        }
    }

    /// Name and file name from the part's headers; nil without a form-data disposition.
    static func disposition(_ headers: String) -> (String, String?)? {
        for line in headers.components(separatedBy: "\r\n") {
            let pieces = line.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2, pieces[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition" else { continue }
            let params = parameters(String(pieces[1]))
            guard params.first?.0 == "form-data", let name = params.first(where: { $0.0 == "name" })?.1 else { return nil }
            return (name, params.first(where: { $0.0 == "filename" })?.1)
        }
        return nil
    }

    /// `form-data; name="alt"; filename="a b.png"` → [("form-data", ""), ("name", "alt"), ("filename", "a b.png")].
    /// Quoted values may hold `;`; browsers escape `"` in them as `%22`.
    static func parameters(_ text: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var current = ""
        var quoted = false
        var pieces: [String] = []
        for c in text {
            if c == "\"" { quoted.toggle() }
            if c == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        pieces.append(current)
        for piece in pieces {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let kv = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            var value = kv.count > 1 ? String(kv[1]) : ""
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            out.append((kv[0].lowercased(), value.replacingOccurrences(of: "%22", with: "\"")))
        }
        return out
    }

    /// The first index of `needle` in `haystack` at or after `from` (and before `from + limit`).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, limit: Int?) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        let last = min(haystack.count - needle.count, limit.map { from + $0 } ?? Int.max)
        guard from <= last else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var i = from
                outer: while i <= last {
                    if hay[i] != first {
                        i += 1
                        continue
                    }
                    for k in 1..<pin.count where hay[i + k] != pin[k] {
                        i += 1
                        continue outer
                    }
                    return i
                }
                return nil
            }
        }
    }
}
