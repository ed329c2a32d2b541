import Foundation

/// A post from another site placed in an article body: a YouTube video, an X (Twitter) post or a Facebook post.
///
/// The body stores only a marker, `<figure class="embed" data-embed="youtube" data-id="dQw4w9WgXcQ"></figure>`,
/// whose id matches a strict pattern, never the other site's markup: what a reader finally gets (a privacy-friendly
/// iframe or a plain link) is written by our own page, so a pasted embed code can smuggle nothing in.
public struct Embed: Sendable, Equatable {
    public enum Provider: String, Sendable, CaseIterable {
        case youtube, x, facebook
    }

    public let provider: Provider
    /// YouTube: the 11-character video id. X: the post's number. Facebook: the post's path, e.g.
    /// `vestnik/posts/pfbid02abc` or `share/p/1AbC`.
    public let id: String

    /// Only ids that match the provider's pattern.
    public init?(provider: Provider, id: String) {
        guard Self.isValid(id, for: provider) else { return nil }
        self.provider = provider
        self.id = id
    }

    /// The marker's attributes, as the sanitizer reads them back.
    public init?(kind: String, id: String) {
        guard let provider = Provider(rawValue: kind) else { return nil }
        self.init(provider: provider, id: id)
    }

    /// A post's address as an editor copies it from the browser: `youtube.com/watch?v=…`, `youtu.be/…`,
    /// `youtube.com/shorts/…`, `x.com/<user>/status/<n>`, `twitter.com/…`, `facebook.com/<page>/posts/<id>`,
    /// `facebook.com/<page>/videos/<id>`, `facebook.com/share/p/<id>`. Anything else is nil.
    public init?(url text: String) {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            ["http", "https"].contains(components.scheme?.lowercased() ?? ""), let rawHost = components.host?.lowercased()
        else { return nil }
        let host =
            rawHost.hasPrefix("www.") ? String(rawHost.dropFirst(4)) : rawHost.hasPrefix("m.") ? String(rawHost.dropFirst(2)) : rawHost
        let path = components.path.split(separator: "/").map(String.init)
        switch host {
        case "youtube.com", "youtube-nocookie.com":
            if path == ["watch"], let v = components.queryItems?.first(where: { $0.name == "v" })?.value {
                self.init(provider: .youtube, id: v)
            } else if path.count == 2, ["shorts", "embed", "live"].contains(path[0]) {
                self.init(provider: .youtube, id: path[1])
            } else {
                return nil
            }
        case "youtu.be":
            guard path.count == 1 else { return nil }
            self.init(provider: .youtube, id: path[0])
        case "x.com", "twitter.com", "mobile.twitter.com":
            guard path.count >= 3, path[1] == "status" else { return nil }
            self.init(provider: .x, id: path[2])
        case "facebook.com":
            guard path.count >= 3 else { return nil }
            if path[0] == "share", path.count == 3 {
                self.init(provider: .facebook, id: path.joined(separator: "/"))
            } else if ["posts", "videos"].contains(path[1]), path.count == 3 {
                self.init(provider: .facebook, id: path.joined(separator: "/"))
            } else {
                return nil
            }
        default:
            return nil
        }
    }

    /// The address of the post on its own site.
    public var postURL: String {
        switch provider {
        case .youtube: "https://www.youtube.com/watch?v=\(id)"
        case .x: "https://x.com/i/status/\(id)"
        case .facebook: "https://www.facebook.com/\(id)"
        }
    }

    /// The stored marker (one body block).
    public var marker: String {
        "<figure class=\"embed\" data-embed=\"\(provider.rawValue)\" data-id=\"\(HTML.escape(id))\"></figure>"
    }

    /// Strict shapes; every character allowed here is safe in an attribute and a URL path.
    static func isValid(_ id: String, for provider: Provider) -> Bool {
        func chars(_ s: Substring, extra: String = "") -> Bool {
            !s.isEmpty
                && s.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || extra.unicodeScalars.contains($0))
                }
        }
        switch provider {
        case .youtube:
            return id.count == 11 && chars(Substring(id), extra: "-_")
        case .x:
            return (1...20).contains(id.count) && id.allSatisfy { $0.isASCII && $0.isNumber }
        case .facebook:
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ (1...80).contains($0.count) }) else { return false }
            if parts[0] == "share" { return ["p", "v", "r"].contains(parts[1]) && chars(parts[2]) }
            return ["posts", "videos"].contains(parts[1]) && chars(parts[0], extra: ".") && chars(parts[2])
        }
    }
}

extension Embed {
    /// The embed a stored body block marks, if the block is exactly a marker as `marker` writes it.
    public init?(marker html: String) {
        let head = "<figure class=\"embed\" data-embed=\""
        let middle = "\" data-id=\""
        let tail = "\"></figure>"
        guard html.hasPrefix(head), html.hasSuffix(tail) else { return nil }
        let inner = html.dropFirst(head.count).dropLast(tail.count)
        guard let split = inner.range(of: middle) else { return nil }
        self.init(kind: String(inner[..<split.lowerBound]), id: String(inner[split.upperBound...]))
    }
}
