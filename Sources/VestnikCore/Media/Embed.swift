import Foundation

/// A post from another site placed in an article body: a YouTube or Vimeo video, an X (Twitter), Facebook, Instagram
/// or TikTok post, or a Spotify track, album, playlist, episode or show.
///
/// The body stores only a marker, `<figure class="embed" data-embed="youtube" data-id="dQw4w9WgXcQ"></figure>`,
/// whose id matches a strict pattern, never the other site's markup: what a reader finally gets (a privacy-friendly
/// iframe or a plain link) is written by our own page, so a pasted embed code can smuggle nothing in.
public struct Embed: Sendable, Hashable {
    public enum Provider: String, Sendable, CaseIterable {
        case youtube, x, facebook, vimeo, instagram, tiktok, spotify

        /// The provider's own name, as readers know it.
        public var name: String {
            switch self {
            case .youtube: "YouTube"
            case .x: "X"
            case .facebook: "Facebook"
            case .vimeo: "Vimeo"
            case .instagram: "Instagram"
            case .tiktok: "TikTok"
            case .spotify: "Spotify"
            }
        }
    }

    public let provider: Provider
    /// YouTube: the 11-character video id. X: the post's number. Facebook: the post's path, e.g.
    /// `vestnik/posts/pfbid02abc` or `share/p/1AbC`. Vimeo: the video's number. Instagram: `p/<code>` or `reel/<code>`.
    /// TikTok: `<user>/<video number>`. Spotify: `<kind>/<22-character id>` (`track/…`, `episode/…`).
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
    /// `facebook.com/<page>/videos/<id>`, `facebook.com/share/p/<id>`, `vimeo.com/<n>`, `vimeo.com/channels/<c>/<n>`,
    /// `player.vimeo.com/video/<n>`, `instagram.com/p/<code>` (`/reel/`, `/tv/`, also after a user name),
    /// `tiktok.com/@<user>/video/<n>`, `open.spotify.com/[intl-xx/]<kind>/<id>`. Anything else is nil.
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
        case "vimeo.com":
            guard let last = path.last, path.count == 1 || (path.count == 3 && path[0] == "channels") else { return nil }
            self.init(provider: .vimeo, id: last)
        case "player.vimeo.com":
            guard path.count == 2, path[0] == "video" else { return nil }
            self.init(provider: .vimeo, id: path[1])
        case "instagram.com":
            let tail = path.count == 3 ? Array(path.dropFirst()) : path
            guard tail.count == 2, ["p", "reel", "tv"].contains(tail[0]) else { return nil }
            self.init(provider: .instagram, id: (tail[0] == "tv" ? "p" : tail[0]) + "/" + tail[1])
        case "tiktok.com":
            guard path.count == 3, path[0].hasPrefix("@"), path[1] == "video" else { return nil }
            self.init(provider: .tiktok, id: String(path[0].dropFirst()) + "/" + path[2])
        case "open.spotify.com":
            let tail = path.first?.hasPrefix("intl-") == true ? Array(path.dropFirst()) : path
            guard tail.count == 2 else { return nil }
            self.init(provider: .spotify, id: tail.joined(separator: "/"))
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
        case .vimeo: "https://vimeo.com/\(id)"
        case .instagram: "https://www.instagram.com/\(id)/"
        case .tiktok: "https://www.tiktok.com/@\(id.replacingOccurrences(of: "/", with: "/video/"))"
        case .spotify: "https://open.spotify.com/\(id)"
        }
    }

    /// The provider's player or post in a frame, as a reader gets it after choosing to load it (YouTube's no-cookie
    /// player, Vimeo's without tracking). Every host here is in the pages' `frame-src`.
    public var frameURL: String {
        switch provider {
        case .youtube: "https://www.youtube-nocookie.com/embed/\(id)?autoplay=1"
        case .x: "https://platform.twitter.com/embed/Tweet.html?id=\(id)&dnt=true"
        case .facebook:
            "https://www.facebook.com/plugins/\(id.contains("/videos/") || id.hasPrefix("share/v/") ? "video" : "post").php?href="
                + (postURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        case .vimeo: "https://player.vimeo.com/video/\(id)?dnt=1&autoplay=1"
        case .instagram: "https://www.instagram.com/\(id)/embed/"
        case .tiktok: "https://www.tiktok.com/embed/v2/\(id.split(separator: "/").last ?? "")"
        case .spotify: "https://open.spotify.com/embed/\(id)"
        }
    }

    /// The hosts `frameURL` may name: what a page's Content-Security-Policy lets frame.
    public static let frameHosts = [
        "https://www.youtube-nocookie.com", "https://platform.twitter.com", "https://www.facebook.com", "https://player.vimeo.com",
        "https://www.instagram.com", "https://www.tiktok.com", "https://open.spotify.com",
    ]

    /// Where the provider answers oEmbed for this post without a key (title, author, thumbnail), or nil where it wants
    /// one (Facebook and Instagram): their embeds show the provider's name only.
    public var oEmbedURL: String? {
        let url = postURL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        switch provider {
        case .youtube: return "https://www.youtube.com/oembed?format=json&url=\(url)"
        case .x: return "https://publish.twitter.com/oembed?omit_script=1&dnt=true&url=\(url)"
        case .vimeo: return "https://vimeo.com/api/oembed.json?url=\(url)"
        case .tiktok: return "https://www.tiktok.com/oembed?url=\(url)"
        case .spotify: return "https://open.spotify.com/oembed?url=\(url)"
        case .facebook, .instagram: return nil
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
        case .vimeo:
            return (1...12).contains(id.count) && id.allSatisfy { $0.isASCII && $0.isNumber }
        case .instagram:
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && ["p", "reel"].contains(parts[0]) && (5...40).contains(parts[1].count)
                && chars(parts[1], extra: "-_")
        case .tiktok:
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && (1...40).contains(parts[0].count) && chars(parts[0], extra: "._")
                && (1...20).contains(parts[1].count) && parts[1].allSatisfy { $0.isASCII && $0.isNumber }
        case .spotify:
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && ["track", "album", "playlist", "episode", "show", "artist"].contains(parts[0])
                && parts[1].count == 22 && chars(parts[1])
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
