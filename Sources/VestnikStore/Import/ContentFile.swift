import Foundation
import VestnikCore
import Yams

/// One Markdown file with YAML front matter, read into an `ArticleInput`.
///
/// The format (documented in the README) is the Hugo/Jekyll one newsrooms know: front matter between `---` lines,
/// then the body in Markdown. Raw HTML in the body is escaped by the Markdown renderer, never passed through.
public enum ContentFile {
    public static let keys: Set<String> = [
        "title", "kicker", "slug", "section", "topic", "tags", "authors", "sources", "media", "published", "status",
        "reads", "lead",
    ]

    /// Reads `text`; `now` stands in for a missing `published` date. Errors say what is wrong in words and, where
    /// a front-matter key is at fault, on which line of the file it stands.
    public static func parse(_ text: String, now: Date) throws -> ArticleInput {
        let (frontMatter, body) = try split(text)
        do {
            return try parse(frontMatter: frontMatter, body: body, now: now)
        } catch let error as KeyError {
            let line = frontMatter.components(separatedBy: "\n").firstIndex {
                $0.hasPrefix(error.key + ":") || $0.hasPrefix(error.key + " :")
            }
            // Line 1 of the file is the opening ---, so front-matter line i is file line i + 2.
            throw InvalidInput(line.map { "line \($0 + 2): \(error.message)" } ?? error.message)
        }
    }

    /// A problem with one front-matter key, located by `parse`.
    struct KeyError: Error {
        var key: String
        var message: String
        init(_ key: String, _ message: String) {
            self.key = key
            self.message = message
        }
    }

    private static func parse(frontMatter: String, body: String, now: Date) throws -> ArticleInput {
        let fields: [String: Any]
        do {
            guard let loaded = try Yams.load(yaml: frontMatter) else { throw InvalidInput("the front matter is empty") }
            guard let map = loaded as? [String: Any] else { throw InvalidInput("the front matter is not a map of keys") }
            fields = map
        } catch let error as InvalidInput {
            throw error
        } catch {
            throw InvalidInput(yamlMessage("\(error)", firstLine: 2))
        }
        if let unknown = fields.keys.filter({ !keys.contains($0) }).sorted().first {
            throw KeyError(unknown, "unknown key „\(unknown)“ in the front matter")
        }
        let title = try requiredText(fields, "title")
        let slug = try optionalText(fields, "slug") ?? Slug.make(title)
        guard !slug.isEmpty, Slug.make(slug) == slug else {
            throw KeyError("slug", "slug „\(slug)“ must be lowercase Latin letters, digits and hyphens")
        }
        var blocks = Markdown.blocks(body)
        var lead = try optionalText(fields, "lead")
        if lead == nil, let first = blocks.first, first.kind == .paragraph {
            lead = ArticleBody.plainText(first.html)
            blocks.removeFirst()
        }
        let status =
            try optionalText(fields, "status").map { value -> ArticleStatus in
                guard let status = ArticleStatus(rawValue: value) else {
                    throw KeyError("status", "status must be draft or published, not „\(value)“")
                }
                return status
            } ?? .published
        let media = try list(fields, "media")
        var markers = MediaMarkers()
        for kind in media {
            switch kind {
            case "video": markers.video = true
            case "gallery": markers.gallery = true
            default: throw KeyError("media", "media must list video or gallery, not „\(kind)“")
            }
        }
        var reads: Int?
        if let value = fields["reads"] {
            guard let count = value as? Int, count >= 0 else { throw KeyError("reads", "reads must be a whole number ≥ 0") }
            reads = count
        }
        return ArticleInput(
            slug: slug, kicker: try optionalText(fields, "kicker") ?? "", title: title, lead: lead ?? "",
            bodyHTML: blocks.map(\.html).joined(separator: "\n"), section: try requiredText(fields, "section"),
            topic: try optionalText(fields, "topic"), tags: try list(fields, "tags"), authors: try bylines(fields),
            sources: try list(fields, "sources"), media: markers, status: status,
            publishedAt: try published(fields) ?? now, reads: reads)
    }

    /// Yams says `2:8: error: parser: …` with lines counted from the YAML's start; say it in the file's lines.
    static func yamlMessage(_ text: String, firstLine: Int) -> String {
        let parts = text.split(separator: ":", maxSplits: 3).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 4, let line = Int(parts[0]), Int(parts[1]) != nil else { return "not valid YAML: \(text)" }
        let reason = parts[3].components(separatedBy: "\n").first ?? parts[3]
        return "line \(line + firstLine - 1): not valid YAML: \(reason)"
    }

    /// Separates the front matter from the body.
    static func split(_ text: String) throws -> (frontMatter: String, body: String) {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else {
            throw InvalidInput("the file must start with a front matter block (a line ---)")
        }
        guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw InvalidInput("the front matter is not closed by a line ---")
        }
        return (lines[1..<end].joined(separator: "\n"), lines[(end + 1)...].joined(separator: "\n"))
    }

    private static func optionalText(_ fields: [String: Any], _ key: String) throws -> String? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        let text: String
        switch value {
        case let string as String: text = string
        case let int as Int: text = String(int)
        case let double as Double: text = String(double)
        default: throw KeyError(key, "\(key) must be text")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func requiredText(_ fields: [String: Any], _ key: String) throws -> String {
        guard let text = try optionalText(fields, key) else { throw InvalidInput("\(key) is missing") }
        return text
    }

    private static func list(_ fields: [String: Any], _ key: String) throws -> [String] {
        guard let value = fields[key], !(value is NSNull) else { return [] }
        if let single = value as? String { return [single] }
        guard let items = value as? [Any] else { throw KeyError(key, "\(key) must be a list") }
        return try items.map { item in
            switch item {
            case let string as String: return string.trimmingCharacters(in: .whitespaces)
            case let int as Int: return String(int)
            default: throw KeyError(key, "every item of \(key) must be text")
            }
        }.filter { !$0.isEmpty }
    }

    private static func bylines(_ fields: [String: Any]) throws -> [ArticleInput.Byline] {
        guard let value = fields["authors"], !(value is NSNull) else { return [] }
        guard let items = value as? [Any] else { throw KeyError("authors", "authors must be a list") }
        return try items.map { item in
            if let name = item as? String { return ArticleInput.Byline(name: name) }
            guard let map = item as? [String: Any], let name = map["name"] as? String, !name.isEmpty else {
                throw KeyError("authors", "every author needs a name: {name: …, role: …}")
            }
            return ArticleInput.Byline(name: name, role: map["role"] as? String)
        }
    }

    private static func published(_ fields: [String: Any]) throws -> Date? {
        guard let value = fields["published"], !(value is NSNull) else { return nil }
        if let date = value as? Date { return date }
        guard let text = value as? String else { throw KeyError("published", "published must be an ISO 8601 date with offset") }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw KeyError("published", "published „\(text)“ is not an ISO 8601 date with offset, e.g. 2026-11-25T09:15:00+02:00")
    }
}
